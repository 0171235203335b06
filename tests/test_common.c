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
	assert_int_equal(fp_duration_parse("7d", &us), 0);
	assert_int_equal(us, 7 * 86400 * FP_USEC);
	assert_int_equal(fp_duration_parse("10x", &us), -1);
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
		cmocka_unit_test(test_common_proto_names_and_ports),
		cmocka_unit_test(test_common_cli_numbers_and_formats),
		cmocka_unit_test(test_common_clamp_strips_control_characters),
		cmocka_unit_test(test_common_name_rules),
		cmocka_unit_test(test_common_cmp_str_sorts_strings),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
