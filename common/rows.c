#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/out.h"
#include "common/proto.h"
#include "common/rows.h"
#include "common/strbuf.h"
#include "common/timeutil.h"
#include "common/banned.h"

struct fp_rows {
	FILE *f;
	enum fp_format fmt;
	const struct fp_col *cols;
	size_t ncols;
	size_t col;		/* the next value's column */
	size_t nrows;		/* rows in the current list */
	size_t nfields;		/* tsv: fields written in this row */
	int nlists;
	int bad;		/* a row had the wrong number of values */
	struct strbuf row;	/* json/yaml: the row being built */
	char **cells;		/* table: nrows * shown cells of the list */
	size_t ncells, acells;
};

static int
shown(const struct fp_rows *r, const struct fp_col *c)
{
	int data = r->fmt == FP_FMT_JSON || r->fmt == FP_FMT_YAML;

	return !(c->flags & (data ? FP_COL_TEXT : FP_COL_DATA));
}

static int
is_data(const struct fp_rows *r)
{
	return r->fmt == FP_FMT_JSON || r->fmt == FP_FMT_YAML;
}

int
fp_rows_begin(struct fp_rows **out, FILE *f, enum fp_format fmt,
    const char *kind)
{
	struct fp_rows *r;

	if ((r = calloc(1, sizeof(*r))) == NULL)
		return fp_error("output: out of memory");
	r->f = f;
	r->fmt = fmt;
	if (fmt == FP_FMT_JSON)
		fprintf(f, "{\n  \"apiVersion\": \"%s\",\n  \"kind\": \"%s\"",
		    FP_ROWS_API, kind);
	else if (fmt == FP_FMT_YAML)
		fprintf(f, "apiVersion: %s\nkind: %s\n", FP_ROWS_API, kind);
	*out = r;
	return 0;
}

void
fp_rows_meta_time(struct fp_rows *r, const char *key, int64_t us)
{
	char tb[FP_TIMESTRLEN];

	fp_time_format(us, tb);
	if (r->fmt == FP_FMT_JSON)
		fprintf(r->f, ",\n  \"%s\": \"%s\"", key, tb);
	else if (r->fmt == FP_FMT_YAML)
		fprintf(r->f, "%s: \"%s\"\n", key, tb);
	else {
		fputs("# ", r->f);
		for (; *key != '\0'; key++)
			putc(*key == '_' ? ' ' : *key, r->f);
		fprintf(r->f, " %s\n", tb);
	}
}

static void
upper(FILE *f, const char *s)
{
	for (; *s != '\0'; s++)
		putc(*s >= 'a' && *s <= 'z' ? *s - 'a' + 'A' : *s, f);
}

/* Aligned columns, three spaces apart, the last one not padded. */
static void
table_flush(struct fp_rows *r)
{
	size_t i, j, *w, nshown = 0;
	const struct fp_col *c[64];

	for (i = 0; i < r->ncols && nshown < 64; i++)
		if (shown(r, &r->cols[i]))
			c[nshown++] = &r->cols[i];
	if (nshown == 0 || (w = calloc(nshown, sizeof(*w))) == NULL)
		goto out;
	for (j = 0; j < nshown; j++)
		w[j] = strlen(c[j]->name);
	for (i = 0; i < r->ncells; i++)
		if (strlen(r->cells[i]) > w[i % nshown])
			w[i % nshown] = strlen(r->cells[i]);
	for (j = 0; j < nshown; j++) {
		upper(r->f, c[j]->name);
		if (j + 1 < nshown)
			fprintf(r->f, "%*s", (int)(w[j] - strlen(c[j]->name) + 3), "");
	}
	putc('\n', r->f);
	for (i = 0; i < r->ncells; i++) {
		j = i % nshown;
		fputs(r->cells[i], r->f);
		if (j + 1 < nshown)
			fprintf(r->f, "%*s", (int)(w[j] - strlen(r->cells[i]) + 3), "");
		else
			putc('\n', r->f);
	}
	free(w);
out:
	for (i = 0; i < r->ncells; i++)
		free(r->cells[i]);
	r->ncells = 0;
}

static void
list_end(struct fp_rows *r)
{
	if (r->cols == NULL)
		return;
	if (r->col != 0)
		r->bad = 1;
	if (r->fmt == FP_FMT_JSON)
		fputs(r->nrows > 0 ? "\n  ]" : "]", r->f);
	else if (r->fmt == FP_FMT_YAML)
		fputs(r->nrows > 0 ? "\n" : " []\n", r->f);
	else if (r->fmt == FP_FMT_TABLE)
		table_flush(r);
	r->cols = NULL;
}

void
fp_rows_list(struct fp_rows *r, const char *key, const struct fp_col *cols,
    size_t ncols)
{
	size_t i;
	int first = 1;

	list_end(r);
	r->cols = cols;
	r->ncols = ncols;
	r->col = 0;
	r->nrows = 0;
	if (r->fmt == FP_FMT_JSON) {
		fprintf(r->f, ",\n  \"%s\": [", key);
	} else if (r->fmt == FP_FMT_YAML) {
		fprintf(r->f, "%s:", key);
	} else if (r->fmt == FP_FMT_TSV) {
		if (r->nlists > 0)
			putc('\n', r->f);
		for (i = 0; i < ncols; i++) {
			if (!shown(r, &cols[i]))
				continue;
			if (!first)
				putc('\t', r->f);
			fputs(cols[i].name, r->f);
			first = 0;
		}
		putc('\n', r->f);
	} else if (r->nlists > 0) {
		putc('\n', r->f);
	}
	r->nlists++;
}

static void
row_end(struct fp_rows *r)
{
	if (r->fmt == FP_FMT_JSON) {
		fprintf(r->f, "%s\n    {%s}", r->nrows > 0 ? "," : "", sb_str(&r->row));
	} else if (r->fmt == FP_FMT_YAML) {
		fputs(sb_str(&r->row), r->f);
	} else if (r->fmt == FP_FMT_TSV) {
		putc('\n', r->f);
	}
	if (r->row.oom)
		r->bad = 1;
	sb_release(&r->row);
	r->col = 0;
	r->nfields = 0;
	r->nrows++;
}

/*
 * Place one value: data is its JSON literal, text its one-line form; only
 * the one the format needs is used.
 */
static void
put(struct fp_rows *r, const char *data, const char *text)
{
	const struct fp_col *c;
	struct strbuf t = STRBUF_INIT;
	char **nc;
	int first;

	if (r->cols == NULL || r->col >= r->ncols) {
		r->bad = 1;
		return;
	}
	c = &r->cols[r->col];
	first = r->row.len == 0;
	r->col++;
	if (shown(r, c)) {
		if (r->fmt == FP_FMT_JSON) {
			sb_addf(&r->row, "%s\"%s\": %s", first ? "" : ", ", c->name, data);
		} else if (r->fmt == FP_FMT_YAML) {
			sb_addf(&r->row, "\n%s %s: %s", first ? "-" : " ", c->name, data);
		} else if (r->fmt == FP_FMT_TSV) {
			fp_tsv_sb(&t, text);
			fprintf(r->f, "%s%s", r->nfields++ > 0 ? "\t" : "", sb_str(&t));
		} else {
			fp_tsv_sb(&t, text);
			if (r->ncells == r->acells) {
				size_t na = r->acells ? r->acells * 2 : 64;
				if ((nc = realloc(r->cells, na * sizeof(*nc))) == NULL) {
					r->bad = 1;
					goto out;
				}
				r->cells = nc;
				r->acells = na;
			}
			if ((r->cells[r->ncells] = sb_detach(&t)) == NULL)
				r->bad = 1;
			else
				r->ncells++;
		}
	}
out:
	sb_release(&t);
	if (r->col == r->ncols)
		row_end(r);
}

void
fp_rows_str(struct fp_rows *r, const char *s)
{
	struct strbuf d = STRBUF_INIT;

	if (s == NULL)
		s = "";
	if (is_data(r))
		fp_json_sb(&d, s);
	put(r, sb_str(&d), s);
	sb_release(&d);
}

void
fp_rows_int(struct fp_rows *r, long long v)
{
	char b[32];

	snprintf(b, sizeof(b), "%lld", v);
	put(r, b, b);
}

void
fp_rows_real(struct fp_rows *r, double v)
{
	char b[64];

	snprintf(b, sizeof(b), "%.3f", v);
	put(r, b, b);
}

void
fp_rows_time(struct fp_rows *r, int64_t us)
{
	char tb[FP_TIMESTRLEN], q[FP_TIMESTRLEN + 2];

	fp_time_format(us, tb);
	snprintf(q, sizeof(q), "\"%s\"", tb);
	put(r, q, tb);
}

void
fp_rows_bool(struct fp_rows *r, int v)
{
	put(r, v ? "true" : "false", v ? "true" : "false");
}

void
fp_rows_null(struct fp_rows *r)
{
	put(r, "null", "-");
}

void
fp_rows_list_csv(struct fp_rows *r, const char *csv)
{
	struct strbuf d = STRBUF_INIT, item = STRBUF_INIT;
	const char *p, *e;

	if (csv == NULL)
		csv = "";
	if (is_data(r)) {
		sb_addc(&d, '[');
		for (p = csv; *p != '\0'; p = *e ? e + 1 : e) {
			if ((e = strchr(p, ',')) == NULL)
				e = p + strlen(p);
			sb_addn(&item, p, (size_t)(e - p));
			if (d.len > 1)
				sb_adds(&d, ", ");
			fp_json_sb(&d, sb_str(&item));
			sb_release(&item);
		}
		sb_addc(&d, ']');
	}
	put(r, sb_str(&d), csv);
	sb_release(&d);
}

void
fp_rows_port(struct fp_rows *r, int proto, int port)
{
	char b[32];

	fp_rows_str(r, fp_port_format(proto, port, b, sizeof(b)));
	if (fp_proto_has_ports(proto))
		fp_rows_int(r, port);
	else
		fp_rows_null(r);
	if (fp_proto_is_icmp(proto)) {
		fp_rows_int(r, (port >> 8) & 0xff);
		fp_rows_int(r, port & 0xff);
	} else {
		fp_rows_null(r);
		fp_rows_null(r);
	}
}

int
fp_rows_end(struct fp_rows *r)
{
	int ret;

	if (r == NULL)
		return 0;
	list_end(r);
	if (r->fmt == FP_FMT_JSON)
		fputs("\n}\n", r->f);
	ret = r->bad ? fp_error("output: out of memory or a malformed row") : 0;
	sb_release(&r->row);
	free(r->cells);
	free(r);
	return ret;
}
