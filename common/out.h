#ifndef FLOWPOL_OUT_H
#define FLOWPOL_OUT_H

#include <stdio.h>

/* Write s as a JSON string literal, quotes included. */
void fp_json_str(FILE *f, const char *s);
/*
 * Write s as a TSV field: tab, newline, CR and backslash become \t \n \r \\
 * so that a row stays one line.
 */
void fp_tsv_str(FILE *f, const char *s);

#endif
