#ifndef FLOWPOL_OUT_H
#define FLOWPOL_OUT_H

#include <stdio.h>

struct strbuf;

/* Write s as a JSON string literal, quotes included (to f, or append to b). */
void fp_json_str(FILE *f, const char *s);
void fp_json_sb(struct strbuf *b, const char *s);
/*
 * Write s as a TSV field: tab, newline, CR and backslash become \t \n \r \\
 * so that a row stays one line.
 */
void fp_tsv_str(FILE *f, const char *s);
void fp_tsv_sb(struct strbuf *b, const char *s);
/*
 * Flush stdout and check it for a write error, so that a redirect to a full
 * disk does not look like written output. 0 or -1 (fp_error "CONTEXT:
 * writing the output: reason").
 */
int fp_out_flush(const char *context);

#endif
