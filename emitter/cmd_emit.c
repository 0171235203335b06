#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "common/cli.h"
#include "common/err.h"
#include "common/ipaddr.h"
#include "store/store.h"
#include "emitter/emit.h"
#include "policy/calver.h"
#include "common/banned.h"

static const char emit_usage[] =
    "usage: flowpol emit [--db PATH] [--out DIR | -] [--granularity workload|namespace]\n"
    "                    [--exempt-namespace NS]... [--dns-selector SEL]\n"
    "                    [--dns-address ADDR]... [--strict]\n"
    "                    [--staged | --enforce-namespace NS...] [--exempt-silent]\n"
    "                    [--calico-version 3.28..3.33] [--tier NAME]\n"
    "\n"
    "Writes the least-privilege Calico policy for the learned model, layered\n"
    "from a default deny: flowpol-default-deny (pods outside the exempt\n"
    "namespaces, no rules), flowpol-allow-dns (egress to the kube-dns pods,\n"
    "UDP and TCP 53), then one policy per workload allowing exactly the\n"
    "traffic observed, by protocol and port.\n"
    "\n"
    "  --db PATH              the store (default $FLOWPOL_DB, else ./flowpol.db)\n"
    "  --out DIR | -          one file per policy in DIR (created if missing;\n"
    "                         stale generated files removed, other files left\n"
    "                         alone), or '-' for one stream on stdout (default)\n"
    "  --granularity G        workload (default) or namespace: one policy per\n"
    "                         namespace, namespace to namespace\n"
    "  --exempt-namespace NS  a namespace no policy selects (repeatable; replaces\n"
    "                         the default kube-system, calico-system,\n"
    "                         tigera-operator, gatekeeper-system, kube-public,\n"
    "                         kube-node-lease; '' for none)\n"
    "  --dns-selector SEL     selector of the DNS pods (default: the workload\n"
    "                         whose pods carry k8s-app=kube-dns)\n"
    "  --dns-address ADDR     DNS is also served at ADDR (an address or CIDR;\n"
    "                         repeatable), as NodeLocal DNSCache's 169.254.20.10,\n"
    "                         which learn finds from a node-local-dns DaemonSet\n"
    "  --strict               leave out the allows of a workload whose selector\n"
    "                         also selects other workloads (learn names them and\n"
    "                         the label to add), rather than widen them\n"
    "  --staged               write every policy as StagedGlobalNetworkPolicy:\n"
    "                         Calico logs what it would deny, enforces nothing\n"
    "  --enforce-namespace NS enforce in NS only (repeatable); stage the rest\n"
    "  --exempt-silent        leave workloads never seen talking out of the\n"
    "                         default deny (by default it isolates them; each\n"
    "                         is named on stderr either way)\n"
    "  --calico-version V     the Calico release written for (3.28 to 3.33),\n"
    "                         recorded in each file; default: the version the\n"
    "                         files in --out DIR record, else 3.33\n"
    "  --tier NAME            put the policies in tier NAME (named NAME.<name>)\n"
    "                         and write the Tier, ordered ahead of default, so\n"
    "                         flowpol's default deny decides for the pods it\n"
    "                         covers whatever other tiers below allow\n";

/*
 * The byte offset of the first byte that is not well-formed UTF-8 (no
 * overlongs, surrogates or code points above U+10FFFF), or -1. The DNS
 * selector goes into the YAML as is, and libyaml refuses such bytes with
 * no word of where.
 */
static long
utf8_invalid_at(const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, n, k;
	unsigned long cp;

	while (s[i] != '\0') {
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		if (s[i] >= 0xc2 && s[i] <= 0xdf) {
			n = 1;
			cp = s[i] & 0x1f;
		} else if (s[i] >= 0xe0 && s[i] <= 0xef) {
			n = 2;
			cp = s[i] & 0x0f;
		} else if (s[i] >= 0xf0 && s[i] <= 0xf4) {
			n = 3;
			cp = s[i] & 0x07;
		} else {
			return (long)i;
		}
		for (k = 1; k <= n; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return (long)i;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
		    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
			return (long)i;
		i += n + 1;
	}
	return -1;
}

int
cmd_emit(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "out", required_argument, NULL, 'o' },
		{ "granularity", required_argument, NULL, 'g' },
		{ "exempt-namespace", required_argument, NULL, 'x' },
		{ "dns-selector", required_argument, NULL, 's' },
		{ "staged", no_argument, NULL, 'S' },
		{ "enforce-namespace", required_argument, NULL, 'e' },
		{ "calico-version", required_argument, NULL, 'V' },
		{ "tier", required_argument, NULL, 't' },
		{ "dns-address", required_argument, NULL, 'a' },
		{ "strict", no_argument, NULL, 'T' },
		{ "exempt-silent", no_argument, NULL, 'Q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct emit_opts o;
	struct emit_result r;
	struct emit_sink sink;
	struct store *st = NULL;
	const char *db = NULL, *out = "-";
	const char **exempt = NULL, **enforce = NULL, **dnsaddr = NULL, **v;
	size_t nexempt = 0, nenforce = 0, ndnsaddr = 0, i, removed = 0;
	int c, ret = FP_EXIT_ERR;
	long bad;

	memset(&o, 0, sizeof(o));
	memset(&r, 0, sizeof(r));
	if ((exempt = calloc((size_t)argc + 1, sizeof(*exempt))) == NULL ||
	    (enforce = calloc((size_t)argc + 1, sizeof(*enforce))) == NULL ||
	    (dnsaddr = calloc((size_t)argc + 1, sizeof(*dnsaddr))) == NULL) {
		ret = fp_fail("emit: out of memory");
		goto out;
	}
	while ((c = fp_getopt(argc, argv, ":h", longopts)) != -1) {
		switch (c) {
		case 'd':
			db = optarg;
			break;
		case 'o':
			out = optarg;
			break;
		case 'g':
			if (strcmp(optarg, "workload") == 0)
				o.granularity = EMIT_WORKLOAD;
			else if (strcmp(optarg, "namespace") == 0)
				o.granularity = EMIT_NAMESPACE;
			else {
				ret = fp_cli_usage_error("emit", emit_usage,
				    "--granularity: '%s' is not workload or namespace",
				    fp_clamp(optarg, 32));
				goto out;
			}
			break;
		case 'x':
			o.exempt_set = 1;
			if (*optarg != '\0')
				exempt[nexempt++] = optarg;
			break;
		case 's':
			if ((bad = utf8_invalid_at(optarg)) >= 0) {
				ret = fp_cli_usage_error("emit", emit_usage,
				    "--dns-selector: byte %ld: not valid UTF-8", bad);
				goto out;
			}
			/*
			 * It becomes a rule's destination selector: Calico
			 * refuses "global(" there (master CRD CEL; "global()"
			 * in validator.go up to v3.32) and, from the master
			 * CRD on, more than 1024 characters. Emit what every
			 * release takes.
			 */
			if (strstr(optarg, "global(") != NULL) {
				ret = fp_cli_usage_error("emit", emit_usage,
				    "--dns-selector: global() is not allowed in "
				    "a rule selector");
				goto out;
			}
			if (strlen(optarg) > 1024) {
				ret = fp_cli_usage_error("emit", emit_usage,
				    "--dns-selector: %zu characters, a rule "
				    "selector holds at most 1024",
				    strlen(optarg));
				goto out;
			}
			o.dns_selector = optarg;
			break;
		case 'S':
			o.staged = 1;
			break;
		case 'e':
			enforce[nenforce++] = optarg;
			break;
		case 'V':
			if (pe_calver_parse(optarg, &o.calico_version) < 0) {
				fp_error_prefix("emit: --calico-version");
				ret = fp_report();
				goto out;
			}
			break;
		case 't':
			o.tier = optarg;
			break;
		case 'a': {
			struct fp_ip a;
			int prefix;

			if (fp_cidr_parse(&a, &prefix, optarg) < 0) {
				ret = fp_cli_usage_error("emit", emit_usage,
				    "--dns-address: '%s' is not an address or CIDR",
				    fp_clamp(optarg, 64));
				goto out;
			}
			dnsaddr[ndnsaddr++] = optarg;
			break;
		}
		case 'T':
			o.strict = 1;
			break;
		case 'Q':
			o.exempt_silent = 1;
			break;
		case 'h':
			ret = fp_cli_help(emit_usage);
			goto out;
		default:
			ret = fp_cli_bad_option("emit", emit_usage, longopts, argv);
			goto out;
		}
	}
	if (optind < argc) {
		ret = fp_cli_usage_error("emit", emit_usage, "unexpected argument '%s'",
		    fp_clamp(argv[optind], 64));
		goto out;
	}
	if (o.staged && nenforce > 0) {
		ret = fp_cli_usage_error("emit", emit_usage,
		    "--staged and --enforce-namespace exclude each other");
		goto out;
	}
	if (*out == '\0') {
		ret = fp_cli_usage_error("emit", emit_usage, "--out: empty path");
		goto out;
	}
	v = dnsaddr;
	o.dns_addresses = v;
	o.ndns_addresses = ndnsaddr;
	v = exempt;
	o.exempt = v;
	o.nexempt = nexempt;
	v = enforce;
	o.enforce = v;
	o.nenforce = nenforce;
	if (db == NULL)
		db = store_default_path();
	/* A rerun writes for the release the files were written for. */
	if (o.calico_version == 0 && strcmp(out, "-") != 0 &&
	    emit_recorded_version(out, &o.calico_version) < 0) {
		ret = fp_report();
		goto out;
	}
	/* Into a directory: each file compared (and written under a
	 * temporary name) as it is rendered, never the whole set at once. */
	memset(&sink, 0, sizeof(sink));
	sink.dir = out;
	sink.write = 1;
	if (store_open(&st, db, STORE_READONLY) < 0 ||
	    store_require_learned(st, "emit") < 0 ||
	    (strcmp(out, "-") == 0 ? emit_build(st, &o, &r) :
	    emit_build_to(st, &o, &sink, &r)) < 0 ||
	    emit_write(&r, out, &removed) < 0) {
		ret = fp_report();
		goto out;
	}
	for (i = 0; i < r.nnotes; i++)
		fp_warn("emit: %s", r.notes[i]);
	if (strcmp(out, "-") != 0)
		fp_warn("emit: wrote %zu policies to '%s', removed %zu stale",
		    r.ndocs, fp_clamp(out, 256), removed);
	ret = FP_EXIT_OK;
out:
	emit_result_free(&r);
	store_free(st);
	free(exempt);
	free(enforce);
	free(dnsaddr);
	return ret;
}
