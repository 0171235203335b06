#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/err.h"
#include "common/fileio.h"
#include "common/banned.h"

int
fp_read_file(const char *path, size_t max, char **buf, size_t *len)
{
	int fd, is_stdin = strcmp(path, "-") == 0, ret;

	*buf = NULL;
	*len = 0;
	fd = is_stdin ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return fp_error("'%s': %s", fp_clamp(path, 200), strerror(errno));
	ret = fp_read_fd(fd, path, max, buf, len);
	if (!is_stdin)
		close(fd);
	return ret;
}

int
fp_read_fd(int fd, const char *name, size_t max, char **buf, size_t *len)
{
	size_t cap = 65536, n = 0;
	char *b = NULL, *nb;
	ssize_t r;

	*buf = NULL;
	*len = 0;
	if ((b = malloc(cap + 1)) == NULL)
		return fp_error("'%s': out of memory", fp_clamp(name, 200));
	for (;;) {
		if (n == cap) {
			if (cap > max)
				goto big;
			cap *= 2;
			if ((nb = realloc(b, cap + 1)) == NULL) {
				free(b);
				return fp_error("'%s': out of memory", fp_clamp(name, 200));
			}
			b = nb;
		}
		r = read(fd, b + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			free(b);
			return fp_error("'%s': %s", fp_clamp(name, 200), strerror(errno));
		}
		if (r == 0)
			break;
		n += (size_t)r;
		if (n > max)
			goto big;
	}
	b[n] = '\0';
	*buf = b;
	*len = n;
	return 0;
big:
	free(b);
	return fp_error("'%s': larger than the limit of %zu bytes",
	    fp_clamp(name, 200), max);
}

int
fp_write_all(int fd, const void *data, size_t len)
{
	const char *p = data;
	ssize_t w;

	while (len > 0) {
		w = write(fd, p, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

int
fp_tmpfile_at(int dfd, const char *base, int mode, char *name, size_t size)
{
	static const char abc[] = "abcdefghijklmnopqrstuvwxyz0123456789";
	unsigned char rnd[8];
	int fd, tries, i, n;

	for (tries = 0; tries < 100; tries++) {
		if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
			return fp_error("'%s': no randomness: %s",
			    fp_clamp(base, 200), strerror(errno));
		n = snprintf(name, size, ".%s.flowpol-", base);
		if (n < 0 || (size_t)n + sizeof(rnd) >= size)
			return fp_error("'%s': name too long", fp_clamp(base, 200));
		for (i = 0; i < (int)sizeof(rnd); i++)
			name[n + i] = abc[rnd[i] % (sizeof(abc) - 1)];
		name[n + (int)sizeof(rnd)] = '\0';
		/* Never through a symlink, never an existing file. */
		fd = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
		    O_CLOEXEC, mode);
		if (fd >= 0)
			return fd;
		if (errno != EEXIST)
			return fp_error("'%s': %s", fp_clamp(name, 200),
			    strerror(errno));
	}
	return fp_error("'%s': cannot find a free temporary name",
	    fp_clamp(base, 200));
}

int
fp_write_file_atomic(const char *path, const void *data, size_t len, int mode)
{
	char dir[4096], tmp[512];
	const char *slash = strrchr(path, '/'), *base;
	int dfd = -1, fd = -1, n, ret = -1;

	if (slash == NULL) {
		n = snprintf(dir, sizeof(dir), ".");
		base = path;
	} else {
		n = snprintf(dir, sizeof(dir), "%.*s", slash == path ? 1 :
		    (int)(slash - path), path);
		base = slash + 1;
	}
	if (n < 0 || (size_t)n >= sizeof(dir) || *base == '\0')
		return fp_error("'%s': bad file path", fp_clamp(path, 200));
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return fp_error("'%s': %s", fp_clamp(dir, 200), strerror(errno));
	if ((fd = fp_tmpfile_at(dfd, base, mode, tmp, sizeof(tmp))) < 0)
		goto out;
	if (fp_write_all(fd, data, len) < 0 || fsync(fd) < 0) {
		fp_error("'%s': %s", fp_clamp(path, 200), strerror(errno));
		goto out;
	}
	if (close(fd) < 0) {
		fd = -1;
		fp_error("'%s': %s", fp_clamp(path, 200), strerror(errno));
		goto out;
	}
	fd = -1;
	/* rename replaces the name itself, never what a symlink points to. */
	if (renameat(dfd, tmp, dfd, base) < 0) {
		fp_error("'%s': %s", fp_clamp(path, 200), strerror(errno));
		goto out;
	}
	tmp[0] = '\0';
	ret = 0;
out:
	if (fd >= 0)
		close(fd);
	if (ret < 0 && tmp[0] != '\0')
		unlinkat(dfd, tmp, 0);
	close(dfd);
	return ret;
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
