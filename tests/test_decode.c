/* Decoder tests on crafted NFLOG messages and packets. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "collector/decode.h"
#include "common/proto.h"
#include "tests/collector_msg.h"

#define A4(a, b, c, d) (((uint32_t)(a) << 24) | ((b) << 16) | ((c) << 8) | (d))
#define TS 1764151234567890LL

/* Decode from an exactly-sized heap copy, so ASan sees any over-read. */
static enum decode_result
dec(const uint8_t *p, size_t n, int flags, struct decode_event *ev,
    const char **why, size_t *where)
{
	uint8_t *c = malloc(n ? n : 1);
	enum decode_result r;

	assert_non_null(c);
	memcpy(c, p, n);
	*why = "";
	*where = 0;
	r = decode_nflog(c, n, flags, ev, why, where);
	free(c);
	return r;
}

static void
check(const struct msgbuf *pkt, uint16_t hw, int fam, int proto, int dport)
{
	struct msgbuf m;
	struct decode_event ev;
	const char *why;
	size_t where, unpadded, l;
	int swap;

	for (swap = 0; swap <= 1; swap++) {
		mb_nflog(&m, pkt, hw, TS, 42, swap);
		assert_int_equal(dec(m.b, m.n, swap ? DECODE_SWAP_TLV : 0, &ev,
		    &why, &where), DECODE_OK);
		assert_int_equal(ev.family, fam);
		assert_int_equal(ev.proto, proto);
		assert_int_equal(ev.dport, dport);
		assert_int_equal(ev.ts_us, TS);
		assert_true(ev.has_seq);
		assert_int_equal(ev.seq, 42);
		/* Every cut short of the payload's end is an error, never a read past. */
		unpadded = m.n - ((4 - pkt->n % 4) % 4);
		for (l = 0; l < unpadded; l++)
			assert_int_equal(dec(m.b, l, swap ? DECODE_SWAP_TLV : 0, &ev,
			    &why, &where), DECODE_MALFORMED);
		for (; l <= m.n; l++)
			assert_int_equal(dec(m.b, l, swap ? DECODE_SWAP_TLV : 0, &ev,
			    &why, &where), DECODE_OK);
	}
}

static void
test_decode_ipv4_protocols(void **state)
{
	struct msgbuf p;
	uint32_t s = A4(10, 244, 1, 11), d = A4(10, 244, 1, 12);
	struct decode_event ev;
	struct msgbuf m;
	const char *why;
	size_t where;

	(void)state;
	p.n = 0; mb_ipv4(&p, 6, s, d, 20, 0x4000); mb_tcp(&p, 40000, 80);
	check(&p, 0x0800, 4, FP_PROTO_TCP, 80);
	mb_nflog(&m, &p, 0x0800, TS, 1, 0);
	assert_int_equal(dec(m.b, m.n, 0, &ev, &why, &where), DECODE_OK);
	assert_memory_equal(ev.src, "\x0a\xf4\x01\x0b", 4);
	assert_memory_equal(ev.dst, "\x0a\xf4\x01\x0c", 4);
	p.n = 0; mb_ipv4(&p, 17, s, d, 9, 0); mb_udp(&p, 5353, 53);
	check(&p, 0x0800, 4, FP_PROTO_UDP, 53);
	p.n = 0; mb_ipv4(&p, 132, s, d, 12, 0); mb_sctp(&p, 1, 9899);
	check(&p, 0x0800, 4, FP_PROTO_SCTP, 9899);
	p.n = 0; mb_ipv4(&p, 1, s, d, 8, 0); mb_icmp(&p, 8, 0);
	check(&p, 0x0800, 4, FP_PROTO_ICMP, 8 * 256);
	p.n = 0; mb_ipv4(&p, 1, s, d, 8, 0); mb_icmp(&p, 3, 4);
	check(&p, 0x0800, 4, FP_PROTO_ICMP, 3 * 256 + 4);
	p.n = 0; mb_ipv4(&p, 136, s, d, 9, 0); mb_udp(&p, 1, 7000);
	check(&p, 0x0800, 4, 136, 7000);
	/* First fragment (MF set, offset 0) still has the transport header. */
	p.n = 0; mb_ipv4(&p, 6, s, d, 20, 0x2000); mb_tcp(&p, 1, 443);
	check(&p, 0x0800, 4, FP_PROTO_TCP, 443);
}

static void
test_decode_ipv4_options(void **state)
{
	struct msgbuf p, m;
	struct decode_event ev;
	const char *why;
	size_t where;

	(void)state;
	p.n = 0;
	mb_ipv4(&p, 6, A4(1, 2, 3, 4), A4(5, 6, 7, 8), 8 + 20, 0);
	p.b[0] = 0x47;			/* 28-byte header: 8 bytes of options */
	mb_be32(&p, 0x01010101);
	mb_be32(&p, 0x01010100);
	mb_tcp(&p, 1, 8443);
	check(&p, 0x0800, 4, FP_PROTO_TCP, 8443);
	/* Ethernet padding after total length is ignored. */
	p.n = 0; mb_ipv4(&p, 17, 1, 2, 9, 0); mb_udp(&p, 1, 53);
	mb_be32(&p, 0xdeadbeef);
	mb_nflog(&m, &p, 0x0800, -1, -1, 0);
	assert_int_equal(dec(m.b, m.n, 0, &ev, &why, &where), DECODE_OK);
	assert_int_equal(ev.dport, 53);
	assert_int_equal(ev.ts_us, -1);
	assert_false(ev.has_seq);
}

static void
test_decode_ipv6_ext_headers(void **state)
{
	struct msgbuf p;

	(void)state;
	p.n = 0; mb_ipv6(&p, 6, 1, 2, 20); mb_tcp(&p, 1, 80);
	check(&p, 0x86dd, 6, FP_PROTO_TCP, 80);
	p.n = 0; mb_ipv6(&p, 58, 1, 2, 8); mb_icmp(&p, 128, 0);
	check(&p, 0x86dd, 6, FP_PROTO_ICMPV6, 128 * 256);
	p.n = 0; mb_ipv6(&p, 132, 1, 2, 12); mb_sctp(&p, 1, 36412);
	check(&p, 0x86dd, 6, FP_PROTO_SCTP, 36412);
	/* hop-by-hop (8) -> destination options (16) -> routing (8) ->
	 * fragment, first (8) -> AH (12) -> UDP */
	p.n = 0;
	mb_ipv6(&p, 0, 1, 2, 8 + 16 + 8 + 8 + 12 + 9);
	mb_u8(&p, 60); mb_u8(&p, 0); mb_be16(&p, 0x0104); mb_be32(&p, 0);
	mb_u8(&p, 43); mb_u8(&p, 1); mb_be16(&p, 0x0106);
	mb_be32(&p, 0); mb_be32(&p, 0); mb_be32(&p, 0);
	mb_u8(&p, 44); mb_u8(&p, 0); mb_u8(&p, 0); mb_u8(&p, 0); mb_be32(&p, 0);
	mb_u8(&p, 51); mb_u8(&p, 0); mb_be16(&p, 0x0001); mb_be32(&p, 7);
	mb_u8(&p, 17); mb_u8(&p, 1); mb_be16(&p, 0);
	mb_be32(&p, 1); mb_be32(&p, 2);
	mb_udp(&p, 1, 5353);
	check(&p, 0x86dd, 6, FP_PROTO_UDP, 5353);
}

static void
test_decode_fragments_and_unknown(void **state)
{
	struct msgbuf p, m;
	struct decode_event ev;
	const char *why;
	size_t where;

	(void)state;
	p.n = 0; mb_ipv4(&p, 6, 1, 2, 8, 0x00b9); mb_be32(&p, 0); mb_be32(&p, 0);
	mb_nflog(&m, &p, 0x0800, TS, -1, 0);
	assert_int_equal(dec(m.b, m.n, 0, &ev, &why, &where), DECODE_FRAGMENT);
	assert_int_equal(ev.ts_us, TS);
	p.n = 0; mb_ipv6(&p, 44, 1, 2, 16);
	mb_u8(&p, 17); mb_u8(&p, 0); mb_be16(&p, 0x0100); mb_be32(&p, 9);
	mb_be32(&p, 0); mb_be32(&p, 0);
	mb_nflog(&m, &p, 0x86dd, TS, -1, 0);
	assert_int_equal(dec(m.b, m.n, 0, &ev, &why, &where), DECODE_FRAGMENT);
	p.n = 0; mb_ipv4(&p, 47, 1, 2, 4, 0); mb_be32(&p, 0x00000800);
	mb_nflog(&m, &p, 0x0800, TS, -1, 0);
	assert_int_equal(dec(m.b, m.n, 0, &ev, &why, &where), DECODE_UNSUPPORTED);
	p.n = 0; mb_ipv6(&p, 59, 1, 2, 0);		/* no next header */
	mb_nflog(&m, &p, 0x86dd, TS, -1, 0);
	assert_int_equal(dec(m.b, m.n, 0, &ev, &why, &where), DECODE_UNSUPPORTED);
	p.n = 0; mb_ipv4(&p, 6, 1, 2, 20, 0); mb_tcp(&p, 1, 2);
	mb_nflog(&m, &p, 0x0806, TS, 7, 0);		/* ARP on a bridge */
	assert_int_equal(dec(m.b, m.n, 0, &ev, &why, &where), DECODE_UNSUPPORTED);
	assert_true(ev.has_seq);
	assert_int_equal(ev.seq, 7);
}

/* One falsified field: the decoder must say malformed and why. */
static void
lie(const struct msgbuf *p, size_t at, uint8_t v, uint16_t hw,
    const char *want)
{
	struct msgbuf q = *p, m;
	struct decode_event ev;
	const char *why;
	size_t where;

	q.b[at] = v;
	mb_nflog(&m, &q, hw, TS, -1, 0);
	if (dec(m.b, m.n, 0, &ev, &why, &where) != DECODE_MALFORMED)
		fail_msg("byte %zu = 0x%02x: not malformed (want '%s')", at, v, want);
	if (strstr(why, want) == NULL)
		fail_msg("want '%s', got '%s'", want, why);
	assert_true(where < m.n);
}

static void
test_decode_lying_lengths(void **state)
{
	struct msgbuf p, m;
	struct decode_event ev;
	const char *why;
	size_t where, i;
	uint16_t l;

	(void)state;
	p.n = 0; mb_ipv4(&p, 6, 1, 2, 20, 0); mb_tcp(&p, 1, 80);
	lie(&p, 0, 0x44, 0x0800, "below 20");
	lie(&p, 0, 0x4f, 0x0800, "beyond the packet");
	lie(&p, 0, 0x55, 0x0800, "neither 4 nor 6");
	lie(&p, 3, 0, 0x0800, "total length below");
	lie(&p, 3, 0x13, 0x0800, "total length below");
	lie(&p, 3, 0x17, 0x0800, "tcp header truncated");
	lie(&p, 32, 0x40, 0x0800, "data offset");
	lie(&p, 1, 0, 0x86dd, "disagrees");
	p.n = 0; mb_ipv4(&p, 17, 1, 2, 9, 0); mb_udp(&p, 1, 53);
	lie(&p, 0, 0x65, 0x86dd, "ipv6 header truncated");
	lie(&p, 25, 7, 0x0800, "udp length");
	p.n = 0; mb_ipv6(&p, 0, 1, 2, 8 + 20);
	mb_u8(&p, 6); mb_u8(&p, 0); mb_be16(&p, 0); mb_be32(&p, 0);
	mb_tcp(&p, 1, 80);
	lie(&p, 41, 9, 0x86dd, "beyond the packet");
	lie(&p, 5, 1, 0x86dd, "extension header truncated");
	p.n = 0; mb_ipv6(&p, 44, 1, 2, 4);
	mb_be32(&p, 0);
	lie(&p, 40, 6, 0x86dd, "fragment header truncated");
	/* An extension header chain that never ends. */
	p.n = 0; mb_ipv6(&p, 60, 1, 2, 8 * 20);
	for (i = 0; i < 20; i++) {
		mb_u8(&p, 60); mb_u8(&p, 0); mb_be16(&p, 0); mb_be32(&p, 0);
	}
	lie(&p, 6, 60, 0x86dd, "chain too long");
	/* NFLOG attribute lengths: 0..3 and past the end, at every attribute. */
	p.n = 0; mb_ipv4(&p, 6, 1, 2, 20, 0); mb_tcp(&p, 1, 80);
	mb_nflog(&m, &p, 0x0800, TS, 3, 0);
	for (i = 4; i < m.n;) {
		struct msgbuf x = m;
		uint16_t bad[] = { 0, 3, (uint16_t)(m.n - i + 1), 0xffff };
		size_t k;

		memcpy(&l, m.b + i, 2);
		for (k = 0; k < 4; k++) {
			memcpy(x.b + i, &bad[k], 2);
			assert_int_equal(dec(x.b, x.n, 0, &ev, &why, &where),
			    DECODE_MALFORMED);
			assert_int_equal(where, i);
		}
		i += (l + 3u) & ~3u;
	}
	/* Attributes too short for what they carry. */
	{
		static const uint16_t types[] = { 1, 3, 12 };
		size_t k;

		for (k = 0; k < 3; k++) {
			m.n = 0;
			mb_u8(&m, 2); mb_u8(&m, 0); mb_be16(&m, 0);
			mb_attr(&m, types[k], 2, 0); mb_be16(&m, 0);
			assert_int_equal(dec(m.b, m.n, 0, &ev, &why, &where),
			    DECODE_MALFORMED);
			assert_non_null(strstr(why, "too short"));
		}
	}
	/* A timestamp out of range. */
	mb_nflog(&m, &p, 0x0800, TS, -1, 0);
	m.b[4 + 8 + 8 + 4 + 12] = 0x10;		/* usec >= 10^6 */
	assert_int_equal(dec(m.b, m.n, 0, &ev, &why, &where), DECODE_MALFORMED);
	/* No payload at all. */
	m.n = 0;
	mb_u8(&m, 2); mb_u8(&m, 0); mb_be16(&m, 0);
	assert_int_equal(dec(m.b, m.n, 0, &ev, &why, &where), DECODE_MALFORMED);
	assert_non_null(strstr(why, "without packet payload"));
}

/* Every byte set to 0x00 and 0xff in turn: never a crash or an over-read. */
static void
test_decode_every_byte(void **state)
{
	struct msgbuf p, m, x;
	struct decode_event ev;
	const char *why;
	size_t where, i;
	int r;

	(void)state;
	p.n = 0;
	mb_ipv6(&p, 0, 1, 2, 8 + 20);
	mb_u8(&p, 6); mb_u8(&p, 0); mb_be16(&p, 0); mb_be32(&p, 0);
	mb_tcp(&p, 1, 80);
	mb_nflog(&m, &p, 0x86dd, TS, 9, 0);
	for (i = 0; i < m.n; i++) {
		x = m;
		x.b[i] = 0;
		r = dec(x.b, x.n, 0, &ev, &why, &where);
		assert_true(r >= DECODE_OK && r <= DECODE_UNSUPPORTED);
		if (r == DECODE_MALFORMED)
			assert_true(where <= x.n);
		x.b[i] = 0xff;
		r = dec(x.b, x.n, 0, &ev, &why, &where);
		assert_true(r >= DECODE_OK && r <= DECODE_UNSUPPORTED);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode_ipv4_protocols),
		cmocka_unit_test(test_decode_ipv4_options),
		cmocka_unit_test(test_decode_ipv6_ext_headers),
		cmocka_unit_test(test_decode_fragments_and_unknown),
		cmocka_unit_test(test_decode_lying_lengths),
		cmocka_unit_test(test_decode_every_byte),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
