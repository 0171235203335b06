#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "emitter/emit.h"
#include "emitter/target.h"
#include "common/err.h"
#include "common/fileio.h"
#include "common/sha256.h"
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

/* The end of the first line: the SHA-256 of every line after it. */
#define SEAL_PREFIX " sha256:"
#define SEAL_LEN (sizeof(SEAL_PREFIX) - 1 + 64)

int
emit_seal(char **text, size_t *len)
{
	const char *nl = memchr(*text, '\n', *len);
	char hex[SHA256_HEXLEN], *t;
	size_t first;

	if (nl == NULL)
		return fp_error("emit: document without a header line");
	first = (size_t)(nl - *text);
	sha256_hex(nl + 1, *len - first - 1, hex);
	if ((t = malloc(*len + SEAL_LEN + 1)) == NULL)
		return fp_error("emit: out of memory");
	memcpy(t, *text, first);
	memcpy(t + first, SEAL_PREFIX, sizeof(SEAL_PREFIX) - 1);
	memcpy(t + first + sizeof(SEAL_PREFIX) - 1, hex, 64);
	memcpy(t + first + SEAL_LEN, nl, *len - first + 1);
	free(*text);
	*text = t;
	*len += SEAL_LEN;
	return 0;
}

int
emit_text_is_ours(const char *buf, size_t len)
{
	const char *nl = memchr(buf, '\n', len);
	char hex[SHA256_HEXLEN];
	size_t first, m = strlen(EMIT_HEADER_MARK);

	if (nl == NULL || len < m || memcmp(buf, EMIT_HEADER_MARK, m) != 0)
		return 0;
	first = (size_t)(nl - buf);
	if (first < m + SEAL_LEN || memcmp(nl - SEAL_LEN, SEAL_PREFIX,
	    sizeof(SEAL_PREFIX) - 1) != 0)
		return 0;
	sha256_hex(nl + 1, len - first - 1, hex);
	return memcmp(nl - 64, hex, 64) == 0;
}

/*
 * Whether NAME in dir is a symlink whose target, fully resolved, is inside
 * dir: how the kubelet lays out a ConfigMap volume (NAME -> ..data/NAME,
 * ..data -> ..2026_01_02_...). Only readers follow such links.
 */
static int
link_inside(const char *dir, const char *name)
{
	char *base = NULL, *full = NULL, *target = NULL;
	size_t n;
	int r = 0;

	if ((base = realpath(dir, NULL)) == NULL ||
	    asprintf(&full, "%s/%s", dir, name) < 0) {
		full = NULL;
		goto out;
	}
	if ((target = realpath(full, NULL)) == NULL)
		goto out;
	n = strlen(base);
	r = strncmp(target, base, n) == 0 && (target[n] == '/' ||
	    (n == 1 && base[0] == '/'));
out:
	free(base);
	free(full);
	free(target);
	return r;
}

/*
 * Read the regular file NAME in the directory dfd, never blocking on a
 * FIFO, and never through a symlink unless follow is set and the link
 * stays inside dir. *buf is NULL when the name is not such a regular file.
 * 0, or -1 on a read error (fp_error).
 */
static int
read_at(int dfd, const char *dir, const char *name, int follow, char **buf,
    size_t *len)
{
	struct stat sb;
	int fd, ret;

	*buf = NULL;
	*len = 0;
	fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0 && errno == ELOOP && follow) {
		if (link_inside(dir, name))
			fd = openat(dfd, name, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
		else
			errno = ELOOP;	/* a link out of dir: not read */
	}
	if (fd < 0)
		return errno == ENOENT || errno == ELOOP ? 0 :
		    fp_error("emit: '%s/%s': %s", fp_clamp(dir, 256), name,
		    strerror(errno));
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode)) {
		close(fd);
		return 0;
	}
	ret = fp_read_fd(fd, name, EMIT_MAX_FILE, buf, len);
	close(fd);
	return ret;
}

int
emit_file_is_ours(const char *path)
{
	char *buf = NULL;
	size_t len;
	int fd, r = 0;

	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)) < 0)
		return 0;
	if (fp_read_fd(fd, path, EMIT_MAX_FILE, &buf, &len) == 0)
		r = emit_text_is_ours(buf, len);
	else
		fp_error_clear();
	close(fd);
	free(buf);
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

/* follow: read through symlinks that stay inside dir (never to write). */
static int
compare_at(const struct emit_result *r, int dfd, const char *dir, int follow,
    struct emit_cmp **out, size_t *nout)
{
	struct emit_cmp *v = NULL;
	size_t n = 0, cap = 0, i, oldlen;
	DIR *d = NULL;
	struct dirent *de;
	struct stat sb;
	char *old = NULL, *file;
	const struct emit_doc *doc;
	enum emit_change ch;
	int fd, ret = -1;

	*out = NULL;
	*nout = 0;
	/* What emit would write, against what is there. */
	for (i = 0; i < r->ndocs; i++) {
		doc = &r->docs[i];
		old = NULL;
		oldlen = 0;
		if (doc->settled && doc->text == NULL) {
			/* compared while rendered (emit_settle) */
			ch = (enum emit_change)(doc->settled - 1);
		} else if (dfd < 0 || fstatat(dfd, doc->file, &sb,
		    AT_SYMLINK_NOFOLLOW) < 0) {
			if (dfd >= 0 && errno != ENOENT) {
				fp_error("emit: '%s/%s': %s", fp_clamp(dir, 256),
				    doc->file, strerror(errno));
				goto out;
			}
			ch = EMIT_ADDED;
		} else if (!S_ISREG(sb.st_mode) && !(S_ISLNK(sb.st_mode) && follow)) {
			ch = EMIT_CLASH;
		} else {
			if (read_at(dfd, dir, doc->file, follow, &old, &oldlen) < 0)
				goto out;
			/* identical to a sealed rendering: sealed (see
			 * emit_settle) */
			if (old != NULL && oldlen == doc->len &&
			    memcmp(old, doc->text, oldlen) == 0)
				ch = EMIT_UNCHANGED;
			else if (old == NULL || !emit_text_is_ours(old, oldlen))
				ch = EMIT_CLASH;
			else
				ch = EMIT_CHANGED;
			if (ch != EMIT_CHANGED) {
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
	if (dfd < 0)
		goto sorted;
	if ((fd = dup(dfd)) < 0 || (d = fdopendir(fd)) == NULL) {
		if (fd >= 0)
			close(fd);
		fp_error("emit: '%s': %s", fp_clamp(dir, 256), strerror(errno));
		goto out;
	}
	rewinddir(d);
	while ((de = readdir(d)) != NULL) {
		if (!emit_is_yaml_name(de->d_name) ||
		    is_doc_file(v, r->ndocs, de->d_name))
			continue;
		if (read_at(dfd, dir, de->d_name, follow, &old, &oldlen) < 0)
			goto out;
		if (old == NULL)
			continue;	/* not a regular file: not ours */
		if (emit_text_is_ours(old, oldlen)) {
			ch = EMIT_REMOVED;
		} else {
			free(old);
			old = NULL;
			oldlen = 0;
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
	return ret;
}

/* The directory, opened for *at calls; -1 with errno ENOENT if missing. */
static int
open_dir(const char *dir)
{
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (dfd < 0 && errno != ENOENT)
		fp_error("emit: '%s': %s", fp_clamp(dir, 256), strerror(errno));
	return dfd;
}

/*
 * read_at into the sink's one buffer, kept between files: a fresh 64 KiB
 * malloc per file costs more than the read on a heap the rendering has
 * fragmented (a quarter of a rerun's time at 5,000 files).
 */
static int
read_reuse(struct emit_sink *s, const char *name, char **buf, size_t *len)
{
	struct stat sb;
	size_t need;
	ssize_t r;
	char *nb;
	int fd, ret = -1;

	*buf = NULL;
	*len = 0;
	fd = openat(s->dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0 && errno == ELOOP && s->follow) {
		if (link_inside(s->dir, name))
			fd = openat(s->dfd, name, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
		else
			errno = ELOOP;	/* a link out of dir: not read */
	}
	if (fd < 0)
		return errno == ENOENT || errno == ELOOP ? 0 :
		    fp_error("emit: '%s/%s': %s", fp_clamp(s->dir, 256), name,
		    strerror(errno));
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode)) {
		close(fd);
		return 0;
	}
	if ((size_t)sb.st_size > EMIT_MAX_FILE) {
		fp_error("'%s': larger than the limit of %zu bytes", name,
		    (size_t)EMIT_MAX_FILE);
		goto out;
	}
	/* one byte more than its size: a file grown since fstat shows */
	need = (size_t)sb.st_size + 2;
	if (need > s->bufcap) {
		if ((nb = realloc(s->buf, need)) == NULL) {
			fp_error("emit: out of memory");
			goto out;
		}
		s->buf = nb;
		s->bufcap = need;
	}
	while (*len < s->bufcap - 1) {
		r = read(fd, s->buf + *len, s->bufcap - 1 - *len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			fp_error("emit: '%s/%s': %s", fp_clamp(s->dir, 256), name,
			    strerror(errno));
			goto out;
		}
		if (r == 0)
			break;
		*len += (size_t)r;
	}
	if (*len == s->bufcap - 1) {
		/* it grew while read: the slow way, every byte */
		close(fd);
		free(s->grown);
		s->grown = NULL;
		return read_at(s->dfd, s->dir, name, s->follow, &s->grown, len) < 0 ?
		    -1 : (*buf = s->grown, 0);
	}
	s->buf[*len] = '\0';
	*buf = s->buf;
	ret = 0;
out:
	close(fd);
	return ret;
}

int
emit_sink_open(struct emit_sink *s)
{
	s->dfd = open_dir(s->dir);
	return s->dfd < 0 && errno != ENOENT ? -1 : 0;
}

void
emit_sink_close(struct emit_sink *s)
{
	if (s->dfd >= 0)
		close(s->dfd);
	s->dfd = -1;
	free(s->buf);
	free(s->grown);
	s->buf = s->grown = NULL;
	s->bufcap = 0;
}

int
emit_settle(struct emit_sink *s, struct emit_doc *d, int version)
{
	struct stat sb;
	char *old = NULL, tmp[512];
	size_t oldlen = 0;
	enum emit_change ch;
	int fd, ret = -1;

	/* As compare_at decides for one document. */
	if (s->dfd < 0 || fstatat(s->dfd, d->file, &sb, AT_SYMLINK_NOFOLLOW) < 0) {
		if (s->dfd >= 0 && errno != ENOENT)
			return fp_error("emit: '%s/%s': %s", fp_clamp(s->dir, 256),
			    d->file, strerror(errno));
		ch = EMIT_ADDED;
	} else if (!S_ISREG(sb.st_mode) && !(S_ISLNK(sb.st_mode) && s->follow)) {
		ch = EMIT_CLASH;
	} else {
		if (read_reuse(s, d->file, &old, &oldlen) < 0)
			return -1;
		/*
		 * The same bytes as the document just rendered and sealed
		 * carry a valid seal too: only a file that differs needs its
		 * own digest checked, which halves a rerun's SHA-256 work.
		 */
		if (old != NULL && oldlen == d->len &&
		    memcmp(old, d->text, oldlen) == 0)
			ch = EMIT_UNCHANGED;
		else if (old == NULL || !emit_text_is_ours(old, oldlen))
			ch = EMIT_CLASH;
		else
			ch = EMIT_CHANGED;
	}
	d->settled = 1 + (int)ch;
	if (ch == EMIT_UNCHANGED) {
		/* Nothing is written for it: neither checked again nor kept. */
		free(d->text);
		d->text = NULL;
		return 0;
	}
	if (emit_check_doc(d, version) < 0)
		return -1;
	if (ch == EMIT_CLASH)
		s->clash = 1;	/* emit_write refuses the run: write no more */
	if (!s->write || s->clash)
		return 0;
	/* The directory is made when the first file is written to it. */
	if (s->dfd < 0 && (fp_mkdirs(s->dir) < 0 ||
	    (s->dfd = open_dir(s->dir)) < 0))
		return -1;
	if ((fd = fp_tmpfile_at(s->dfd, d->file, 0644, tmp, sizeof(tmp))) < 0)
		return -1;
	if (fp_write_all(fd, d->text, d->len) < 0 || fsync(fd) < 0) {
		fp_error("emit: '%s/%s': %s; nothing was changed",
		    fp_clamp(s->dir, 256), d->file, strerror(errno));
		close(fd);
		goto fail;
	}
	if (close(fd) < 0) {
		fp_error("emit: '%s/%s': %s; nothing was changed",
		    fp_clamp(s->dir, 256), d->file, strerror(errno));
		goto fail;
	}
	if ((d->tmp = strdup(tmp)) == NULL) {
		fp_error("emit: out of memory");
		goto fail;
	}
	free(d->text);
	d->text = NULL;
	return 0;
fail:
	unlinkat(s->dfd, tmp, 0);
	return ret;
}

void
emit_drop_temps(const struct emit_result *r, const char *dir)
{
	size_t i;
	int dfd = -1;

	for (i = 0; i < r->ndocs; i++) {
		if (r->docs[i].tmp == NULL)
			continue;
		if (dfd < 0 && (dfd = open(dir, O_RDONLY | O_DIRECTORY |
		    O_CLOEXEC)) < 0)
			return;
		unlinkat(dfd, r->docs[i].tmp, 0);
	}
	if (dfd >= 0)
		close(dfd);
}

int
emit_compare(const struct emit_result *r, const char *dir,
    struct emit_cmp **out, size_t *nout)
{
	int dfd = open_dir(dir), ret;

	if (dfd < 0 && errno != ENOENT)
		return -1;
	ret = compare_at(r, dfd, dir, 1, out, nout);
	if (dfd >= 0)
		close(dfd);
	return ret;
}

/* Remove the temporary files of a run that did not finish. */
static void
drop_temps(int dfd, char (*tmp)[512], size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (tmp[i][0] != '\0')
			unlinkat(dfd, tmp[i], 0);
}

int
emit_write(const struct emit_result *r, const char *dir, size_t *removed)
{
	struct emit_cmp *c = NULL;
	char (*tmp)[512] = NULL;
	size_t i, n = 0, nrm = 0;
	int dfd = -1, fd, ret = -1;

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
	if (fp_mkdirs(dir) < 0 || (dfd = open_dir(dir)) < 0) {
		emit_drop_temps(r, dir);
		return -1;
	}
	/* A writer never follows a symlink: one at a policy's name clashes. */
	if (compare_at(r, dfd, dir, 0, &c, &n) < 0)
		goto fail;
	/* Refuse before writing anything if a file we would write is not
	 * ours: it may be a hand-written policy under review. */
	for (i = 0; i < n; i++) {
		if (c[i].change == EMIT_CLASH) {
			fp_error("emit: '%s/%s': exists and was not written by "
			    "flowpol (no valid content digest in its header); "
			    "move it away or choose another --out",
			    fp_clamp(dir, 256), c[i].file);
			goto fail;
		}
	}
	if ((tmp = calloc(n ? n : 1, sizeof(*tmp))) == NULL) {
		fp_error("emit: out of memory");
		goto fail;
	}
	/*
	 * 1. The whole new set, each file under a fresh hidden name created
	 * with O_EXCL|O_NOFOLLOW (nothing planted is written through) and
	 * fsync'd. A failure here (disk full) removes them: the old set stays
	 * whole. Unchanged files are not rewritten: their mtime stays, which
	 * keeps make-style tooling and reviewers' editors quiet.
	 */
	for (i = 0; i < n; i++) {
		if (c[i].change != EMIT_ADDED && c[i].change != EMIT_CHANGED)
			continue;
		if (c[i].doc->tmp != NULL) {
			/* written while rendered (emit_settle) */
			if (strlen(c[i].doc->tmp) >= sizeof(tmp[i])) {
				fp_error("emit: temporary name too long");
				goto fail;
			}
			memcpy(tmp[i], c[i].doc->tmp, strlen(c[i].doc->tmp) + 1);
			continue;
		}
		if (c[i].doc->text == NULL) {
			fp_error("emit: '%s/%s': changed since it was compared",
			    fp_clamp(dir, 256), c[i].file);
			goto fail;
		}
		if ((fd = fp_tmpfile_at(dfd, c[i].file, 0644, tmp[i],
		    sizeof(tmp[i]))) < 0) {
			tmp[i][0] = '\0';
			goto fail;
		}
		if (fp_write_all(fd, c[i].doc->text, c[i].doc->len) < 0 ||
		    fsync(fd) < 0) {
			fp_error("emit: '%s/%s': %s; nothing was changed",
			    fp_clamp(dir, 256), c[i].file, strerror(errno));
			close(fd);
			goto fail;
		}
		if (close(fd) < 0) {
			fp_error("emit: '%s/%s': %s; nothing was changed",
			    fp_clamp(dir, 256), c[i].file, strerror(errno));
			goto fail;
		}
	}
	/* 2. Then into place: rename replaces a name, never follows it. */
	for (i = 0; i < n; i++) {
		if (tmp[i][0] == '\0')
			continue;
		if (renameat(dfd, tmp[i], dfd, c[i].file) < 0) {
			fp_error("emit: '%s/%s': %s", fp_clamp(dir, 256), c[i].file,
			    strerror(errno));
			goto fail;
		}
		tmp[i][0] = '\0';
	}
	if (fsync(dfd) < 0 && errno != EINVAL) {
		fp_error("emit: '%s': %s", fp_clamp(dir, 256), strerror(errno));
		goto out;
	}
	/* 3. Stale files go last, once the new set is in place. */
	for (i = 0; i < n; i++) {
		if (c[i].change != EMIT_REMOVED)
			continue;
		if (unlinkat(dfd, c[i].file, 0) < 0) {
			fp_error("emit: removing stale '%s/%s': %s",
			    fp_clamp(dir, 256), c[i].file, strerror(errno));
			goto out;
		}
		nrm++;
	}
	if (removed != NULL)
		*removed = nrm;
	ret = 0;
	goto out;
fail:
	if (tmp != NULL)
		drop_temps(dfd, tmp, n);
	/* and those written while rendered (renamed ones are gone) */
	for (i = 0; i < r->ndocs; i++)
		if (r->docs[i].tmp != NULL)
			unlinkat(dfd, r->docs[i].tmp, 0);
out:
	emit_cmp_free(c, n);
	free(tmp);
	if (dfd >= 0)
		close(dfd);
	return ret;
}
