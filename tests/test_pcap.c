/* The LINKTYPE_NFLOG pcap reader on files written here, good and bad. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "collector/decode.h"
#include "collector/pcap.h"
#include "common/err.h"
#include "tests/collector_msg.h"
#include "tests/testutil.h"

struct filebuf {
	uint8_t b[4096];
	size_t n;
	int swap;
};

static void
fb_u32(struct filebuf *f, uint32_t v)
{
	if (f->swap)
		v = __builtin_bswap32(v);
	memcpy(f->b + f->n, &v, 4);
	f->n += 4;
}

static void
fb_u16(struct filebuf *f, uint16_t v)
{
	if (f->swap)
		v = __builtin_bswap16(v);
	memcpy(f->b + f->n, &v, 2);
	f->n += 2;
}

static void
fb_header(struct filebuf *f, uint32_t magic, uint32_t linktype)
{
	fb_u32(f, magic);
	fb_u16(f, 2);
	fb_u16(f, 4);
	fb_u32(f, 0);
	fb_u32(f, 0);
	fb_u32(f, 65535);
	fb_u32(f, linktype);
}

static void
fb_record(struct filebuf *f, uint32_t sec, uint32_t frac, const struct msgbuf *m)
{
	fb_u32(f, sec);
	fb_u32(f, frac);
	fb_u32(f, (uint32_t)m->n);
	fb_u32(f, (uint32_t)m->n);
	memcpy(f->b + f->n, m->b, m->n);
	f->n += m->n;
}

static char *dir;

static int
setup(void **state)
{
	(void)state;
	dir = tu_tmpdir();
	return dir ? 0 : -1;
}

static int
teardown(void **state)
{
	(void)state;
	tu_rmdir(dir);
	return 0;
}

static char *
write_file(const char *name, const struct filebuf *f, size_t n)
{
	char *p = tu_path(dir, name);

	assert_non_null(p);
	assert_int_equal(tu_write(p, f->b, n), 0);
	return p;
}

static void
event(struct msgbuf *m, uint16_t dport, int swap)
{
	struct msgbuf p;

	p.n = 0;
	mb_ipv4(&p, 6, 0x0af40b0b, 0x0af40c0c, 20, 0);
	mb_tcp(&p, 33000, dport);
	mb_nflog(m, &p, 0x0800, -1, -1, swap);
}

/* Both byte orders, µs and ns: records, times, offsets and TLV decoding. */
static void
test_pcap_byte_orders(void **state)
{
	static const uint32_t magics[] = { 0xa1b2c3d4, 0xa1b23c4d };
	struct filebuf f;
	struct msgbuf m;
	struct pcap_reader *r;
	struct decode_event ev;
	const uint8_t *data;
	const char *why;
	size_t len, off, where, first;
	int64_t ts;
	int swap, k;
	char *path;

	(void)state;
	for (swap = 0; swap <= 1; swap++) {
		for (k = 0; k < 2; k++) {
			memset(&f, 0, sizeof(f));
			f.swap = swap;
			fb_header(&f, magics[k], PCAP_LINKTYPE_NFLOG);
			event(&m, 80, swap);
			first = f.n;
			fb_record(&f, 1764151200, k ? 123456789 : 123456, &m);
			event(&m, 443, swap);
			fb_record(&f, 1764151201, 5000, &m);
			path = write_file("t.pcap", &f, f.n);
			assert_int_equal(pcap_open(&r, path), 0);
			assert_int_equal(pcap_decode_flags(r), swap ? DECODE_SWAP_TLV : 0);
			assert_int_equal(pcap_next(r, &data, &len, &ts, &off), 1);
			assert_int_equal(off, first);
			assert_int_equal(ts, 1764151200LL * 1000000 + 123456);
			assert_int_equal(decode_nflog(data, len, pcap_decode_flags(r),
			    &ev, &why, &where), DECODE_OK);
			assert_int_equal(ev.dport, 80);
			assert_int_equal(pcap_next(r, &data, &len, &ts, &off), 1);
			assert_int_equal(ts, 1764151201LL * 1000000 + (k ? 5 : 5000));
			assert_int_equal(decode_nflog(data, len, pcap_decode_flags(r),
			    &ev, &why, &where), DECODE_OK);
			assert_int_equal(ev.dport, 443);
			assert_int_equal(pcap_next(r, &data, &len, &ts, &off), 0);
			pcap_free(r);
			free(path);
		}
	}
}

static void
expect_open_error(const struct filebuf *f, size_t n, const char *want)
{
	struct pcap_reader *r = NULL;
	char *path = write_file("bad.pcap", f, n);

	assert_int_equal(pcap_open(&r, path), -1);
	assert_null(r);
	if (strstr(fp_errmsg(), want) == NULL || strstr(fp_errmsg(), path) == NULL)
		fail_msg("want '%s' naming the file, got '%s'", want, fp_errmsg());
	free(path);
}

static void
test_pcap_bad_headers(void **state)
{
	struct filebuf f;
	size_t n;

	(void)state;
	memset(&f, 0, sizeof(f));
	fb_header(&f, 0xa1b2c3d4, PCAP_LINKTYPE_NFLOG);
	for (n = 0; n < 24; n++)
		expect_open_error(&f, n, "byte offset 0: file header truncated");
	memset(&f, 0, sizeof(f));
	fb_header(&f, 0xa1b2c3d4, 1);
	expect_open_error(&f, f.n, "byte offset 20: link type 1 is not LINKTYPE_NFLOG");
	memset(&f, 0, sizeof(f));
	fb_header(&f, 0x0a0d0d0a, 239);
	expect_open_error(&f, f.n, "pcapng");
	memset(&f, 0, sizeof(f));
	fb_header(&f, 0x12345678, 239);
	expect_open_error(&f, f.n, "byte offset 0: not a pcap file");
	memset(&f, 0, sizeof(f));
	fb_header(&f, 0xa1b2c3d4, 239);
	f.b[4] = 9;
	expect_open_error(&f, f.n, "byte offset 4: unsupported pcap version");
}

/* Every cut inside a record, and lying record headers. */
static void
test_pcap_bad_records(void **state)
{
	struct filebuf f, g;
	struct msgbuf m;
	struct pcap_reader *r;
	const uint8_t *data;
	size_t len, off, n, rec2;
	int64_t ts;
	char *path;
	char want[64];

	(void)state;
	memset(&f, 0, sizeof(f));
	fb_header(&f, 0xa1b2c3d4, 239);
	event(&m, 80, 0);
	fb_record(&f, 1, 0, &m);
	rec2 = f.n;
	fb_record(&f, 2, 0, &m);
	for (n = rec2 + 1; n < f.n; n++) {
		path = write_file("cut.pcap", &f, n);
		assert_int_equal(pcap_open(&r, path), 0);
		assert_int_equal(pcap_next(r, &data, &len, &ts, &off), 1);
		assert_int_equal(pcap_next(r, &data, &len, &ts, &off), -1);
		snprintf(want, sizeof(want), "byte offset %zu: record",
		    n - rec2 < 16 ? rec2 : rec2 + 16);
		if (strstr(fp_errmsg(), want) == NULL ||
		    strstr(fp_errmsg(), "truncated") == NULL)
			fail_msg("cut at %zu: want '%s', got '%s'", n, want,
			    fp_errmsg());
		pcap_free(r);
		free(path);
	}
	g = f;
	g.b[rec2 + 8] = 0xff;	/* captured length larger than original */
	g.b[rec2 + 9] = 0xff;
	path = write_file("corrupt.pcap", &g, g.n);
	assert_int_equal(pcap_open(&r, path), 0);
	assert_int_equal(pcap_next(r, &data, &len, &ts, &off), 1);
	assert_int_equal(pcap_next(r, &data, &len, &ts, &off), -1);
	snprintf(want, sizeof(want), "byte offset %zu: corrupt record", rec2 + 8);
	assert_non_null(strstr(fp_errmsg(), want));
	pcap_free(r);
	free(path);
	g = f;
	g.b[rec2 + 6] = 0xff;	/* microseconds >= 10^6 */
	path = write_file("corrupt.pcap", &g, g.n);
	assert_int_equal(pcap_open(&r, path), 0);
	assert_int_equal(pcap_next(r, &data, &len, &ts, &off), 1);
	assert_int_equal(pcap_next(r, &data, &len, &ts, &off), -1);
	assert_non_null(strstr(fp_errmsg(), "timestamp fraction"));
	pcap_free(r);
	free(path);
}

static void
test_pcap_missing_file(void **state)
{
	struct pcap_reader *r = NULL;

	(void)state;
	assert_int_equal(pcap_open(&r, "/nonexistent/x.pcap"), -1);
	assert_non_null(strstr(fp_errmsg(), "pcap '/nonexistent/x.pcap'"));
	assert_int_equal(pcap_open(&r, "/"), -1);
	assert_non_null(strstr(fp_errmsg(), "not a regular file"));
}

/*
 * The fingerprint is the SHA-256 of every byte: a copy has the same; a
 * change of the last byte, or of one byte in the middle of a capture of
 * several MiB (the old fingerprint read only both ends), gives another.
 */
static void
test_pcap_fingerprint(void **state)
{
	struct filebuf f;
	struct msgbuf m;
	struct pcap_reader *r;
	char h1[SHA256_HEXLEN], h2[SHA256_HEXLEN], *a, *b, *big;
	size_t n = (size_t)3 << 20;

	(void)state;
	memset(&f, 0, sizeof(f));
	fb_header(&f, 0xa1b2c3d4, 239);
	event(&m, 443, 0);
	fb_record(&f, 1764151200, 0, &m);
	a = write_file("fp-a.pcap", &f, f.n);
	f.b[f.n - 1] ^= 0xff;		/* the last byte differs */
	b = write_file("fp-b.pcap", &f, f.n);
	assert_int_equal(pcap_open(&r, a), 0);
	pcap_fingerprint(r, h1);
	assert_int_equal(pcap_size(r), f.n);
	pcap_free(r);
	assert_int_equal(pcap_open(&r, a), 0);
	pcap_fingerprint(r, h2);
	assert_string_equal(h1, h2);
	pcap_free(r);
	assert_int_equal(pcap_open(&r, b), 0);
	pcap_fingerprint(r, h2);
	assert_string_not_equal(h1, h2);
	pcap_free(r);
	free(a);
	free(b);

	/* 3 MiB, one byte in the middle changed. */
	assert_non_null(big = calloc(1, n));
	memcpy(big, f.b, 24);
	a = tu_path(dir, "fp-big-a.pcap");
	b = tu_path(dir, "fp-big-b.pcap");
	assert_int_equal(tu_write(a, big, n), 0);
	big[n / 2] = 1;
	assert_int_equal(tu_write(b, big, n), 0);
	assert_int_equal(pcap_open(&r, a), 0);
	pcap_fingerprint(r, h1);
	pcap_free(r);
	assert_int_equal(pcap_open(&r, b), 0);
	pcap_fingerprint(r, h2);
	pcap_free(r);
	assert_string_not_equal(h1, h2);
	free(a);
	free(b);
	free(big);
}

/* A FIFO is refused at once (it used to block in open for a writer). */
static void
test_pcap_fifo_refused(void **state)
{
	struct pcap_reader *r = NULL;
	char *p = tu_path(dir, "fifo.pcap");

	(void)state;
	assert_int_equal(mkfifo(p, 0600), 0);
	assert_int_equal(pcap_open(&r, p), -1);
	assert_non_null(strstr(fp_errmsg(), "not a regular file (a FIFO)"));
	free(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pcap_byte_orders),
		cmocka_unit_test(test_pcap_bad_headers),
		cmocka_unit_test(test_pcap_bad_records),
		cmocka_unit_test(test_pcap_missing_file),
		cmocka_unit_test(test_pcap_fingerprint),
		cmocka_unit_test(test_pcap_fifo_refused),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
