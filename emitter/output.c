#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "emitter/emit.h"
#include "common/err.h"
#include "common/fileio.h"
#include "common/banned.h"

/* Whether path is a file flowpol wrote: its first line is our mark. */
static int
ours(const char *path)
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
is_yaml(const char *name)
{
	size_t n = strlen(name);

	return (n > 5 && strcmp(name + n - 5, ".yaml") == 0) ||
	    (n > 4 && strcmp(name + n - 4, ".yml") == 0);
}

/* Whether path holds exactly data (then it is not rewritten: its mtime
 * stays, which keeps make-style tooling and reviewers' editors quiet). */
static int
same_content(const char *path, const char *data, size_t len)
{
	char *buf = NULL;
	size_t n;
	int r;

	if (fp_read_file(path, len + 1, &buf, &n) < 0) {
		fp_error_clear();
		return 0;
	}
	r = n == len && memcmp(buf, data, len) == 0;
	free(buf);
	return r;
}

static int
wanted(const struct emit_result *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->ndocs; i++)
		if (strcmp(r->docs[i].file, name) == 0)
			return 1;
	return 0;
}

int
emit_write(const struct emit_result *r, const char *dir, size_t *removed)
{
	DIR *d = NULL;
	struct dirent *de;
	struct stat sb;
	char *path = NULL;
	char **stale = NULL;
	size_t i, nstale = 0, nrm = 0;
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
	if (fp_mkdirs(dir) < 0)
		return -1;
	/* Refuse before writing anything if a file we would write is not
	 * ours: it may be a hand-written policy under review. */
	for (i = 0; i < r->ndocs; i++) {
		free(path);
		if (asprintf(&path, "%s/%s", dir, r->docs[i].file) < 0) {
			path = NULL;
			goto oom;
		}
		if (lstat(path, &sb) == 0 && (!S_ISREG(sb.st_mode) || !ours(path))) {
			fp_error("emit: '%s': exists and was not written by flowpol; "
			    "move it away or choose another --out", path);
			goto out;
		}
	}
	if ((d = opendir(dir)) == NULL) {
		fp_error("emit: '%s': %s", dir, strerror(errno));
		goto out;
	}
	while ((de = readdir(d)) != NULL) {
		char **v;

		if (!is_yaml(de->d_name) || wanted(r, de->d_name))
			continue;
		free(path);
		if (asprintf(&path, "%s/%s", dir, de->d_name) < 0) {
			path = NULL;
			goto oom;
		}
		if (lstat(path, &sb) < 0 || !S_ISREG(sb.st_mode) || !ours(path))
			continue;
		if ((v = realloc(stale, (nstale + 1) * sizeof(*v))) == NULL)
			goto oom;
		stale = v;
		stale[nstale++] = path;
		path = NULL;
	}
	for (i = 0; i < r->ndocs; i++) {
		free(path);
		if (asprintf(&path, "%s/%s", dir, r->docs[i].file) < 0) {
			path = NULL;
			goto oom;
		}
		if (same_content(path, r->docs[i].text, r->docs[i].len))
			continue;
		if (fp_write_file_atomic(path, r->docs[i].text, r->docs[i].len,
		    0644) < 0)
			goto out;
	}
	/* Stale files go last: a failed run leaves the old set whole. */
	for (i = 0; i < nstale; i++) {
		if (unlink(stale[i]) < 0) {
			fp_error("emit: removing stale '%s': %s", stale[i],
			    strerror(errno));
			goto out;
		}
		nrm++;
	}
	if (removed != NULL)
		*removed = nrm;
	ret = 0;
	goto out;
oom:
	fp_error("emit: out of memory");
out:
	if (d != NULL)
		closedir(d);
	for (i = 0; i < nstale; i++)
		free(stale[i]);
	free(stale);
	free(path);
	return ret;
}
