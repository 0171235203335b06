#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "emitter/emit.h"
#include "common/err.h"
#include "common/fileio.h"
#include "common/banned.h"

/* A committed policy file larger than this is not one flowpol wrote. */
#define EMIT_MAX_FILE (64u << 20)

int
emit_is_yaml_name(const char *name)
{
	size_t n = strlen(name);

	return name[0] != '.' &&
	    ((n > 5 && strcmp(name + n - 5, ".yaml") == 0) ||
	    (n > 4 && strcmp(name + n - 4, ".yml") == 0));
}

int
emit_file_is_ours(const char *path)
{
	char line[128];
	FILE *f;
	int r = 0;

	if ((f = fopen(path, "r")) == NULL)
		return 0;
	if (fgets(line, sizeof(line), f) != NULL)
		r = strncmp(line, EMIT_HEADER_MARK, strlen(EMIT_HEADER_MARK)) == 0;
	fclose(f);
	return r;
}

static int
cmp_file(const void *a, const void *b)
{
	return strcmp(((const struct emit_cmp *)a)->file,
	    ((const struct emit_cmp *)b)->file);
}

/* Whether file is among the first ndocs entries of v (sorted by file). */
static int
is_doc_file(const struct emit_cmp *v, size_t ndocs, const char *file)
{
	struct emit_cmp key;

	key.file = (char *)(uintptr_t)file;
	return ndocs > 0 && bsearch(&key, v, ndocs, sizeof(*v), cmp_file) != NULL;
}

void
emit_cmp_free(struct emit_cmp *c, size_t n)
{
	size_t i;

	for (i = 0; c != NULL && i < n; i++) {
		free(c[i].file);
		free(c[i].old);
	}
	free(c);
}

/* Append one entry; takes file and old. */
static int
push(struct emit_cmp **v, size_t *n, size_t *cap, char *file,
    enum emit_change ch, const struct emit_doc *doc, char *old, size_t oldlen)
{
	struct emit_cmp *nv;

	if (*n == *cap) {
		size_t nc = *cap ? *cap * 2 : 16;

		if ((nv = realloc(*v, nc * sizeof(*nv))) == NULL) {
			free(file);
			free(old);
			return fp_error("emit: out of memory");
		}
		*v = nv;
		*cap = nc;
	}
	(*v)[(*n)++] = (struct emit_cmp){ file, ch, doc, old, oldlen };
	return 0;
}

/* keep_old: keep the old bytes of changed and removed files (for a diff). */
static int
compare(const struct emit_result *r, const char *dir, int keep_old,
    struct emit_cmp **out, size_t *nout)
{
	struct emit_cmp *v = NULL;
	size_t n = 0, cap = 0, i, oldlen;
	DIR *d = NULL;
	struct dirent *de;
	struct stat sb;
	char *path = NULL, *old = NULL, *file;
	const struct emit_doc *doc;
	enum emit_change ch;
	int ret = -1;

	*out = NULL;
	*nout = 0;
	/* What emit would write, against what is there. */
	for (i = 0; i < r->ndocs; i++) {
		doc = &r->docs[i];
		free(path);
		old = NULL;
		oldlen = 0;
		if (asprintf(&path, "%s/%s", dir, doc->file) < 0) {
			path = NULL;
			goto oom;
		}
		if (lstat(path, &sb) < 0) {
			if (errno != ENOENT) {
				fp_error("emit: '%s': %s", fp_clamp(path, 256),
				    strerror(errno));
				goto out;
			}
			ch = EMIT_ADDED;
		} else if (!S_ISREG(sb.st_mode) || !emit_file_is_ours(path)) {
			ch = EMIT_CLASH;
		} else {
			if (fp_read_file(path, EMIT_MAX_FILE, &old, &oldlen) < 0)
				goto out;
			ch = oldlen == doc->len && memcmp(old, doc->text,
			    oldlen) == 0 ? EMIT_UNCHANGED : EMIT_CHANGED;
			if (ch == EMIT_UNCHANGED || !keep_old) {
				free(old);
				old = NULL;
				oldlen = 0;
			}
		}
		if ((file = strdup(doc->file)) == NULL) {
			free(old);
			goto oom;
		}
		if (push(&v, &n, &cap, file, ch, doc, old, oldlen) < 0)
			goto out;
	}
	/* What is there and would no longer be written. */
	if (n > 1)
		qsort(v, n, sizeof(*v), cmp_file);
	if ((d = opendir(dir)) == NULL) {
		if (errno == ENOENT)
			goto sorted;
		fp_error("emit: '%s': %s", fp_clamp(dir, 256), strerror(errno));
		goto out;
	}
	while ((de = readdir(d)) != NULL) {
		if (!emit_is_yaml_name(de->d_name) ||
		    is_doc_file(v, r->ndocs, de->d_name))
			continue;
		free(path);
		old = NULL;
		oldlen = 0;
		if (asprintf(&path, "%s/%s", dir, de->d_name) < 0) {
			path = NULL;
			goto oom;
		}
		if (lstat(path, &sb) < 0 || !S_ISREG(sb.st_mode))
			continue;
		if (emit_file_is_ours(path)) {
			if (keep_old && fp_read_file(path, EMIT_MAX_FILE, &old,
			    &oldlen) < 0)
				goto out;
			ch = EMIT_REMOVED;
		} else {
			ch = EMIT_FOREIGN;
		}
		if ((file = strdup(de->d_name)) == NULL) {
			free(old);
			goto oom;
		}
		if (push(&v, &n, &cap, file, ch, NULL, old, oldlen) < 0)
			goto out;
	}
sorted:
	if (n > 1)
		qsort(v, n, sizeof(*v), cmp_file);
	*out = v;
	*nout = n;
	v = NULL;
	n = 0;
	ret = 0;
	goto out;
oom:
	fp_error("emit: out of memory");
out:
	if (d != NULL)
		closedir(d);
	emit_cmp_free(v, n);
	free(path);
	return ret;
}

int
emit_compare(const struct emit_result *r, const char *dir,
    struct emit_cmp **out, size_t *nout)
{
	return compare(r, dir, 1, out, nout);
}

int
emit_write(const struct emit_result *r, const char *dir, size_t *removed)
{
	struct emit_cmp *c = NULL;
	char *path = NULL;
	size_t i, n = 0, nrm = 0;
	int ret = -1;

	if (removed != NULL)
		*removed = 0;
	if (strcmp(dir, "-") == 0) {
		for (i = 0; i < r->ndocs; i++) {
			fputs("---\n", stdout);
			fwrite(r->docs[i].text, 1, r->docs[i].len, stdout);
		}
		if (fflush(stdout) != 0 || ferror(stdout))
			return fp_error("emit: stdout: %s", strerror(errno));
		return 0;
	}
	/* Writing needs only what changed, not the old bytes: those would
	 * double the memory of a run that changes every file. */
	if (fp_mkdirs(dir) < 0 || compare(r, dir, 0, &c, &n) < 0)
		return -1;
	/* Refuse before writing anything if a file we would write is not
	 * ours: it may be a hand-written policy under review. */
	for (i = 0; i < n; i++) {
		if (c[i].change == EMIT_CLASH) {
			fp_error("emit: '%s/%s': exists and was not written by "
			    "flowpol; move it away or choose another --out",
			    fp_clamp(dir, 256), c[i].file);
			goto out;
		}
	}
	/* Unchanged files are not rewritten: their mtime stays, which keeps
	 * make-style tooling and reviewers' editors quiet. */
	for (i = 0; i < n; i++) {
		if (c[i].change != EMIT_ADDED && c[i].change != EMIT_CHANGED)
			continue;
		free(path);
		if (asprintf(&path, "%s/%s", dir, c[i].file) < 0) {
			path = NULL;
			fp_error("emit: out of memory");
			goto out;
		}
		if (fp_write_file_atomic(path, c[i].doc->text, c[i].doc->len,
		    0644) < 0)
			goto out;
	}
	/* Stale files go last: a failed run leaves the old set whole. */
	for (i = 0; i < n; i++) {
		if (c[i].change != EMIT_REMOVED)
			continue;
		free(path);
		if (asprintf(&path, "%s/%s", dir, c[i].file) < 0) {
			path = NULL;
			fp_error("emit: out of memory");
			goto out;
		}
		if (unlink(path) < 0) {
			fp_error("emit: removing stale '%s': %s", path,
			    strerror(errno));
			goto out;
		}
		nrm++;
	}
	if (removed != NULL)
		*removed = nrm;
	ret = 0;
out:
	emit_cmp_free(c, n);
	free(path);
	return ret;
}
