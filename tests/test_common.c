#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "tests/testutil.h"
#include "common/err.h"
#include "common/ipaddr.h"
#include "common/proto.h"
#include "common/timeutil.h"
#include "common/cli.h"
#include "common/sha256.h"
#include "common/k8sname.h"
#include "common/strbuf.h"

static void
test_common_ip_parse_format_and_nets(void **state)
{
	struct fp_ip ip, net;
	char buf[FP_IPSTRLEN];
	int prefix;

	(void)state;
	assert_int_equal(fp_ip_parse(&ip, "10.1.2.3"), 0);
	assert_int_equal(ip.len, 4);
	assert_string_equal(fp_ip_format(&ip, buf), "10.1.2.3");
	assert_int_equal(fp_ip_parse(&ip, "fd00:0:0::1"), 0);
	assert_int_equal(ip.len, 16);
	assert_string_equal(fp_ip_format(&ip, buf), "fd00::1");
	assert_int_equal(fp_ip_parse(&ip, "10.1.2"), -1);
	assert_int_equal(fp_cidr_parse(&net, &prefix, "10.1.0.0/16"), 0);
	assert_int_equal(prefix, 16);
	assert_int_equal(fp_ip_parse(&ip, "10.1.200.3"), 0);
	assert_true(fp_ip_in_net(&ip, &net, prefix));
	assert_int_equal(fp_ip_parse(&ip, "10.2.0.1"), 0);
	assert_false(fp_ip_in_net(&ip, &net, prefix));
	assert_int_equal(fp_cidr_parse(&net, &prefix, "10.0.0.0/33"), -1);
	assert_int_equal(fp_cidr_parse(&net, &prefix, "fd00::/9"), 0);
	assert_int_equal(fp_ip_parse(&ip, "fd7f::1"), 0);
	assert_true(fp_ip_in_net(&ip, &net, prefix));
	assert_int_equal(fp_ip_parse(&ip, "fe00::1"), 0);
	assert_false(fp_ip_in_net(&ip, &net, prefix));
}

static void
test_common_time_round_trip(void **state)
{
	char buf[FP_TIMESTRLEN];
	int64_t us;

	(void)state;
	assert_int_equal(fp_time_parse("2026-11-26T11:10:47Z", &us), 0);
	assert_string_equal(fp_time_format(us, buf), "2026-11-26T11:10:47Z");
	assert_int_equal(fp_time_parse("2026-11-26T12:10:47.5+01:00", &us), 0);
	assert_int_equal(us % FP_USEC, 500000);
	assert_string_equal(fp_time_format(us, buf), "2026-11-26T11:10:47Z");
	assert_int_equal(fp_time_parse("@600", &us), 0);
	assert_int_equal(us, 600 * FP_USEC);
	assert_int_equal(fp_time_parse("2026-13-01T00:00:00Z", &us), -1);
	assert_non_null(strstr(fp_errmsg(), "RFC 3339"));
	assert_int_equal(fp_time_parse("yesterday", &us), -1);
	/* Impossible dates are refused, not normalized into the next month. */
	assert_int_equal(fp_time_parse("2026-02-30T00:00:00Z", &us), -1);
	assert_non_null(strstr(fp_errmsg(), "2026-02 has 28 days"));
	assert_int_equal(fp_time_parse("2028-02-29T00:00:00Z", &us), 0);
	assert_int_equal(fp_time_parse("2100-02-29T00:00:00Z", &us), -1);
	assert_int_equal(fp_time_parse("2026-04-31T00:00:00Z", &us), -1);
	/* A stored time may be at most 10 minutes ahead of the clock. */
	assert_int_equal(fp_time_parse_past("9999-12-31T23:59:59Z", &us), -1);
	assert_non_null(strstr(fp_errmsg(), "in the future"));
	assert_int_equal(fp_time_parse_past("now", &us), 0);
	assert_int_equal(fp_duration_parse("7d", &us), 0);
	assert_int_equal(us, 7 * 86400 * FP_USEC);
	assert_int_equal(fp_duration_parse("10x", &us), -1);
}

/* FIPS 180-4 examples (NIST CSRC "SHA256.pdf", "SHA2_Additional.pdf"). */
static void
sha256_vectors(void)
{
	char hex[SHA256_HEXLEN], block[1000];
	struct sha256 c;
	uint8_t d[SHA256_LEN];
	size_t i;

	sha256_hex("", 0, hex);
	assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb924"
	    "27ae41e4649b934ca495991b7852b855");
	sha256_hex("abc", 3, hex);
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223"
	    "b00361a396177a9cb410ff61f20015ad");
	sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56,
	    hex);
	assert_string_equal(hex, "248d6a61d20638b8e5c026930c3e6039"
	    "a33ce45964ff2167f6ecedd419db06c1");
	/* One million 'a', streamed in uneven pieces. */
	memset(block, 'a', sizeof(block));
	sha256_init(&c);
	for (i = 0; i < 1000000; i += 997)
		sha256_update(&c, block, 1000000 - i < 997 ? 1000000 - i : 997);
	sha256_final(&c, d);
	sha256_tohex(d, hex);
	assert_string_equal(hex, "cdc76e5c9914fb9281a1c7e284d73e67"
	    "f1809a48a497200e046d39ccc7112cd0");
}

/* fp_grow: at least what is asked, new elements zeroed, overflow refused. */
static void
test_common_grow(void **state)
{
	size_t cap = 0, i, last = 0, grows = 0;
	int *v = NULL, *p;

	(void)state;
	for (i = 0; i < 100000; i++) {
		assert_non_null(p = fp_grow(v, &cap, i + 1, sizeof(*v)));
		if (p != v || cap != last)
			grows++;
		v = p;
		last = cap;
		assert_true(cap >= i + 1);
		assert_int_equal(v[i], 0);
		v[i] = (int)i + 1;
	}
	assert_true(grows <= 14);	/* doubling from 16, not one a row */
	assert_int_equal(v[99999], 100000);
	assert_null(fp_grow(v, &cap, (size_t)-1 / 2, sizeof(*v)));
	assert_int_equal(cap, last);	/* untouched */
	free(v);
}

/* The vectors through the SHA instructions where the CPU has them, and
 * through the portable rounds always. */
static void
test_common_sha256_vectors(void **state)
{
	(void)state;
	if (sha256_accelerated())
		sha256_vectors();
	else
		print_message("sha256: no SHA instructions here; portable "
		    "rounds only\n");
	sha256_portable(1);
	assert_int_equal(sha256_accelerated(), 0);
	sha256_vectors();
	sha256_portable(0);
}

static void
test_common_proto_names_and_ports(void **state)
{
	char buf[16];

	(void)state;
	assert_string_equal(fp_proto_name(6, buf, sizeof(buf)), "tcp");
	assert_string_equal(fp_proto_name(58, buf, sizeof(buf)), "icmpv6");
	assert_string_equal(fp_proto_name(47, buf, sizeof(buf)), "47");
	assert_int_equal(fp_proto_parse("UDP"), 17);
	assert_int_equal(fp_proto_parse("132"), 132);
	assert_int_equal(fp_proto_parse("256"), -1);
	assert_int_equal(fp_proto_parse("bogus"), -1);
	assert_int_equal(fp_proto_parse("UDPLite"), 136);
	assert_string_equal(fp_proto_name(136, buf, sizeof(buf)), "udplite");
	/* Calico's names are case-sensitive. */
	assert_string_equal(fp_proto_calico_name(58), "ICMPv6");
	assert_string_equal(fp_proto_calico_name(136), "UDPLite");
	assert_null(fp_proto_calico_name(47));
	assert_int_equal(fp_proto_calico_parse("SCTP"), 132);
	assert_int_equal(fp_proto_calico_parse("tcp"), -1);
	assert_int_equal(fp_proto_calico_parse("6"), -1);
	assert_string_equal(fp_port_format(1, 8 * 256 + 0, buf, sizeof(buf)), "8/0");
	assert_string_equal(fp_port_format(6, 443, buf, sizeof(buf)), "443");
	assert_string_equal(fp_port_format(47, 0, buf, sizeof(buf)), "");
}

static void
test_common_cli_numbers_and_formats(void **state)
{
	long long v;
	enum fp_format fmt;

	(void)state;
	assert_int_equal(fp_cli_long("window", "600", 1, 86400, &v), 0);
	assert_int_equal(v, 600);
	assert_int_equal(fp_cli_long("window", "0", 1, 86400, &v), -1);
	assert_int_equal(fp_cli_long("window", "6x", 1, 86400, &v), -1);
	assert_non_null(strstr(fp_errmsg(), "--window"));
	assert_int_equal(fp_cli_format("json", "tsv,json", &fmt), 0);
	assert_int_equal(fmt, FP_FMT_JSON);
	assert_int_equal(fp_cli_format("son", "tsv,json", &fmt), -1);
	assert_int_equal(fp_cli_format("dot", "tsv,json", &fmt), -1);
	/* An empty name matches everywhere in the list: it must not loop. */
	assert_int_equal(fp_cli_format("", "tsv,json", &fmt), -1);
	assert_int_equal(fp_cli_format("ts", "tsv,json", &fmt), -1);
	assert_string_equal(fp_errmsg(),
	    "option -o/--output: 'ts' is not one of tsv or json");
	assert_int_equal(fp_cli_format("svg", "table,tsv,json,yaml", &fmt), -1);
	assert_string_equal(fp_errmsg(),
	    "option -o/--output: 'svg' is not one of table, tsv, json or yaml");
}

#define S FP_USEC
#define DAY (86400 * S)

static void
test_common_duration_table(void **state)
{
	static const struct {
		const char *in;
		int64_t us;	/* -1: refused */
		const char *msg;	/* part of the refusal */
	} cases[] = {
		{ "90s", 90 * S, NULL },
		{ "10m", 600 * S, NULL },
		{ "1h", 3600 * S, NULL },
		{ "2h30m", 9000 * S, NULL },
		{ "1h2m3s", 3723 * S, NULL },
		{ "1.5h", 5400 * S, NULL },
		{ ".5s", S / 2, NULL },
		{ "14d", 14 * DAY, NULL },
		{ "2w", 14 * DAY, NULL },
		{ "1w2d", 9 * DAY, NULL },
		{ "250ms", 250000, NULL },
		{ "3us", 3, NULL },
		{ "3\xc2\xb5s", 3, NULL },
		{ "1500ns", 1, NULL },
		{ "0s", 0, NULL },
		{ "14", -1, "a number needs a unit: units ns" },
		{ "0", -1, "a number needs a unit" },
		{ "1.5", -1, "a number needs a unit" },
		{ "2h30", -1, "the last number needs a unit" },
		{ "2x", -1, "unknown unit 'x'" },
		{ "1y", -1, "unknown unit 'y'" },
		{ "-1h", -1, "expected a number" },
		{ "+1h", -1, "expected a number" },
		{ "h", -1, "expected a number" },
		{ "", -1, "a number with a unit" },
		{ "1h ", -1, "unknown unit" },
		{ " 1h", -1, "expected a number" },
		{ "1.h", 3600 * S, NULL },
		{ ".h", -1, "expected a number" },
		{ "101y", -1, "unknown unit" },
		{ "5300w", -1, "out of range" },
		{ "99999999999999999999s", -1, "out of range" },
	};
	size_t i;
	int64_t us;
	int rc;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		us = -2;
		rc = fp_duration_parse(cases[i].in, &us);
		if (cases[i].us >= 0) {
			if (rc != 0 || us != cases[i].us)
				fail_msg("'%s': rc %d, %lld us, want %lld (%s)",
				    cases[i].in, rc, (long long)us,
				    (long long)cases[i].us, fp_errmsg());
		} else if (rc != -1 || strstr(fp_errmsg(), cases[i].msg) == NULL) {
			fail_msg("'%s': rc %d, message '%s', want '%s'", cases[i].in,
			    rc, fp_errmsg(), cases[i].msg);
		}
	}
}

/* --since and --until: a duration with or without '-' is before --now. */
static void
test_common_time_relative_to_now(void **state)
{
	static const struct {
		const char *in;
		int64_t back;	/* now - result; -1: refused */
	} cases[] = {
		{ "2h", 2 * 3600 * S },
		{ "-2h", 2 * 3600 * S },
		{ "-2h30m", 9000 * S },
		{ "14d", 14 * DAY },
		{ "2w", 14 * DAY },
		{ "now", 0 },
		{ "14", -1 },
		{ "-14", -1 },
		{ "--1h", -1 },
		{ "yesterday", -1 },
	};
	int64_t now = 1795000000 * S, us;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = fp_time_parse_rel(cases[i].in, now, &us);

		if (cases[i].back >= 0 && (rc != 0 || now - us != cases[i].back))
			fail_msg("'%s': rc %d (%s)", cases[i].in, rc, fp_errmsg());
		if (cases[i].back < 0 && rc != -1)
			fail_msg("'%s' accepted", cases[i].in);
	}
	assert_int_equal(fp_time_parse_rel("14", now, &us), -1);
	assert_non_null(strstr(fp_errmsg(), "a number needs a unit: units ns, us"));
	assert_int_equal(fp_time_parse_rel("2026-11-26T11:10:47Z", now, &us), 0);
	assert_int_equal(fp_time_parse("@600", &us), 0);
	assert_int_equal(us, 600 * S);
	/* The wall clock when no --now is given. */
	assert_int_equal(fp_time_parse("1h", &us), 0);
	assert_true(fp_now_us() - us >= 3600 * S && fp_now_us() - us < 3700 * S);
}

static void
test_common_suggest_closest(void **state)
{
	static const char *const cmds[] = { "collect", "flows", "inventory",
	    "learn", "workloads", "edges", "status", "emit", "diff", "report",
	    "graph", "merge", "version", "completion" };
	size_t n = sizeof(cmds) / sizeof(cmds[0]);

	(void)state;
	assert_string_equal(fp_cli_suggest("colect", cmds, n), "collect");
	assert_string_equal(fp_cli_suggest("collcet", cmds, n), "collect");
	assert_string_equal(fp_cli_suggest("edgse", cmds, n), "edges");
	assert_string_equal(fp_cli_suggest("worklods", cmds, n), "workloads");
	assert_string_equal(fp_cli_suggest("stat", cmds, n), "status");
	assert_string_equal(fp_cli_suggest("grahp", cmds, n), "graph");
	assert_null(fp_cli_suggest("frobnicate", cmds, n));
	assert_null(fp_cli_suggest("", cmds, n));
}

static void
test_common_clamp_strips_control_characters(void **state)
{
	(void)state;
	assert_string_equal(fp_clamp("a\nb\tc", 64), "a?b?c");
	assert_string_equal(fp_clamp("abcdef", 3), "abc...");
}

static void
test_common_name_rules(void **state)
{
	char big[260];

	(void)state;
	/* IANA_SVC_NAME: named ports */
	assert_null(k8s_check_port_name("http"));
	assert_null(k8s_check_port_name("metrics-9090"));
	assert_non_null(k8s_check_port_name("9090"));
	assert_non_null(k8s_check_port_name("a--b"));
	assert_non_null(k8s_check_port_name("-http"));
	assert_non_null(k8s_check_port_name("Http"));
	assert_non_null(k8s_check_port_name("abcdefghijklmnop"));
	/* Calico policy names: one dot at most, no per-label limit */
	memset(big, 'a', sizeof(big));
	big[100] = '.';
	big[253] = '\0';
	assert_null(calico_check_policy_name(big, 0));
	big[253] = 'a';
	big[254] = '\0';
	assert_non_null(calico_check_policy_name(big, 0));
	assert_non_null(calico_check_policy_name("knp.default.x", 0));
	assert_null(calico_check_policy_name("knp.default.x", 1));
	assert_null(calico_check_policy_name("ossg.default.Any_thing", 1));
	assert_non_null(calico_check_policy_name("a..b", 1));
}

static void
test_common_cmp_str_sorts_strings(void **state)
{
	const char *v[] = { "b", "a-b", "a", "a/b" };
	const char *key = "a/b";

	(void)state;
	qsort(v, 4, sizeof(*v), fp_cmp_str);
	assert_string_equal(v[0], "a");
	assert_string_equal(v[1], "a-b");
	assert_string_equal(v[2], "a/b");
	assert_string_equal(v[3], "b");
	assert_ptr_equal(*(const char **)bsearch(&key, v, 4, sizeof(*v),
	    fp_cmp_str), v[2]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_common_ip_parse_format_and_nets),
		cmocka_unit_test(test_common_time_round_trip),
		cmocka_unit_test(test_common_sha256_vectors),
		cmocka_unit_test(test_common_grow),
		cmocka_unit_test(test_common_proto_names_and_ports),
		cmocka_unit_test(test_common_cli_numbers_and_formats),
		cmocka_unit_test(test_common_clamp_strips_control_characters),
		cmocka_unit_test(test_common_duration_table),
		cmocka_unit_test(test_common_time_relative_to_now),
		cmocka_unit_test(test_common_suggest_closest),
		cmocka_unit_test(test_common_name_rules),
		cmocka_unit_test(test_common_cmp_str_sorts_strings),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
