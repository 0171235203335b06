#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/err.h"
#include "common/fileio.h"
#include "common/banned.h"

int
fp_read_file(const char *path, size_t max, char **buf, size_t *len)
{
	int fd, is_stdin = strcmp(path, "-") == 0;
	size_t cap = 65536, n = 0;
	char *b = NULL, *nb;
	ssize_t r;
	int ret = -1;

	*buf = NULL;
	*len = 0;
	fd = is_stdin ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return fp_error("'%s': %s", fp_clamp(path, 200), strerror(errno));
	if ((b = malloc(cap + 1)) == NULL) {
		fp_error("'%s': out of memory", fp_clamp(path, 200));
		goto out;
	}
	for (;;) {
		if (n == cap) {
			if (cap > max) {
				fp_error("'%s': larger than the limit of %zu bytes",
				    fp_clamp(path, 200), max);
				goto out;
			}
			cap *= 2;
			if ((nb = realloc(b, cap + 1)) == NULL) {
				fp_error("'%s': out of memory", fp_clamp(path, 200));
				goto out;
			}
			b = nb;
		}
		r = read(fd, b + n, cap - n);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			fp_error("'%s': %s", fp_clamp(path, 200), strerror(errno));
			goto out;
		}
		if (r == 0)
			break;
		n += (size_t)r;
		if (n > max) {
			fp_error("'%s': larger than the limit of %zu bytes",
			    fp_clamp(path, 200), max);
			goto out;
		}
	}
	b[n] = '\0';
	*buf = b;
	*len = n;
	b = NULL;
	ret = 0;
out:
	free(b);
	if (!is_stdin)
		close(fd);
	return ret;
}

int
fp_write_file_atomic(const char *path, const void *data, size_t len, int mode)
{
	char tmp[4096];
	const char *p = data;
	int fd, n;
	ssize_t w;

	n = snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid());
	if (n < 0 || (size_t)n >= sizeof(tmp))
		return fp_error("'%s': path too long", fp_clamp(path, 200));
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0)
		return fp_error("'%s': %s", fp_clamp(tmp, 200), strerror(errno));
	while (len > 0) {
		w = write(fd, p, len);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		p += w;
		len -= (size_t)w;
	}
	if (fsync(fd) < 0 || close(fd) < 0) {
		fd = -1;
		goto fail;
	}
	if (rename(tmp, path) < 0) {
		fp_error("'%s': %s", fp_clamp(path, 200), strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
fail:
	fp_error("'%s': %s", fp_clamp(tmp, 200), strerror(errno));
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	return -1;
}

int
fp_mkdirs(const char *path)
{
	char buf[4096];
	size_t i, n = strlen(path);

	if (n == 0 || n >= sizeof(buf))
		return fp_error("'%s': bad directory path", fp_clamp(path, 200));
	memcpy(buf, path, n + 1);
	for (i = 1; i <= n; i++) {
		if (buf[i] != '/' && buf[i] != '\0')
			continue;
		buf[i] = '\0';
		if (mkdir(buf, 0755) < 0 && errno != EEXIST)
			return fp_error("'%s': %s", fp_clamp(buf, 200), strerror(errno));
		buf[i] = path[i];
	}
	return 0;
}
