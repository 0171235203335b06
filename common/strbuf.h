#ifndef FLOWPOL_STRBUF_H
#define FLOWPOL_STRBUF_H

#include <stddef.h>

/*
 * A growable NUL-terminated string for building messages and canonical
 * forms (git's strbuf, reduced). Allocation failure is sticky: the buffer
 * stops growing, sets oom, and sb_detach returns NULL.
 */
struct strbuf {
	char *buf;
	size_t len;
	size_t alloc;
	int oom;
};

#define STRBUF_INIT { NULL, 0, 0, 0 }

void sb_addc(struct strbuf *b, char c);
void sb_addn(struct strbuf *b, const char *s, size_t n);
void sb_adds(struct strbuf *b, const char *s);
void sb_addf(struct strbuf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* The text so far ("" when empty or after oom); owned by b. */
const char *sb_str(const struct strbuf *b);
/* Returns the malloc'd text (caller frees) or NULL on oom; b is reset. */
char *sb_detach(struct strbuf *b);
void sb_release(struct strbuf *b);

/* qsort(3)/bsearch(3) order of an array of strings (char *): strcmp's. */
int fp_cmp_str(const void *a, const void *b);
/* Free n malloc'd strings and their array; NULL does nothing. */
void fp_strv_free(char **v, size_t n);

/*
 * v, an array of *cap elements of elem bytes, grown by doubling (from 16)
 * to hold at least need elements, the new ones zeroed: amortized constant
 * time per element appended. The array, or NULL when out of memory or the
 * size overflows (v and *cap are then untouched).
 */
void *fp_grow(void *v, size_t *cap, size_t need, size_t elem);

#endif
