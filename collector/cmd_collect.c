#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "collector/aggregate.h"
#include "collector/decode.h"
#include "collector/nflog.h"
#include "collector/nftrule.h"
#include "collector/dataplane.h"
#include "collector/pcap.h"
#include "collector/privs.h"
#include "commands.h"
#include "common/cli.h"
#include "common/err.h"
#include "common/ipaddr.h"
#include "common/out.h"
#include "common/proto.h"
#include "common/rows.h"
#include "store/store.h"
#include "common/timeutil.h"
#include "common/banned.h"

static const char collect_usage[] =
    "usage: flowpol collect [--db PATH] (--group N | --pcap FILE...)\n"
    "                       [--window SECONDS] [--flush-interval SECONDS] [--rcvbuf BYTES]\n"
    "                       [--node NAME] [--force] [--reimport]\n"
    "                       [--install-rule [--interfaces GLOB]... [--replace-rule]]\n"
    "\n"
    "Record flow events into the store: live from NFLOG group N (needs\n"
    "CAP_NET_ADMIN; stop with SIGINT or SIGTERM, which flushes and exits 0),\n"
    "or replayed from LINKTYPE_NFLOG captures (tcpdump -i nflog:N -w FILE).\n"
    "Live, something must log packets to group N: your own nft rule, or\n"
    "--install-rule (learn mode on a cluster node).\n"
    "\n"
    "  --db PATH               database (default $FLOWPOL_DB, else ./flowpol.db)\n"
    "  --group N               NFLOG group to bind, 0..65535; there is no\n"
    "                          default. Groups 1 and 2 (flow logs) and 3 (DNS\n"
    "                          logging) belong to Calico's Felix and are\n"
    "                          refused unless --force is given\n"
    "  --pcap FILE...          replay captures; each file is stored in one\n"
    "                          transaction, or not at all if it is damaged\n"
    "                          (a capture already replayed into this\n"
    "                          database is skipped with a notice)\n"
    "  --reimport              replay such a capture again (its counts add up)\n"
    "  --window SECONDS        aggregation window (default 600)\n"
    "  --flush-interval SECONDS  live: write to the store this often (default 5)\n"
    "  --rcvbuf BYTES          live: socket receive buffer (default 16 MiB; past\n"
    "                          net.core.rmem_max only as root). Events lost to\n"
    "                          a full buffer are counted in the health table\n"
    "  --node NAME             node label of the rows (default: the hostname)\n"
    "  --force                 allow binding NFLOG group 1, 2 or 3\n"
    "  --install-rule          with --group: install the nftables table\n"
    "                          'inet flowpol' (never Calico's tables) whose\n"
    "                          chains on the forward, input and output hooks,\n"
    "                          at priority filter - 10 (before Calico's filter\n"
    "                          chains), log the first packet of each new\n"
    "                          connection (ct state new) entering or leaving\n"
    "                          a pod interface to group N. The table is\n"
    "                          deleted on exit (also after SIGTERM/SIGINT).\n"
    "                          If it already exists, collect refuses to start\n"
    "                          (exit 2) unless --replace-rule is given\n"
    "  --interfaces GLOB       pod interfaces for --install-rule: a name or a\n"
    "                          prefix with a final '*'; repeat the option or\n"
    "                          separate with commas (default 'cali*' for\n"
    "                          Calico; Azure CNI: 'azv*', AWS VPC CNI: 'eni*')\n"
    "  --replace-rule          with --install-rule: delete a table 'inet\n"
    "                          flowpol' left behind (for instance by a killed\n"
    "                          collector) and install a fresh one\n";

static volatile sig_atomic_t stop_requested;

static void
on_stop(int sig)
{
	(void)sig;
	stop_requested = 1;
}

/* State shared by the live and replay paths: one decode path for both. */
struct collect {
	long long rcvbuf;	/* live: receive buffer bytes, 0 default */
	struct agg *agg;
	uint32_t next_seq;
	int seq_known;
	const char *source;	/* for the first-malformed warning */
	int warned_malformed;
	/* replay: totals for the summary line, progress on a terminal */
	uint64_t events, malformed, lost;
	size_t flows, windows, files;
	int64_t start_us, last_progress_us;
	int progress_shown;
};

/* A clock that only moves forward, in microseconds. */
static int64_t
mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * FP_USEC + ts.tv_nsec / 1000;
}

/*
 * Progress on stderr, only when it is a terminal and the replay has taken
 * over two seconds; once a second at most, overwriting one line.
 */
static void
replay_progress(struct collect *c, const char *path, size_t off, size_t size,
    uint64_t events)
{
	int64_t now = mono_us();

	if (now - c->start_us < 2 * FP_USEC ||
	    now - c->last_progress_us < FP_USEC || !isatty(STDERR_FILENO))
		return;
	c->last_progress_us = now;
	c->progress_shown = 1;
	fprintf(stderr, "\rflowpol: collect: pcap '%s': %llu events, %.0f%%\033[K",
	    fp_clamp(path, 128), (unsigned long long)events,
	    size > 0 ? 100.0 * (double)off / (double)size : 100.0);
}

static int
collect_event(struct collect *c, const uint8_t *msg, size_t len, int flags,
    int64_t fallback_us, size_t base_off)
{
	struct decode_event ev;
	enum decode_result r;
	const char *why = "";
	size_t where = 0;
	int64_t ts;
	uint32_t gap;

	r = decode_nflog(msg, len, flags, &ev, &why, &where);
	ts = ev.ts_us >= 0 ? ev.ts_us : fallback_us;
	if (agg_count(c->agg, ts, AGG_RECEIVED, 1) < 0)
		return -1;
	if (ev.has_seq) {
		/*
		 * The kernel numbers each logged event of the group; a jump
		 * forward is events it dropped (socket buffer full). A step back
		 * (a wrap, or a capture of two runs) restarts the count.
		 */
		gap = ev.seq - c->next_seq;
		if (c->seq_known && gap != 0 && gap < 0x80000000u &&
		    agg_count(c->agg, ts, AGG_LOST, gap) < 0)
			return -1;
		c->next_seq = ev.seq + 1;
		c->seq_known = 1;
	}
	switch (r) {
	case DECODE_OK:
		if (agg_count(c->agg, ts, AGG_DECODED, 1) < 0 ||
		    agg_add(c->agg, &ev, ts) < 0)
			return -1;
		break;
	case DECODE_FRAGMENT:
		return agg_count(c->agg, ts, AGG_FRAGMENTS, 1);
	case DECODE_UNSUPPORTED:
		return agg_count(c->agg, ts, AGG_UNSUPPORTED, 1);
	case DECODE_MALFORMED:
		if (!c->warned_malformed) {
			fp_warn("%s: byte offset %zu: malformed event: %s (counted "
			    "in health; further ones counted silently)", c->source,
			    base_off + where, why);
			c->warned_malformed = 1;
		}
		return agg_count(c->agg, ts, AGG_MALFORMED, 1);
	}
	return 0;
}

/* The replay marker, written in the transaction that stores the rows. */
struct marker {
	const char *key;
	int reimport;
	int seen;		/* OUT: another run marked it first */
};

/*
 * Test hook, for the race test only: with FLOWPOL_TEST_MARKER_HOOK=PATH
 * the collector creates PATH at the moment it writes the marker (holding
 * the transaction with the rows) and waits, up to a minute, until PATH is
 * removed. The test tries to write meanwhile from another connection.
 */
static void
marker_hook(void)
{
	const char *p = getenv("FLOWPOL_TEST_MARKER_HOOK");
	FILE *f;
	int i;

	if (p == NULL || *p == '\0' || (f = fopen(p, "wx")) == NULL)
		return;
	fclose(f);
	for (i = 0; i < 6000 && access(p, F_OK) == 0; i++)
		usleep(10000);
}

static int
write_marker(void *arg, struct store *st)
{
	struct marker *m = arg;
	char *seen = NULL, when[FP_TIMESTRLEN];

	/* Checked again under the write lock: a concurrent replay of the
	 * same capture that committed first wins, this one stores nothing. */
	if (store_meta_get(st, m->key, &seen) < 0)
		return -1;
	if (seen != NULL && !m->reimport) {
		free(seen);
		m->seen = 1;
		return 1;
	}
	free(seen);
	marker_hook();
	return store_meta_set(st, m->key, fp_time_format(fp_now_us(), when));
}

static int
replay_file(struct collect *c, struct store *st, const char *path,
    const char *node, int reimport)
{
	char key[96], oldkey[64], hex[SHA256_HEXLEN], *seen = NULL;
	struct pcap_reader *r = NULL;
	struct marker m;
	struct {
		uint64_t events, malformed, lost, flows, windows;
	} got;
	const uint8_t *data;
	size_t len, off, size;
	uint64_t events = 0;
	int64_t ts;
	char src[600];
	int n, rc, ret = -1;

	if (pcap_open(&r, path) < 0)
		goto out;
	pcap_fingerprint(r, hex);
	size = pcap_size(r);
	snprintf(key, sizeof(key), "replayed:sha256:%s", hex);
	/* Markers of older releases: FNV-1a of both ends and the size. */
	snprintf(oldkey, sizeof(oldkey), "replayed:%016llx:%lld",
	    (unsigned long long)pcap_fingerprint_v1(r), (long long)pcap_size(r));
	if (store_meta_get(st, key, &seen) < 0)
		goto out;
	if (seen != NULL && !reimport) {
		fp_warn("pcap '%s': already replayed into this database (%s, same "
		    "SHA-256); skipped: --reimport adds its events again",
		    fp_clamp(path, 256), seen);
		free(seen);
		ret = 0;
		goto out;
	}
	free(seen);
	seen = NULL;
	if (!reimport && store_meta_get(st, oldkey, &seen) < 0)
		goto out;
	if (seen != NULL) {
		fp_warn("pcap '%s': an older flowpol replayed a capture of this size "
		    "with the same first and last MiB into this database (%s); it "
		    "may be this one, so it is not replayed: --reimport replays it",
		    fp_clamp(path, 256), seen);
		free(seen);
		ret = 0;
		goto out;
	}
	snprintf(src, sizeof(src), "pcap '%s'", path);
	c->source = src;
	c->warned_malformed = 0;
	c->seq_known = 0;
	while ((n = pcap_next(r, &data, &len, &ts, &off)) > 0) {
		if (collect_event(c, data, len, pcap_decode_flags(r), ts,
		    off + PCAP_RECHDR) < 0)
			goto out;
		if ((++events & 0xffff) == 0)
			replay_progress(c, path, off, size, events);
	}
	if (n < 0)
		goto out;
	/* Rows, health and the marker: one transaction, all or nothing. */
	m.key = key;
	m.reimport = reimport;
	m.seen = 0;
	got.events = agg_counter_total(c->agg, AGG_RECEIVED);
	got.malformed = agg_counter_total(c->agg, AGG_MALFORMED);
	got.lost = agg_counter_total(c->agg, AGG_LOST);
	got.flows = agg_flows(c->agg);
	got.windows = agg_windows(c->agg);
	if ((rc = agg_flush_with(c->agg, st, node, write_marker, &m)) < 0)
		goto out;
	if (rc > 0) {
		agg_reset(c->agg);
		fp_warn("pcap '%s': replayed into this database by another run "
		    "meanwhile (same SHA-256); nothing of this run was stored",
		    fp_clamp(path, 256));
	} else {
		c->events += got.events;
		c->malformed += got.malformed;
		c->lost += got.lost;
		c->flows += got.flows;
		c->windows += got.windows;
		c->files++;
	}
	ret = 0;
out:
	if (ret < 0) {
		/* A damaged file is stored not at all, so a fixed re-run is exact. */
		char msg[FP_ERRMAX];

		agg_reset(c->agg);
		snprintf(msg, sizeof(msg), "%s", fp_errmsg());
		fp_error("%s; nothing from this file was stored", msg);
	}
	pcap_free(r);
	return ret;
}

static int
node_check(const char *node)
{
	const char *p;

	if (*node == '\0' || strlen(node) > 253)
		return fp_error("option --node: name must be 1 to 253 characters");
	/*
	 * Node names are DNS names; a byte outside printable ASCII would be
	 * stored as is and break 'flows --format json' (not UTF-8).
	 */
	for (p = node; *p; p++) {
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return fp_error("option --node: control character in name");
		if ((unsigned char)*p >= 0x80)
			return fp_error("option --node: byte %zu: name must be "
			    "printable ASCII", (size_t)(p - node));
	}
	return 0;
}

/* Called by the live reader for each NFLOG message. */
static int
live_event(void *arg, const uint8_t *msg, size_t len, int64_t recv_us)
{
	return collect_event(arg, msg, len, 0, recv_us, 0);
}

/* --install-rule and its options. */
struct rule_opts {
	int install, replace;
	size_t nglobs;
	char globs[NFTRULE_MAX_GLOBS][32];
};

/* One --interfaces value: GLOB[,GLOB...]; duplicates are dropped. */
static int
rule_add_globs(struct rule_opts *ro, const char *arg)
{
	const char *p = arg, *end;
	char one[32];
	size_t n, i;

	for (;;) {
		end = strchr(p, ',');
		n = end ? (size_t)(end - p) : strlen(p);
		if (n >= sizeof(one))
			return fp_error("option --interfaces: glob '%s': longer than "
			    "an interface name (15 characters)", fp_clamp(p, 64));
		memcpy(one, p, n);
		one[n] = '\0';
		if (nftrule_glob_check(one) < 0)
			return -1;
		for (i = 0; i < ro->nglobs && strcmp(ro->globs[i], one) != 0; i++)
			;
		if (i == ro->nglobs) {
			if (ro->nglobs == NFTRULE_MAX_GLOBS)
				return fp_error("option --interfaces: more than %d globs",
				    NFTRULE_MAX_GLOBS);
			memcpy(ro->globs[ro->nglobs++], one, n + 1);
		}
		if (end == NULL)
			return 0;
		p = end + 1;
	}
}

static int
run_live(struct collect *c, struct store *st, long long group,
    int64_t flush_us, const char *node, const struct rule_opts *ro)
{
	const char *globs[NFTRULE_MAX_GLOBS];
	struct nftrule *rule = NULL;
	struct nflog_reader *nr = NULL;
	size_t i;
	struct nflog_stats stats;
	struct sigaction sa;
	char rmerr[FP_ERRMAX] = "", saved[FP_ERRMAX];
	int64_t next_flush;
	size_t pflows;
	uint64_t pevents;
	int ret = -1, rc;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: the signal must wake the wait in nflog_reader_run. */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (nflog_reader_open(&nr, (int)group, (int)c->rcvbuf) < 0)
		goto out;
	/*
	 * The socket is bound: from here on only CAP_NET_ADMIN is kept (for
	 * nft, which installs and removes the table, as an ambient
	 * capability), and nothing can be regained.
	 */
	if (privs_keep_net_admin() < 0)
		goto out;
	/*
	 * The group is bound before the table logs to it: the first logged
	 * packet already has a reader (the kernel drops events of a group
	 * nobody listens to, uncounted).
	 */
	if (ro->install && !stop_requested) {
		for (i = 0; i < ro->nglobs; i++)
			globs[i] = ro->globs[i];
		if (nftrule_install(&rule, (int)group, globs, ro->nglobs,
		    ro->replace) < 0)
			goto out;
	}
	c->source = "nflog";
	/* We created the group's instance, so its numbering starts at 0. */
	c->seq_known = 1;
	c->next_seq = 0;
	next_flush = fp_now_us() + flush_us;
	while (!stop_requested) {
		rc = nflog_reader_run(nr, live_event, c, next_flush, &stop_requested);
		if (rc < 0)
			goto out;
		if (fp_now_us() >= next_flush) {
			if (agg_flush(c->agg, st, node) < 0) {
				/* Kept in memory; a locked store is retried. */
				fp_warn("%s (kept in memory, retrying)", fp_errmsg());
			}
			next_flush = fp_now_us() + flush_us;
		}
	}
	/*
	 * Flush and delete the table first, so nothing new is logged; then
	 * read what the kernel logged up to that moment: nothing is lost. A
	 * failed removal still lets the events be read and stored, then makes
	 * the exit status 2.
	 */
	if (nftrule_remove(rule) < 0)
		snprintf(rmerr, sizeof(rmerr), "%s", fp_errmsg());
	if (nflog_reader_drain(nr, live_event, c) < 0)
		goto out;
	if (rmerr[0] != '\0') {
		fp_error("%s", rmerr);
		goto out;
	}
	ret = 0;
out:
	/*
	 * Every exit path after the install removes the table (only the first
	 * call acts); the error that brought us here stays the one reported.
	 */
	snprintf(saved, sizeof(saved), "%s", fp_errmsg());
	if (nftrule_remove(rule) < 0)
		fp_warn("%s", fp_errmsg());
	if (ret < 0)
		fp_error("%s", saved);
	nftrule_free(rule);
	if (nr != NULL) {
		nflog_reader_stats(nr, &stats);
		if (stats.enobufs > 0)
			fp_warn("nflog group %lld: the socket buffer overflowed %llu "
			    "times; %llu events lost in all (see the health table)",
			    group, (unsigned long long)stats.enobufs,
			    (unsigned long long)agg_counter_total(c->agg, AGG_LOST));
	}
	nflog_reader_free(nr);
	/* Whatever happened, what was received is stored before exiting. */
	agg_pending(c->agg, &pflows, &pevents);
	if (agg_flush(c->agg, st, node) < 0) {
		/* Say exactly what is lost, on every path. */
		char msg[FP_ERRMAX];

		snprintf(msg, sizeof(msg), "%s", fp_errmsg());
		fp_error("%s; dropped: %zu flows from %llu events received since "
		    "the last write were not stored", msg, pflows,
		    (unsigned long long)pevents);
		if (ret == 0)
			return -1;
		fp_warn("%s", fp_errmsg());
	}
	return ret;
}

int
cmd_collect(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "group", required_argument, NULL, 'g' },
		{ "pcap", no_argument, NULL, 'p' },
		{ "window", required_argument, NULL, 'w' },
		{ "flush-interval", required_argument, NULL, 'f' },
		{ "node", required_argument, NULL, 'n' },
		{ "force", no_argument, NULL, 'F' },
		{ "reimport", no_argument, NULL, 'r' },
		{ "rcvbuf", required_argument, NULL, 'b' },
		{ "install-rule", no_argument, NULL, 'I' },
		{ "interfaces", required_argument, NULL, 'i' },
		{ "replace-rule", no_argument, NULL, 'R' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct collect c;
	struct rule_opts ro;
	struct store *st = NULL;
	const char *db = NULL, *node = NULL;
	char host[256];
	long long group = -1, window = 600, flush = 5;
	int opt, pcap = 0, force = 0, reimport = 0, i, ret = FP_EXIT_ERR;

	memset(&c, 0, sizeof(c));
	memset(&ro, 0, sizeof(ro));
	while ((opt = fp_getopt(argc, argv, "", opts)) != -1) {
		switch (opt) {
		case 'd':
			db = optarg;
			break;
		case 'g':
			if (fp_cli_long("group", optarg, 0, 65535, &group) < 0)
				return fp_cli_usage_error("collect", collect_usage,
				    "%s", fp_errmsg());
			break;
		case 'p':
			pcap = 1;
			break;
		case 'w':
			if (fp_cli_long("window", optarg, 1, 86400 * 7, &window) < 0)
				return fp_cli_usage_error("collect", collect_usage,
				    "%s", fp_errmsg());
			break;
		case 'f':
			if (fp_cli_long("flush-interval", optarg, 1, 3600, &flush) < 0)
				return fp_cli_usage_error("collect", collect_usage,
				    "%s", fp_errmsg());
			break;
		case 'n':
			node = optarg;
			break;
		case 'F':
			force = 1;
			break;
		case 'r':
			reimport = 1;
			break;
		case 'b':
			if (fp_cli_long("rcvbuf", optarg, 4096, 1LL << 30,
			    &c.rcvbuf) < 0)
				return fp_cli_usage_error("collect", collect_usage,
				    "%s", fp_errmsg());
			break;
		case 'I':
			ro.install = 1;
			break;
		case 'i':
			if (rule_add_globs(&ro, optarg) < 0)
				return fp_cli_usage_error("collect", collect_usage,
				    "%s", fp_errmsg());
			break;
		case 'R':
			ro.replace = 1;
			break;
		case 'h':
			return fp_cli_help(collect_usage);
		default:
			return fp_cli_bad_option("collect", collect_usage, opts, argv);
		}
	}
	if (pcap == (group >= 0))
		return fp_cli_usage_error("collect", collect_usage,
		    "give exactly one of --group N or --pcap FILE...");
	for (i = optind; pcap && i < argc; i++)
		if (strcmp(argv[i], "-") == 0)
			return fp_cli_usage_error("collect", collect_usage,
			    "--pcap reads files, not stdin (captures are mapped "
			    "into memory): write the capture to a file first");
	if (pcap && optind >= argc)
		return fp_cli_usage_error("collect", collect_usage,
		    "--pcap needs at least one FILE");
	if (!pcap && optind < argc)
		return fp_cli_usage_error("collect", collect_usage,
		    "unexpected argument '%s'", fp_clamp(argv[optind], 64));
	if ((ro.nglobs > 0 || ro.replace) && !ro.install)
		return fp_cli_usage_error("collect", collect_usage,
		    "--interfaces and --replace-rule go with --install-rule");
	if (ro.install && pcap)
		return fp_cli_usage_error("collect", collect_usage,
		    "--install-rule needs --group N, not --pcap");
	if (ro.install && ro.nglobs == 0) {
		/* Calico's default InterfacePrefix. */
		memcpy(ro.globs[0], "cali*", sizeof("cali*"));
		ro.nglobs = 1;
	}
	if (!pcap && group >= 1 && group <= 3 && !force)
		return fp_fail("collect: nflog group %lld is one of Calico's groups "
		    "(Felix: 1 inbound and 2 outbound flow logs, 3 DNS logging); "
		    "pick another group for your own log rule, or give --force",
		    group);
	if (node == NULL) {
		if (gethostname(host, sizeof(host)) < 0)
			return fp_fail("collect: hostname: %s; give --node",
			    strerror(errno));
		host[sizeof(host) - 1] = '\0';
		node = host;
	}
	if (node_check(node) < 0)
		return fp_cli_usage_error("collect", collect_usage, "%s",
		    fp_errmsg());
	if (!pcap) {
		char evidence[128];
		int r = dp_calico_bpf(DP_BPF_GLOBALS, evidence, sizeof(evidence));

		if (r < 0)
			return fp_report();
		if (r > 0)
			return fp_fail("collect: Calico's eBPF dataplane runs on "
			    "this node (%s): pod traffic bypasses netfilter, so NFLOG "
			    "would record nothing; learn on a cluster (or node pool) "
			    "whose Calico uses the iptables or nftables dataplane "
			    "(FelixConfiguration bpfEnabled: false)", evidence);
	}
	if (agg_new(&c.agg, window) < 0)
		goto out;
	if (store_open(&st, db, STORE_CREATE) < 0)
		goto out;
	if (pcap) {
		c.start_us = mono_us();
		for (i = optind; i < argc; i++)
			if (replay_file(&c, st, argv[i], node, reimport) < 0)
				goto out;
		if (c.progress_shown)
			fputs("\r\033[K", stderr);
		/* One line, as inventory and learn print. */
		printf("collect: %zu of %d capture%s replayed: %llu events, %zu flows "
		    "in %zu window%s, %llu malformed, %llu lost, %.1f s\n", c.files,
		    argc - optind, argc - optind == 1 ? "" : "s",
		    (unsigned long long)c.events, c.flows, c.windows,
		    c.windows == 1 ? "" : "s",
		    (unsigned long long)c.malformed, (unsigned long long)c.lost,
		    (double)(mono_us() - c.start_us) / (double)FP_USEC);
		if (fp_out_flush("collect") < 0)
			goto out;
	} else if (run_live(&c, st, group, flush * FP_USEC, node, &ro) < 0) {
		goto out;
	}
	ret = FP_EXIT_OK;
out:
	if (ret != FP_EXIT_OK)
		fp_report();
	agg_free(c.agg);
	store_free(st);
	return ret;
}

static const char flows_usage[] =
    "usage: flowpol flows [--db PATH] [-o table|tsv|json|yaml]\n"
    "\n"
    "Print the stored flows sorted by window, node, source, destination,\n"
    "protocol and port. Columns: window_start node src dst proto dport\n"
    "packets first_seen last_seen; times are RFC 3339 UTC, dport is TYPE/CODE\n"
    "for ICMP and ICMPv6, empty for protocols without ports. json and yaml\n"
    "(kind FlowList) give dport as a number (null without ports), icmp_type\n"
    "and icmp_code.\n"
    "\n"
    "  --db PATH            database (default $FLOWPOL_DB or ./flowpol.db)\n"
    "  -o, --output FORMAT  table (default on a terminal), tsv (default when\n"
    "                       piped), json or yaml; --format is an alias\n";

static const struct fp_col flow_cols[] = {
	{ "window_start", FP_COL_TIME, 0 },
	{ "node", FP_COL_STR, 0 },
	{ "src", FP_COL_STR, 0 },
	{ "dst", FP_COL_STR, 0 },
	{ "proto", FP_COL_STR, 0 },
	FP_COLS_PORT("dport"),
	{ "packets", FP_COL_INT, 0 },
	{ "first_seen", FP_COL_TIME, 0 },
	{ "last_seen", FP_COL_TIME, 0 },
};

static int
print_flows(struct store *st, enum fp_format fmt)
{
	sqlite3_stmt *s = NULL;
	struct fp_rows *r = NULL;
	struct fp_ip src, dst;
	char sbuf[FP_IPSTRLEN], dbuf[FP_IPSTRLEN], pbuf[16];
	int rc, proto, ret = -1;
	long long row = 0;

	if (store_prepare(st, &s, "SELECT window_start, node, src, dst, proto,"
	    " dport, packets, first_seen, last_seen FROM flows ORDER BY"
	    " window_start, node, length(src), src, length(dst), dst, proto,"
	    " dport") < 0 || fp_rows_begin(&r, stdout, fmt, "FlowList") < 0)
		goto out;
	fp_rows_list(r, "items", flow_cols, sizeof(flow_cols) / sizeof(flow_cols[0]));
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		row++;
		if (fp_ip_from_blob(&src, sqlite3_column_blob(s, 2),
		    (size_t)sqlite3_column_bytes(s, 2)) < 0 ||
		    fp_ip_from_blob(&dst, sqlite3_column_blob(s, 3),
		    (size_t)sqlite3_column_bytes(s, 3)) < 0) {
			fp_error("store '%s': flows row %lld: address is not 4 or 16 "
			    "bytes", store_path(st), row);
			goto out;
		}
		proto = sqlite3_column_int(s, 4);
		fp_rows_time(r, sqlite3_column_int64(s, 0) * FP_USEC);
		fp_rows_str(r, (const char *)sqlite3_column_text(s, 1));
		fp_rows_str(r, fp_ip_format(&src, sbuf));
		fp_rows_str(r, fp_ip_format(&dst, dbuf));
		fp_rows_str(r, fp_proto_name(proto, pbuf, sizeof(pbuf)));
		fp_rows_port(r, proto, sqlite3_column_int(s, 5));
		fp_rows_int(r, (long long)sqlite3_column_int64(s, 6));
		fp_rows_time(r, sqlite3_column_int64(s, 7));
		fp_rows_time(r, sqlite3_column_int64(s, 8));
	}
	if (rc != SQLITE_DONE) {
		store_sqlerr(st, "reading flows");
		goto out;
	}
	ret = fp_rows_end(r);
	r = NULL;
out:
	fp_rows_end(r);
	sqlite3_finalize(s);
	return ret;
}

int
cmd_flows(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "output", required_argument, NULL, 'f' },
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct store *st = NULL;
	const char *db = NULL;
	enum fp_format fmt = fp_cli_listing_format();
	int opt, ret = FP_EXIT_ERR;

	while ((opt = fp_getopt(argc, argv, "o:", opts)) != -1) {
		switch (opt) {
		case 'd':
			db = optarg;
			break;
		case 'o':
		case 'f':
			if (fp_cli_format(optarg, FP_LISTING_FORMATS, &fmt) < 0)
				return fp_cli_usage_error("flows", flows_usage, "%s",
				    fp_errmsg());
			break;
		case 'h':
			return fp_cli_help(flows_usage);
		default:
			return fp_cli_bad_option("flows", flows_usage, opts, argv);
		}
	}
	if (optind < argc)
		return fp_cli_usage_error("flows", flows_usage,
		    "unexpected argument '%s'", fp_clamp(argv[optind], 64));
	if (store_open(&st, db, STORE_READONLY) < 0 || print_flows(st, fmt) < 0 ||
	    fp_out_flush("flows") < 0)
		goto out;
	ret = FP_EXIT_OK;
out:
	if (ret != FP_EXIT_OK)
		fp_report();
	store_free(st);
	return ret;
}
