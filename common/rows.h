#ifndef FLOWPOL_ROWS_H
#define FLOWPOL_ROWS_H

#include <stdint.h>
#include <stdio.h>

#include "common/cli.h"

/*
 * One writer for every listing: a command describes its columns once
 * (struct fp_col) and gives each row's values in column order; the writer
 * renders table (aligned, for people), tsv (header row, \t \n \\ escaped),
 * json or yaml. JSON and YAML carry an envelope
 *     {"apiVersion": FP_ROWS_API, "kind": KIND, "items": [...]}
 * with the types of the schema: numbers stay numbers, lists are arrays,
 * times are RFC 3339 strings, a missing value is null. FP_ROWS_API changes
 * when a field changes meaning or type (CHANGELOG.md, flowpol(1)).
 */
#define FP_ROWS_API "flowpol/v1"

enum fp_col_type {
	FP_COL_STR,
	FP_COL_INT,
	FP_COL_REAL,	/* three decimals */
	FP_COL_TIME,	/* int64 unix microseconds, RFC 3339 */
	FP_COL_BOOL,
	FP_COL_LIST	/* given as one comma-separated string */
};

/* flags: a column only people and scripts read, or only json/yaml. */
#define FP_COL_TEXT 1
#define FP_COL_DATA 2

struct fp_col {
	const char *name;
	enum fp_col_type type;
	int flags;
};

struct fp_rows;

/*
 * Start a document of KIND on f (not owned) in fmt (FP_FMT_TABLE, _TSV,
 * _JSON or _YAML). 0 or -1 (fp_error, out of memory).
 */
int fp_rows_begin(struct fp_rows **out, FILE *f, enum fp_format fmt,
    const char *kind);
/*
 * A top-level time outside the lists: a key of the JSON/YAML object, a
 * "# key: value" line in tsv and table. Before the first list only.
 */
void fp_rows_meta_time(struct fp_rows *r, const char *key, int64_t us);

/*
 * Start a list named key ("items" for a plain listing): ends the previous
 * list; in tsv and table a blank line separates lists and each has its
 * header. cols must outlive the list.
 */
void fp_rows_list(struct fp_rows *r, const char *key, const struct fp_col *cols,
    size_t ncols);
/* The next value of the current row, in column order, of its type. */
void fp_rows_str(struct fp_rows *r, const char *s);
void fp_rows_int(struct fp_rows *r, long long v);
void fp_rows_real(struct fp_rows *r, double v);
void fp_rows_time(struct fp_rows *r, int64_t us);
void fp_rows_bool(struct fp_rows *r, int v);
void fp_rows_list_csv(struct fp_rows *r, const char *csv);
/*
 * A protocol's port as four columns, declared with FP_COLS_PORT(name): the
 * text form ("443", "8/0" for ICMP, "" without ports) for tsv and table;
 * for json/yaml the port number, icmp_type and icmp_code, each null where
 * the protocol has none.
 */
#define FP_COLS_PORT(name) \
	{ name, FP_COL_STR, FP_COL_TEXT }, \
	{ name, FP_COL_INT, FP_COL_DATA }, \
	{ "icmp_type", FP_COL_INT, FP_COL_DATA }, \
	{ "icmp_code", FP_COL_INT, FP_COL_DATA }
void fp_rows_port(struct fp_rows *r, int proto, int port);
/* No value: null in json/yaml, "-" in tsv and table. */
void fp_rows_null(struct fp_rows *r);
/*
 * End the document, write what is buffered, free r (NULL-safe). 0 or -1
 * (fp_error: out of memory, or a row given the wrong number of values).
 */
int fp_rows_end(struct fp_rows *r);

#endif
