#ifndef FLOWPOL_DECODE_H
#define FLOWPOL_DECODE_H

#include <stddef.h>
#include <stdint.h>

/*
 * Decoding of one NFLOG event: the nfgenmsg header and its attributes (as
 * the kernel sends them and as LINKTYPE_NFLOG captures store them), then
 * the IPv4/IPv6 packet and its transport header. Every field is bounds
 * checked; nothing is allocated, nothing is kept: the event only holds
 * copies of the few bytes the aggregation needs.
 */

/* What one event turned out to be. */
enum decode_result {
	DECODE_OK = 0,		/* a flow key was filled in */
	DECODE_MALFORMED,	/* lengths or fields that lie; reason in *why */
	DECODE_FRAGMENT,	/* a non-first fragment: no transport header */
	DECODE_UNSUPPORTED	/* not IP, or an IP protocol we do not key on */
};

struct decode_event {
	uint8_t family;		/* 4 or 6 */
	uint8_t proto;		/* IP protocol of the transport header */
	uint16_t dport;		/* port, or ICMP type * 256 + code, else 0 */
	uint8_t src[16];	/* network order; IPv4 uses the first 4 bytes */
	uint8_t dst[16];
	int64_t ts_us;		/* NFULA_TIMESTAMP, or -1 when absent */
	uint32_t seq;		/* NFULA_SEQ when has_seq */
	uint8_t has_seq;
};

/*
 * Flags for decode_nflog: the attribute headers (length, type) are in host
 * order on the capturing machine; in a capture written on a machine of the
 * other byte order they must be swapped. Values are always network order.
 */
#define DECODE_SWAP_TLV 0x1

/*
 * Decode an NFLOG event that starts at the 4-byte nfgenmsg header (family,
 * version, resource id) followed by attributes padded to 4 bytes. On
 * DECODE_MALFORMED *why names the field and *where its offset from msg
 * (static strings, never freed). ev->ts_us / has_seq are set even for events
 * whose packet is not decoded, so loss and time accounting still work.
 */
enum decode_result decode_nflog(const uint8_t *msg, size_t len, int flags,
    struct decode_event *ev, const char **why, size_t *where);

/*
 * Decode an IP packet (the NFULA_PAYLOAD) into ev's family, addresses,
 * proto and dport. Same result and *why / *where conventions.
 */
enum decode_result decode_packet(const uint8_t *pkt, size_t len,
    struct decode_event *ev, const char **why, size_t *where);

#endif
