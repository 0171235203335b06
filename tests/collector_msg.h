#ifndef FLOWPOL_TEST_COLLECTOR_MSG_H
#define FLOWPOL_TEST_COLLECTOR_MSG_H

/*
 * Builders of crafted packets and NFLOG messages for the collector's tests
 * and corpus: what the kernel sends, byte by byte, so that each test can
 * then cut or falsify any field.
 */
#include <stdint.h>
#include <string.h>

struct msgbuf {
	uint8_t b[512];
	size_t n;
};

static inline void
mb_put(struct msgbuf *m, const void *p, size_t n)
{
	memcpy(m->b + m->n, p, n);
	m->n += n;
}

static inline void
mb_u8(struct msgbuf *m, uint8_t v)
{
	m->b[m->n++] = v;
}

static inline void
mb_be16(struct msgbuf *m, uint16_t v)
{
	mb_u8(m, (uint8_t)(v >> 8));
	mb_u8(m, (uint8_t)v);
}

static inline void
mb_be32(struct msgbuf *m, uint32_t v)
{
	mb_be16(m, (uint16_t)(v >> 16));
	mb_be16(m, (uint16_t)v);
}

/* IPv4 header (20 bytes, no options) for a payload of l4len bytes. */
static inline void
mb_ipv4(struct msgbuf *m, uint8_t proto, uint32_t src, uint32_t dst,
    size_t l4len, uint16_t frag)
{
	mb_u8(m, 0x45);
	mb_u8(m, 0);
	mb_be16(m, (uint16_t)(20 + l4len));
	mb_be16(m, 0x1234);
	mb_be16(m, frag);
	mb_u8(m, 64);
	mb_u8(m, proto);
	mb_be16(m, 0);
	mb_be32(m, src);
	mb_be32(m, dst);
}

/* IPv6 header, addresses fd00::S and fd00::D. */
static inline void
mb_ipv6(struct msgbuf *m, uint8_t nh, uint8_t s, uint8_t d, size_t plen)
{
	uint8_t a[16] = { 0xfd };

	mb_be32(m, 0x60000000);
	mb_be16(m, (uint16_t)plen);
	mb_u8(m, nh);
	mb_u8(m, 64);
	a[15] = s;
	mb_put(m, a, 16);
	a[15] = d;
	mb_put(m, a, 16);
}

static inline void
mb_tcp(struct msgbuf *m, uint16_t sport, uint16_t dport)
{
	mb_be16(m, sport);
	mb_be16(m, dport);
	mb_be32(m, 1);
	mb_be32(m, 0);
	mb_u8(m, 0x50);
	mb_u8(m, 0x02);
	mb_be16(m, 65535);
	mb_be32(m, 0);
}

static inline void
mb_udp(struct msgbuf *m, uint16_t sport, uint16_t dport)
{
	mb_be16(m, sport);
	mb_be16(m, dport);
	mb_be16(m, 9);
	mb_be16(m, 0);
	mb_u8(m, 'q');
}

static inline void
mb_sctp(struct msgbuf *m, uint16_t sport, uint16_t dport)
{
	mb_be16(m, sport);
	mb_be16(m, dport);
	mb_be32(m, 0);
	mb_be32(m, 0);
}

static inline void
mb_icmp(struct msgbuf *m, uint8_t type, uint8_t code)
{
	mb_u8(m, type);
	mb_u8(m, code);
	mb_be16(m, 0);
	mb_be32(m, 0x00010001);
}

/* An attribute header in host order (swap: the other order). */
static inline void
mb_attr(struct msgbuf *m, uint16_t type, size_t datalen, int swap)
{
	uint16_t l = (uint16_t)(4 + datalen), t = type;

	if (swap) {
		l = (uint16_t)((l >> 8) | (l << 8));
		t = (uint16_t)((t >> 8) | (t << 8));
	}
	mb_put(m, &l, 2);
	mb_put(m, &t, 2);
}

static inline void
mb_pad(struct msgbuf *m)
{
	while (m->n % 4)
		mb_u8(m, 0);
}

/*
 * A whole NFLOG event: nfgenmsg, PACKET_HDR, a PREFIX, optionally TIMESTAMP
 * and SEQ, and the payload attribute last, so that every strict prefix of
 * the message is incomplete.
 */
static inline void
mb_nflog(struct msgbuf *m, const struct msgbuf *pkt, uint16_t hwproto,
    int64_t ts_us, int64_t seq, int swap)
{
	m->n = 0;
	mb_u8(m, hwproto == 0x86dd ? 10 : 2);
	mb_u8(m, 0);
	mb_be16(m, 5);
	mb_attr(m, 1, 4, swap);
	mb_be16(m, hwproto);
	mb_u8(m, 1);
	mb_u8(m, 0);
	mb_attr(m, 10, 4, swap);
	mb_put(m, "fp:", 4);
	if (ts_us >= 0) {
		mb_attr(m, 3, 16, swap);
		mb_be32(m, 0);
		mb_be32(m, (uint32_t)(ts_us / 1000000));
		mb_be32(m, 0);
		mb_be32(m, (uint32_t)(ts_us % 1000000));
	}
	if (seq >= 0) {
		mb_attr(m, 12, 4, swap);
		mb_be32(m, (uint32_t)seq);
	}
	mb_attr(m, 9, pkt->n, swap);
	mb_put(m, pkt->b, pkt->n);
	mb_pad(m);
}

#endif
