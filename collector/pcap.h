#ifndef FLOWPOL_PCAP_H
#define FLOWPOL_PCAP_H

#include <stddef.h>
#include <stdint.h>

#include "common/sha256.h"

/*
 * A reader of classic pcap files of link type LINKTYPE_NFLOG (239), as
 * `tcpdump -i nflog:N -w FILE` writes them: either byte order, microsecond
 * or nanosecond timestamps. The file is mapped read-only; record data
 * pointers stay valid until pcap_free().
 */

#define PCAP_LINKTYPE_NFLOG 239
/* Bytes of a record header; a record's data follows it. */
#define PCAP_RECHDR 16

struct pcap_reader;

/* Open and check the file header. 0 or -1 (fp_error naming the file). */
int pcap_open(struct pcap_reader **out, const char *path);

/*
 * The next record: its data, captured length, time (unix µs) and the byte
 * offset of its record header in the file. Returns 1 for a record, 0 at the
 * end of the file, -1 for a truncated or corrupt record (fp_error naming the
 * file and byte offset).
 */
int pcap_next(struct pcap_reader *r, const uint8_t **data, size_t *len,
    int64_t *ts_us, size_t *offset);

/*
 * DECODE_SWAP_TLV when the NFLOG attribute headers must be swapped: they are
 * in the byte order of the file, which is that of the capturing machine.
 */
int pcap_decode_flags(const struct pcap_reader *r);

const char *pcap_path(const struct pcap_reader *r);

/*
 * What identifies a capture already replayed: the SHA-256 of the whole
 * file, streamed over the mapping (one read of the file before the replay
 * reads it again), as 64 hex digits.
 */
void pcap_fingerprint(const struct pcap_reader *r, char hex[SHA256_HEXLEN]);
/*
 * The fingerprint of flowpol 0.x markers: FNV-1a of the first and last MiB.
 * Blind to a change in the middle, so only used to say that an older
 * flowpol marked the capture, never to skip it silently.
 */
uint64_t pcap_fingerprint_v1(const struct pcap_reader *r);
size_t pcap_size(const struct pcap_reader *r);

/* Unmap and free; NULL does nothing. */
void pcap_free(struct pcap_reader *r);

#endif
