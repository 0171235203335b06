#ifndef FLOWPOL_SHA256_H
#define FLOWPOL_SHA256_H

#include <stddef.h>
#include <stdint.h>

/*
 * SHA-256 (FIPS 180-4), streamed: init, update as often as needed, final.
 * Checked against the FIPS 180-4 / NIST CAVP example vectors in
 * tests/test_common.c. Used where flowpol must tell files apart by content
 * (a capture already replayed, a file flowpol wrote).
 */
#define SHA256_LEN 32
#define SHA256_HEXLEN (2 * SHA256_LEN + 1)

struct sha256 {
	uint32_t h[8];
	uint64_t bytes;		/* message length so far */
	uint8_t buf[64];
	size_t nbuf;
};

void sha256_init(struct sha256 *c);
void sha256_update(struct sha256 *c, const void *data, size_t len);
/* Write the digest; c must be initialized again before reuse. */
void sha256_final(struct sha256 *c, uint8_t out[SHA256_LEN]);
/* The digest of data as 64 lower-case hex digits and a NUL. */
void sha256_hex(const void *data, size_t len, char out[SHA256_HEXLEN]);
/* Lower-case hex of a digest. */
void sha256_tohex(const uint8_t d[SHA256_LEN], char out[SHA256_HEXLEN]);
/*
 * Whether the CPU's SHA instructions do the rounds (1 when present and
 * not turned off). sha256_portable(1) turns them off, so a test checks the
 * portable rounds on a machine that has the instructions.
 */
int sha256_accelerated(void);
void sha256_portable(int on);

#endif
