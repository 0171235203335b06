#include <stdint.h>
#include <string.h>

#include "collector/decode.h"
#include "common/proto.h"
#include "common/banned.h"

/*
 * Attribute types of NFLOG packet messages (linux/netfilter/nfnetlink_log.h).
 * Written out here so that the decoder, the pcap reader and the fuzzers do
 * not depend on which kernel headers are installed.
 */
enum {
	NFULA_PACKET_HDR_ = 1,
	NFULA_TIMESTAMP_ = 3,
	NFULA_PAYLOAD_ = 9,
	NFULA_SEQ_ = 12
};
#define NLA_TYPE_MASK_ 0x3fff	/* strips NLA_F_NESTED, NLA_F_NET_BYTEORDER */
#define NFGENMSG_LEN 4
#define NLA_HDRLEN_ 4

#define ETH_P_IP_ 0x0800
#define ETH_P_IPV6_ 0x86dd

/* Deepest IPv6 extension header chain we walk before calling it malformed. */
#define IPV6_MAX_EXT 16

static uint16_t
rd16(const uint8_t *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

static uint32_t
rd32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
	    ((uint32_t)p[2] << 8) | p[3];
}

static uint64_t
rd64(const uint8_t *p)
{
	return ((uint64_t)rd32(p) << 32) | rd32(p + 4);
}

static uint16_t
rd16_host(const uint8_t *p, int swap)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return swap ? (uint16_t)((v >> 8) | (v << 8)) : v;
}

static enum decode_result
bad(const char **why, size_t *where, const char *reason, size_t off)
{
	*why = reason;
	*where = off;
	return DECODE_MALFORMED;
}

/*
 * The transport header at l4 (avail bytes captured). Only the destination
 * port (or ICMP type/code) is read; fields that are present are checked for
 * lies even when the key does not need them.
 */
static enum decode_result
decode_l4(const uint8_t *l4, size_t avail, size_t base, struct decode_event *ev,
    const char **why, size_t *where)
{
	switch (ev->proto) {
	case FP_PROTO_TCP:
		if (avail < 4)
			return bad(why, where, "tcp header truncated", base + avail);
		if (avail >= 13 && (l4[12] >> 4) < 5)
			return bad(why, where, "tcp data offset below 5 words",
			    base + 12);
		ev->dport = rd16(l4 + 2);
		return DECODE_OK;
	case FP_PROTO_UDP:
	case FP_PROTO_UDPLITE:	/* same port layout as UDP */
		if (avail < 4)
			return bad(why, where, "udp header truncated", base + avail);
		if (ev->proto == FP_PROTO_UDP && avail >= 6 && rd16(l4 + 4) < 8)
			return bad(why, where, "udp length below header size",
			    base + 4);
		ev->dport = rd16(l4 + 2);
		return DECODE_OK;
	case FP_PROTO_SCTP:
		if (avail < 4)
			return bad(why, where, "sctp header truncated", base + avail);
		ev->dport = rd16(l4 + 2);
		return DECODE_OK;
	case FP_PROTO_ICMP:
	case FP_PROTO_ICMPV6:
		if (avail < 2)
			return bad(why, where, "icmp header truncated", base + avail);
		ev->dport = (uint16_t)((l4[0] << 8) | l4[1]);
		return DECODE_OK;
	default:
		/* No port concept we could key on: counted, never guessed. */
		return DECODE_UNSUPPORTED;
	}
}

static enum decode_result
decode_ipv4(const uint8_t *p, size_t len, struct decode_event *ev,
    const char **why, size_t *where)
{
	size_t ihl, tot;
	uint16_t frag;

	if (len < 20)
		return bad(why, where, "ipv4 header truncated", len);
	ihl = (size_t)(p[0] & 0x0f) * 4;
	if (ihl < 20)
		return bad(why, where, "ipv4 header length below 20", 0);
	if (ihl > len)
		return bad(why, where, "ipv4 header length beyond the packet", 0);
	tot = rd16(p + 2);
	if (tot < ihl)
		return bad(why, where, "ipv4 total length below header length", 2);
	/* Captures hold a prefix (copy range); trailing padding is not data. */
	if (tot < len)
		len = tot;
	ev->family = 4;
	ev->proto = p[9];
	memset(ev->src, 0, sizeof(ev->src));
	memset(ev->dst, 0, sizeof(ev->dst));
	memcpy(ev->src, p + 12, 4);
	memcpy(ev->dst, p + 16, 4);
	frag = rd16(p + 6);
	if ((frag & 0x1fff) != 0)
		return DECODE_FRAGMENT;
	return decode_l4(p + ihl, len - ihl, ihl, ev, why, where);
}

static enum decode_result
decode_ipv6(const uint8_t *p, size_t len, struct decode_event *ev,
    const char **why, size_t *where)
{
	size_t off = 40, plen, hlen;
	uint8_t nh;
	int n;

	if (len < 40)
		return bad(why, where, "ipv6 header truncated", len);
	plen = rd16(p + 4);
	/* Payload length 0 means a jumbogram: the hop-by-hop option says. */
	if (plen != 0 && 40 + plen < len)
		len = 40 + plen;
	ev->family = 6;
	memcpy(ev->src, p + 8, 16);
	memcpy(ev->dst, p + 24, 16);
	nh = p[6];
	for (n = 0;; n++) {
		if (n > IPV6_MAX_EXT)
			return bad(why, where, "ipv6 extension header chain too long",
			    off);
		switch (nh) {
		case 0:		/* hop-by-hop options */
		case 43:	/* routing */
		case 60:	/* destination options */
		case 135:	/* mobility */
		case 139:	/* HIP */
		case 140:	/* shim6 */
			if (len - off < 2)
				return bad(why, where,
				    "ipv6 extension header truncated", off);
			hlen = ((size_t)p[off + 1] + 1) * 8;
			break;
		case 51:	/* authentication header: length in 4-byte words */
			if (len - off < 2)
				return bad(why, where,
				    "ipv6 authentication header truncated", off);
			hlen = ((size_t)p[off + 1] + 2) * 4;
			break;
		case 44:	/* fragment */
			if (len - off < 8)
				return bad(why, where,
				    "ipv6 fragment header truncated", off);
			if ((rd16(p + off + 2) & 0xfff8) != 0) {
				ev->proto = p[off];
				return DECODE_FRAGMENT;
			}
			hlen = 8;
			break;
		default:
			ev->proto = nh;
			return decode_l4(p + off, len - off, off, ev, why, where);
		}
		if (hlen > len - off)
			return bad(why, where,
			    "ipv6 extension header length beyond the packet", off + 1);
		nh = p[off];
		off += hlen;
	}
}

enum decode_result
decode_packet(const uint8_t *pkt, size_t len, struct decode_event *ev,
    const char **why, size_t *where)
{
	ev->dport = 0;
	ev->proto = 0;
	if (len < 1)
		return bad(why, where, "empty packet", 0);
	switch (pkt[0] >> 4) {
	case 4:
		return decode_ipv4(pkt, len, ev, why, where);
	case 6:
		return decode_ipv6(pkt, len, ev, why, where);
	default:
		return bad(why, where, "ip version is neither 4 nor 6", 0);
	}
}

enum decode_result
decode_nflog(const uint8_t *msg, size_t len, int flags, struct decode_event *ev,
    const char **why, size_t *where)
{
	const uint8_t *payload = NULL;
	size_t off, alen, plen = 0, poff = 0;
	uint16_t type, hwproto = 0;
	int swap = (flags & DECODE_SWAP_TLV) != 0;
	enum decode_result r;

	ev->ts_us = -1;
	ev->has_seq = 0;
	ev->family = 0;
	if (len < NFGENMSG_LEN)
		return bad(why, where, "nflog header truncated", len);
	for (off = NFGENMSG_LEN; off < len;) {
		if (len - off < NLA_HDRLEN_)
			return bad(why, where, "nflog attribute header truncated",
			    off);
		alen = rd16_host(msg + off, swap);
		type = rd16_host(msg + off + 2, swap) & NLA_TYPE_MASK_;
		if (alen < NLA_HDRLEN_)
			return bad(why, where, "nflog attribute length below 4",
			    off);
		if (alen > len - off)
			return bad(why, where,
			    "nflog attribute length beyond the message", off);
		switch (type) {
		case NFULA_PACKET_HDR_:
			if (alen < NLA_HDRLEN_ + 4)
				return bad(why, where,
				    "nflog packet header attribute too short", off);
			hwproto = rd16(msg + off + NLA_HDRLEN_);
			break;
		case NFULA_TIMESTAMP_: {
			uint64_t sec, usec;

			if (alen < NLA_HDRLEN_ + 16)
				return bad(why, where,
				    "nflog timestamp attribute too short", off);
			sec = rd64(msg + off + NLA_HDRLEN_);
			usec = rd64(msg + off + NLA_HDRLEN_ + 8);
			/* Windows are stored as 32-bit seconds (until 2106). */
			if (usec >= 1000000 || sec > UINT32_MAX)
				return bad(why, where,
				    "nflog timestamp out of range", off);
			ev->ts_us = (int64_t)(sec * 1000000 + usec);
			break;
		}
		case NFULA_SEQ_:
			if (alen < NLA_HDRLEN_ + 4)
				return bad(why, where,
				    "nflog sequence attribute too short", off);
			ev->seq = rd32(msg + off + NLA_HDRLEN_);
			ev->has_seq = 1;
			break;
		case NFULA_PAYLOAD_:
			payload = msg + off + NLA_HDRLEN_;
			plen = alen - NLA_HDRLEN_;
			poff = off + NLA_HDRLEN_;
			break;
		default:
			/* Unknown or uninteresting: skip, as mnl_attr_type_valid says. */
			break;
		}
		/* Attributes are padded to 4; the last one's padding may be cut. */
		alen = (alen + 3) & ~(size_t)3;
		off += alen < len - off ? alen : len - off;
	}
	if (hwproto != 0 && hwproto != ETH_P_IP_ && hwproto != ETH_P_IPV6_)
		return DECODE_UNSUPPORTED;
	if (payload == NULL)
		return bad(why, where, "nflog event without packet payload", len);
	r = decode_packet(payload, plen, ev, why, where);
	if (r == DECODE_MALFORMED)
		*where += poff;
	else if (hwproto != 0 && ((hwproto == ETH_P_IP_) != (ev->family == 4)))
		return bad(why, where, "ip version disagrees with nflog protocol",
		    poff);
	return r;
}
