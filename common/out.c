#include <errno.h>
#include <string.h>

#include "common/err.h"
#include "common/out.h"
#include "common/strbuf.h"
#include "common/banned.h"

void
fp_json_sb(struct strbuf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	sb_addc(b, '"');
	for (; *p != '\0'; p++) {
		switch (*p) {
		case '"': sb_adds(b, "\\\""); break;
		case '\\': sb_adds(b, "\\\\"); break;
		case '\n': sb_adds(b, "\\n"); break;
		case '\r': sb_adds(b, "\\r"); break;
		case '\t': sb_adds(b, "\\t"); break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				sb_addf(b, "\\u%04x", *p);
			else
				sb_addc(b, (char)*p);
		}
	}
	sb_addc(b, '"');
}

void
fp_tsv_sb(struct strbuf *b, const char *s)
{
	for (; *s != '\0'; s++) {
		switch (*s) {
		case '\t': sb_adds(b, "\\t"); break;
		case '\n': sb_adds(b, "\\n"); break;
		case '\r': sb_adds(b, "\\r"); break;
		case '\\': sb_adds(b, "\\\\"); break;
		default: sb_addc(b, *s);
		}
	}
}

void
fp_json_str(FILE *f, const char *s)
{
	struct strbuf b = STRBUF_INIT;

	fp_json_sb(&b, s);
	fputs(sb_str(&b), f);
	sb_release(&b);
}

void
fp_tsv_str(FILE *f, const char *s)
{
	struct strbuf b = STRBUF_INIT;

	fp_tsv_sb(&b, s);
	fputs(sb_str(&b), f);
	sb_release(&b);
}

int
fp_out_flush(const char *context)
{
	if (fflush(stdout) != 0 || ferror(stdout))
		return fp_error("%s: writing the output: %s", context,
		    strerror(errno));
	return 0;
}
