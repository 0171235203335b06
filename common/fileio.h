#ifndef FLOWPOL_FILEIO_H
#define FLOWPOL_FILEIO_H

#include <stddef.h>

/*
 * Read a whole file ("-" is stdin) into a malloc'd buffer with a NUL after
 * the last byte; the caller frees *buf. Refuses files larger than max bytes
 * (a hard cap on untrusted input). 0 or -1 (fp_error naming the file).
 */
int fp_read_file(const char *path, size_t max, char **buf, size_t *len);

/* Like fp_read_file on an open descriptor; name is for messages. */
int fp_read_fd(int fd, const char *name, size_t max, char **buf, size_t *len);

/* write(2) until done; 0 or -1 (errno set). */
int fp_write_all(int fd, const void *data, size_t len);

/*
 * Create a new file ".BASE.flowpol-XXXXXXXX" (random) in the directory dfd
 * with O_CREAT|O_EXCL|O_NOFOLLOW: never an existing file, never through a
 * symlink planted at the name. Its name goes to name; returns the open
 * descriptor (write only) or -1 (fp_error). Hidden, so a leftover is not
 * taken for a policy file.
 */
int fp_tmpfile_at(int dfd, const char *base, int mode, char *name, size_t size);

/*
 * Write data to path atomically: a temporary file created by
 * fp_tmpfile_at in the same directory, fsync'd, then renamed over path
 * (which replaces a symlink there, never its target). 0 or -1 (fp_error).
 */
int fp_write_file_atomic(const char *path, const void *data, size_t len,
    int mode);

/* mkdir -p with mode 0755; 0 or -1 (fp_error). */
int fp_mkdirs(const char *path);

#endif
