#ifndef FLOWPOL_FILEIO_H
#define FLOWPOL_FILEIO_H

#include <stddef.h>

/*
 * Read a whole file ("-" is stdin) into a malloc'd buffer with a NUL after
 * the last byte; the caller frees *buf. Refuses files larger than max bytes
 * (a hard cap on untrusted input). 0 or -1 (fp_error naming the file).
 */
int fp_read_file(const char *path, size_t max, char **buf, size_t *len);

/*
 * Write data to path atomically: a temporary file in the same directory,
 * fsync'd, then renamed over path. 0 or -1 (fp_error).
 */
int fp_write_file_atomic(const char *path, const void *data, size_t len,
    int mode);

/* mkdir -p with mode 0755; 0 or -1 (fp_error). */
int fp_mkdirs(const char *path);

#endif
