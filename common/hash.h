#ifndef FLOWPOL_HASH_H
#define FLOWPOL_HASH_H

#include <stddef.h>
#include <stdint.h>

#define FP_FNV64_INIT 0xcbf29ce484222325ULL

/*
 * FNV-1a, 64 bits: stable across runs and machines, so it may name files
 * and go into output (digests, short name suffixes). Not for security.
 * fp_fnv1a64_add continues a hash over more bytes.
 */
uint64_t fp_fnv1a64_add(uint64_t h, const void *p, size_t n);

static inline uint64_t
fp_fnv1a64(const void *p, size_t n)
{
	return fp_fnv1a64_add(FP_FNV64_INIT, p, n);
}

#endif
