#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "common/cli.h"
#include "common/err.h"
#include "common/fileio.h"
#include "store/model.h"
#include "store/store.h"
#include "common/timeutil.h"
#include "common/ipaddr.h"
#include "common/out.h"
#include "common/proto.h"
#include "common/rows.h"
#include "common/k8sname.h"
#include "learner/graph.h"
#include "learner/inventory.h"
#include "common/banned.h"

/* Largest inventory file read (kubectl JSON of ~100k pods fits). */
#define INVENTORY_MAX ((size_t)512 << 20)

static const char inventory_usage[] =
    "usage: flowpol inventory [--db PATH] [--at TIME] FILE...\n"
    "       flowpol inventory [--db PATH] [--at TIME] --watch [FILE...]\n"
    "\n"
    "Import a snapshot of the cluster: the output of\n"
    "  kubectl get pods,namespaces,nodes,services -A -o json   (or -o yaml)\n"
    "  calicoctl get workloadendpoints -A -o yaml\n"
    "FILE '-' reads stdin. All FILEs form one snapshot taken at TIME\n"
    "(RFC 3339, @UNIXSECONDS, now; default now). Snapshots are imported in\n"
    "time order. A failed import stores nothing.\n"
    "\n"
    "  --db PATH   the database (default $FLOWPOL_DB, else ./flowpol.db)\n"
    "  --at TIME   when the snapshot was taken (with --watch: of every event)\n"
    "  --watch     read streams of objects as `kubectl get KIND -A -o json\n"
    "              --watch --output-watch-events` prints them, one per FILE\n"
    "              (named pipes; default stdin), all in one process, and\n"
    "              record each as it arrives: adds,\n"
    "              updates, IP changes, deletes (DELETED events, or the\n"
    "              deletionTimestamp), finished pods. Objects are stored as\n"
    "              they complete; a bad object stops the watch (exit 2)\n"
    "              keeping what was stored before it. A List in a stream\n"
    "              (`kubectl get KIND -A -o json`, sent when a watch starts)\n"
    "              is a snapshot of its kinds: owners it lacks are gone.\n"
    "              SIGTERM stops the watch (exit 0).\n";

#define WATCH_OBJECT_MAX ((size_t)64 << 20)	/* largest single object */

struct wstream {
	const char *name;
	int fd, json, eof;
	char *buf;
	size_t len, cap;
	size_t scan;		/* JSON: bytes of the current object scanned */
	int depth, in_str, esc;
	size_t line, offset;	/* of buf[0] in the whole stream */
	size_t objects, events;
};

static void
advance(struct wstream *w, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (w->buf[i] == '\n')
			w->line++;
	w->offset += n;
	memmove(w->buf, w->buf + n, w->len - n);
	w->len -= n;
}

/*
 * The length of the next complete object in w->buf (after skipping blanks),
 * 0 if none is complete yet, -1 on bad input. JSON: a balanced {...}; YAML:
 * text up to a "---" line (or the end of the stream).
 */
static long
next_object(struct wstream *w, size_t *start)
{
	size_t i = 0, j;

	while (i < w->len && (w->buf[i] == ' ' || w->buf[i] == '\n' ||
	    w->buf[i] == '\r' || w->buf[i] == '\t'))
		i++;
	if (w->json < 0 && i < w->len)
		w->json = w->buf[i] == '{';
	if (i > 0) {
		advance(w, i);
		w->scan = 0;
	}
	*start = 0;
	if (w->len == 0)
		return 0;
	if (w->json) {
		if (w->scan == 0) {
			if (w->buf[0] != '{')
				return fp_error("inventory: '%s': line %zu: byte offset %zu: "
				    "expected '{' to start an object", w->name, w->line + 1,
				    w->offset);
			w->depth = w->in_str = w->esc = 0;
		}
		for (i = w->scan; i < w->len; i++) {
			char ch = w->buf[i];

			if (w->in_str) {
				if (w->esc)
					w->esc = 0;
				else if (ch == '\\')
					w->esc = 1;
				else if (ch == '"')
					w->in_str = 0;
			} else if (ch == '"') {
				w->in_str = 1;
			} else if (ch == '{' || ch == '[') {
				w->depth++;
			} else if ((ch == '}' || ch == ']') && --w->depth == 0) {
				w->scan = 0;
				return (long)(i + 1);
			}
		}
		w->scan = w->len;
		return 0;
	}
	/*
	 * YAML: up to the next line that is exactly "---". `kubectl -w -o yaml`
	 * writes the separator before each object but the first, never after
	 * one (kubernetes/kubernetes#117075), so an object is known complete
	 * only when the next begins or the stream ends: prefer -o json, whose
	 * objects are complete at their closing brace.
	 */
	for (i = 0; i < w->len; i = j + 1) {
		const char *nl = memchr(w->buf + i, '\n', w->len - i);

		j = nl ? (size_t)(nl - w->buf) : w->len;
		if (i > 0 && j - i >= 3 && memcmp(w->buf + i, "---", 3) == 0 &&
		    (j - i == 3 || w->buf[i + 3] == ' ' || w->buf[i + 3] == '\r'))
			return (long)i;
		if (nl == NULL)
			break;
	}
	return w->eof ? (long)w->len : 0;
}

/* Set by SIGTERM/SIGINT: stop reading, keep what was stored, exit 0. */
static volatile sig_atomic_t watch_stop;

static void
watch_on_signal(int sig)
{
	(void)sig;
	watch_stop = 1;
}

struct watch {
	struct store *st;
	int64_t fixed_at, last_at;
	struct inv *pending;	/* watch events not stored yet */
	size_t npending;	/* good objects in pending */
	size_t objects, batches, listings;
};

/*
 * The time of a store: --at, else now, but never before the previous one
 * (a clock stepped back must not make a listing look out of order).
 */
static int64_t
watch_time(struct watch *wa)
{
	int64_t t = wa->fixed_at != INT64_MIN ? wa->fixed_at : fp_now_us();

	if (t < wa->last_at)
		t = wa->last_at;
	wa->last_at = t;
	return t;
}

static int
watch_flush(struct watch *wa)
{
	int r;

	if (wa->pending == NULL)
		return 0;
	r = wa->npending == 0 ? 0 : inv_store(wa->pending, wa->st,
	    watch_time(wa), "watch", INV_WATCH);
	inv_free(wa->pending);
	wa->pending = NULL;
	wa->npending = 0;
	if (r == 0)
		wa->batches++;
	return r;
}

/*
 * One complete object of stream w. A List (what `kubectl get KIND -A -o
 * json` prints, which the watcher script sends each time it starts or
 * restarts a watch) is a complete listing of its kinds: it is stored on its
 * own as a snapshot, which closes the owners of those kinds it no longer
 * lists (deleted while no watch was running). Everything else is a watch
 * event, batched in wa->pending. Only an object whose text says "items" can
 * be a List; it is parsed on its own first to find out.
 */
static int
watch_object(struct watch *wa, struct wstream *w, size_t olen)
{
	struct inv *one = NULL;
	struct inv_counts n;
	char why[FP_ERRMAX];
	int ret = -1;

	if (memmem(w->buf, olen, "items", 5) != NULL) {
		if (inv_new(&one) < 0)
			goto out;
		if (inv_parse_at(one, w->name, w->buf, olen, w->line,
		    w->offset) < 0)
			goto bad;
		inv_counts(one, &n);
		if (n.lists > 0) {
			char src[300];

			snprintf(src, sizeof(src), "watch listing '%s'",
			    fp_clamp(w->name, 200));
			/*
			 * A listing with nothing imported names no kind, so it
			 * closes nothing: no snapshot.
			 */
			if (n.pods + n.weps + n.namespaces + n.nodes + n.services +
			    n.controllers > 0) {
				if (watch_flush(wa) < 0 || inv_store(one, wa->st,
				    watch_time(wa), src, 0) < 0)
					goto out;
				wa->listings++;
			}
			wa->objects++;
			ret = 0;
			goto out;
		}
	}
	if (wa->pending == NULL && inv_new(&wa->pending) < 0)
		goto out;
	if (inv_parse_at(wa->pending, w->name, w->buf, olen, w->line,
	    w->offset) < 0)
		goto bad;
	wa->objects++;
	wa->npending++;
	ret = 0;
	goto out;
bad:
	/* Keep the good objects before the bad one (stored by the caller). */
	snprintf(why, sizeof(why), "%s", fp_errmsg());
	fp_error("%s", why);
out:
	inv_free(one);
	return ret;
}

/* Read what stream w has now and handle its complete objects. */
static int
watch_read(struct watch *wa, struct wstream *w)
{
	size_t start;
	ssize_t n;
	long olen;
	char *p;

	if (w->len == w->cap) {
		if (w->cap >= WATCH_OBJECT_MAX)
			return fp_error("inventory: '%s': line %zu: an object larger "
			    "than %zu bytes", w->name, w->line + 1, WATCH_OBJECT_MAX);
		w->cap = w->cap ? w->cap * 2 : 65536;
		if ((p = realloc(w->buf, w->cap + 1)) == NULL)
			return fp_error("inventory: out of memory");
		w->buf = p;
	}
	n = read(w->fd, w->buf + w->len, w->cap - w->len);
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return 0;
	if (n < 0)
		return fp_error("inventory: '%s': %s", w->name, strerror(errno));
	if (n == 0)
		w->eof = 1;
	w->len += (size_t)n;
	while ((olen = next_object(w, &start)) > 0) {
		if (watch_object(wa, w, (size_t)olen) < 0)
			return -1;
		advance(w, (size_t)olen);
		w->scan = 0;
	}
	if (olen < 0)
		return -1;
	if (w->eof && w->len > 0)
		return fp_error("inventory: '%s': line %zu: the stream ends inside "
		    "an object", w->name, w->line + 1);
	return 0;
}

/*
 * Several streams (one `kubectl get KIND --watch` per kind: kubectl watches
 * one kind at a time) read in one process, so one writer owns the database.
 * Each poll round stores the events read in one transaction. Ends when
 * every stream has ended, or at SIGTERM/SIGINT (exit 0: what was read is
 * stored, the rest will come again as the next start's listing).
 */
static int
watch_streams(struct store *st, char **paths, int npaths, int64_t fixed_at)
{
	struct watch wa;
	struct wstream *ws;
	struct pollfd *pf = NULL;
	struct sigaction sa;
	int i, open_streams = 0, ret = -1, r;

	memset(&wa, 0, sizeof(wa));
	wa.st = st;
	wa.fixed_at = fixed_at;
	wa.last_at = INT64_MIN;
	if ((ws = calloc((size_t)npaths, sizeof(*ws))) == NULL ||
	    (pf = calloc((size_t)npaths, sizeof(*pf))) == NULL) {
		free(ws);
		return fp_error("inventory: out of memory");
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = watch_on_signal;	/* no SA_RESTART: poll returns */
	sigemptyset(&sa.sa_mask);
	/*
	 * Kept until the process exits: a SIGTERM that arrives after every
	 * stream has ended (the watcher stops its feeders and flowpol at
	 * once) must still mean exit 0, not the default action's death.
	 */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	for (i = 0; i < npaths; i++) {
		ws[i].name = paths[i];
		ws[i].json = -1;
		ws[i].fd = -1;
	}
	/*
	 * Open in order. A named pipe's open waits for its writer, as the
	 * watcher script starts one writer per pipe before flowpol.
	 */
	for (i = 0; i < npaths && !watch_stop; i++) {
		if (strcmp(paths[i], "-") == 0) {
			ws[i].fd = 0;
		} else {
			while ((ws[i].fd = open(paths[i], O_RDONLY | O_CLOEXEC)) < 0 &&
			    errno == EINTR && !watch_stop)
				;
			if (ws[i].fd < 0 && !watch_stop) {
				fp_error("inventory: '%s': %s", fp_clamp(paths[i], 200),
				    strerror(errno));
				goto out;
			}
		}
		open_streams++;
	}
	while (open_streams > 0 && !watch_stop) {
		for (i = 0; i < npaths; i++) {
			pf[i].fd = ws[i].eof ? -1 : ws[i].fd;
			pf[i].events = POLLIN;
			pf[i].revents = 0;
		}
		r = poll(pf, (nfds_t)npaths, -1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			fp_error("inventory: poll: %s", strerror(errno));
			goto out;
		}
		for (i = 0; i < npaths; i++) {
			if (pf[i].fd < 0 || pf[i].revents == 0)
				continue;
			if (watch_read(&wa, &ws[i]) < 0) {
				char why[FP_ERRMAX];

				snprintf(why, sizeof(why), "%s", fp_errmsg());
				if (watch_flush(&wa) == 0)
					fp_error("%s", why);
				goto out;
			}
			if (ws[i].eof)
				open_streams--;
		}
		if (watch_flush(&wa) < 0)
			goto out;
	}
	if (watch_flush(&wa) < 0)
		goto out;
	if (watch_stop) {
		int partial = 0;

		for (i = 0; i < npaths; i++)
			partial |= ws[i].len > 0;
		fprintf(stderr, "flowpol: inventory: stopped by a signal; every "
		    "complete object was stored%s\n", partial ?
		    " (the one arriving was not complete)" : "");
	}
	printf("inventory: watched %zu objects in %zu batches", wa.objects,
	    wa.batches);
	if (wa.listings > 0)
		printf(", %zu listings stored as snapshots", wa.listings);
	printf("%s\n", watch_stop ? " (stopped by a signal)" : "");
	ret = 0;
out:
	inv_free(wa.pending);
	for (i = 0; i < npaths; i++) {
		free(ws[i].buf);
		if (ws[i].fd > 0)
			close(ws[i].fd);
	}
	free(ws);
	free(pf);
	return ret;
}

int
cmd_inventory(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "at", required_argument, NULL, 'a' },
		{ "watch", no_argument, NULL, 'w' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *db = NULL;
	struct store *st = NULL;
	struct inv *inv = NULL;
	struct inv_counts n;
	char *buf = NULL, *source = NULL, tbuf[FP_TIMESTRLEN];
	size_t len, slen = 0, used = 0;
	int64_t at = fp_now_us();
	int c, i, ret = FP_EXIT_ERR, watch = 0, have_at = 0;

	while ((c = fp_getopt(argc, argv, "", opts)) != -1) {
		switch (c) {
		case 'd':
			db = optarg;
			break;
		case 'a':
			if (fp_time_parse_past(optarg, &at) < 0)
				return fp_cli_usage_error(argv[0], inventory_usage,
				    "option --at: %s", fp_errmsg());
			have_at = 1;
			break;
		case 'w':
			watch = 1;
			break;
		case 'h':
			return fp_cli_help(inventory_usage);
		default:
			return fp_cli_bad_option(argv[0], inventory_usage, opts, argv);
		}
	}
	if (watch) {
		static char *stdin_only[] = { "-" };
		int dashes = 0;

		for (i = optind; i < argc; i++)
			dashes += strcmp(argv[i], "-") == 0;
		if (dashes > 1)
			return fp_cli_usage_error(argv[0], inventory_usage,
			    "--watch reads stdin ('-') once");
		if (store_open(&st, db, STORE_CREATE) < 0 ||
		    watch_streams(st, optind < argc ? argv + optind : stdin_only,
		    optind < argc ? argc - optind : 1,
		    have_at ? at : INT64_MIN) < 0)
			ret = fp_report();
		else
			ret = FP_EXIT_OK;
		store_free(st);
		return ret;
	}
	if (optind >= argc)
		return fp_cli_usage_error(argv[0], inventory_usage,
		    "no FILE given");
	if (inv_new(&inv) < 0)
		goto out;
	for (i = optind; i < argc; i++)
		slen += strlen(argv[i]) + 2;
	if ((source = malloc(slen + 1)) == NULL) {
		fp_error("inventory: out of memory");
		goto out;
	}
	source[0] = '\0';
	for (i = optind; i < argc; i++) {
		if (fp_read_file(argv[i], INVENTORY_MAX, &buf, &len) < 0) {
			fp_error_prefix("inventory");
			goto out;
		}
		if (inv_parse(inv, argv[i], buf, len) < 0)
			goto out;
		free(buf);
		buf = NULL;
		used += (size_t)snprintf(source + used, slen + 1 - used, "%s%s",
		    used ? ", " : "", argv[i]);
	}
	if (store_open(&st, db, STORE_CREATE) < 0 ||
	    inv_store(inv, st, at, source, 0) < 0)
		goto out;
	inv_counts(inv, &n);
	printf("inventory: snapshot at %s: %zu pods, %zu workload endpoints, "
	    "%zu namespaces, %zu nodes, %zu services, %zu owner references, "
	    "%zu other objects ignored\n", fp_time_format(at, tbuf), n.pods,
	    n.weps, n.namespaces, n.nodes, n.services, n.controllers, n.ignored);
	ret = FP_EXIT_OK;
out:
	if (ret != FP_EXIT_OK)
		ret = fp_report();
	free(buf);
	free(source);
	inv_free(inv);
	store_free(st);
	return ret;
}

static const char learn_usage[] =
    "usage: flowpol learn [--db PATH] [--since T] [--until T] [--allow-empty]\n"
    "                     [--volatile-label KEY]... [--cluster-cidr CIDR]...\n"
    "\n"
    "Resolve every flow to the owner of each address at that time, group pods\n"
    "into workloads with minimal stable selectors, and store the traffic\n"
    "graph (replacing the previous model). Flows whose owner is ambiguous are\n"
    "set aside and counted, never guessed.\n"
    "\n"
    "  --since T, --until T     learning period (RFC 3339, @SECONDS, or a\n"
    "                           duration before now: 2h30m, 14d, 2w)\n"
    "  --allow-empty            learn even if no flow falls in the period (a\n"
    "                           model that allows nothing); without it that is\n"
    "                           an error naming the flows the database holds\n"
    "  --volatile-label KEY     a label key never to use in selectors (repeat)\n"
    "  --cluster-cidr CIDR      the cluster's pod/service ranges (repeat); an\n"
    "                           unowned address inside is unknown, outside\n"
    "                           external (default: inferred from the inventory)\n";

#define MAX_OPTS 256

int
cmd_learn(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "since", required_argument, NULL, 's' },
		{ "until", required_argument, NULL, 'u' },
		{ "volatile-label", required_argument, NULL, 'v' },
		{ "cluster-cidr", required_argument, NULL, 'c' },
		{ "allow-empty", no_argument, NULL, 'E' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *db = NULL, *vol[MAX_OPTS];
	char per[FP_PERIODLEN];
	struct fp_ip cidrs[MAX_OPTS];
	int prefixes[MAX_OPTS];
	struct learn_opts o;
	struct learn_stats stats;
	struct store *st = NULL;
	int c, ret;

	memset(&o, 0, sizeof(o));
	o.since = INT64_MIN;
	o.until = INT64_MAX;
	while ((c = fp_getopt(argc, argv, "", opts)) != -1) {
		switch (c) {
		case 'd':
			db = optarg;
			break;
		case 's':
		case 'u':
			if (fp_time_parse(optarg, c == 's' ? &o.since : &o.until) < 0)
				return fp_cli_usage_error(argv[0], learn_usage,
				    "option --%s: %s", c == 's' ? "since" : "until",
				    fp_errmsg());
			break;
		case 'v': {
			const char *why = k8s_check_label_key(optarg);

			if (o.nvolatile >= MAX_OPTS)
				return fp_cli_usage_error(argv[0], learn_usage,
				    "option --volatile-label: too many");
			if (why != NULL)
				return fp_cli_usage_error(argv[0], learn_usage,
				    "option --volatile-label: '%s' is not a label "
				    "key: %s", fp_clamp(optarg, 64), why);
			vol[o.nvolatile++] = optarg;
			break;
		}
		case 'c':
			if (o.ncidrs >= MAX_OPTS ||
			    fp_cidr_parse(&cidrs[o.ncidrs], &prefixes[o.ncidrs],
			    optarg) < 0)
				return fp_cli_usage_error(argv[0], learn_usage,
				    "option --cluster-cidr: '%s' is not a CIDR",
				    fp_clamp(optarg, 64));
			o.ncidrs++;
			break;
		case 'E':
			o.allow_empty = 1;
			break;
		case 'h':
			return fp_cli_help(learn_usage);
		default:
			return fp_cli_bad_option(argv[0], learn_usage, opts, argv);
		}
	}
	if (optind < argc)
		return fp_cli_usage_error(argv[0], learn_usage,
		    "unexpected argument '%s'", fp_clamp(argv[optind], 64));
	if (o.since > o.until)
		return fp_cli_usage_error(argv[0], learn_usage,
		    "--since is after --until");
	o.volatile_keys = vol;
	o.cidrs = cidrs;
	o.prefixes = prefixes;
	o.notes = stderr;
	/*
	 * The flows are read once in order and grouped in memory, and the
	 * edges are written in key order: a page cache beyond the default
	 * would only hold pages read once (and count in the peak RSS).
	 */
	if (store_open(&st, db, 0) < 0 ||
	    learn_run(st, &o, &stats) < 0) {
		ret = fp_report();
		goto out;
	}
	printf("learn: %zu pods in %zu workloads (%zu merged); %zu flows: "
	    "%zu resolved, %zu ambiguous, %zu unknown; %zu edges (period: %s)\n",
	    stats.pods, stats.workloads, stats.merged, stats.flows,
	    stats.resolved, stats.ambiguous, stats.unknown, stats.edges,
	    fp_period_format(o.since, o.until, per));
	if (stats.host_local > 0)
		printf("learn: %zu flows from a pod's own node need no rule (Calico "
		    "does not police host-to-local-workload traffic)\n",
		    stats.host_local);
	if (stats.link_local > 0)
		printf("learn: %zu IPv6 link-local or neighbour discovery flows "
		    "skipped (Felix allows them before any policy)\n",
		    stats.link_local);
	if (stats.dns[0] != '\0')
		printf("learn: dns: %s\n", stats.dns);
	ret = FP_EXIT_OK;
out:
	store_free(st);
	return ret;
}

/* What the listing commands share: --db, -o, -n/-A, --now. */
struct list_opts {
	const char *db;
	enum fp_format fmt;
	struct fp_nsfilter ns;
};

static int
list_args(int argc, char **argv, const char *usage, struct list_opts *lo,
    int64_t *now)
{
	/* --now only where it means something (status). */
#define LIST_OPTS \
		{ "db", required_argument, NULL, 'd' }, \
		{ "output", required_argument, NULL, 'o' }, \
		{ "format", required_argument, NULL, 'o' }, \
		{ "namespace", required_argument, NULL, 'n' }, \
		{ "all-namespaces", no_argument, NULL, 'A' }, \
		{ "help", no_argument, NULL, 'h' }
	static const struct option opts_now[] = {
		LIST_OPTS,
		{ "now", required_argument, NULL, 'N' },
		{ NULL, 0, NULL, 0 }
	};
	static const struct option opts_plain[] = {
		LIST_OPTS,
		{ NULL, 0, NULL, 0 }
	};
#undef LIST_OPTS
	const struct option *opts = now != NULL ? opts_now : opts_plain;
	int c;

	memset(lo, 0, sizeof(*lo));
	lo->fmt = fp_cli_listing_format();
	while ((c = fp_getopt(argc, argv, "o:n:Ah", opts)) != -1) {
		switch (c) {
		case 'd':
			lo->db = optarg;
			break;
		case 'o':
			if (fp_cli_format(optarg, FP_LISTING_FORMATS, &lo->fmt) < 0)
				return fp_cli_usage_error(argv[0], usage, "%s",
				    fp_errmsg());
			break;
		case 'n':
			if (fp_ns_add(&lo->ns, optarg) < 0)
				return fp_cli_usage_error(argv[0], usage, "%s",
				    fp_errmsg());
			break;
		case 'A':
			lo->ns.n = 0;
			break;
		case 'N':
			if (fp_time_parse(optarg, now) < 0)
				return fp_cli_usage_error(argv[0], usage,
				    "option --now: %s", fp_errmsg());
			break;
		case 'h':
			fp_cli_help(usage);
			return 1;
		default:
			return fp_cli_bad_option(argv[0], usage, opts, argv);
		}
	}
	if (optind < argc)
		return fp_cli_usage_error(argv[0], usage, "unexpected argument '%s'",
		    fp_clamp(argv[optind], 64));
	return 0;
}

#define LIST_USAGE_OPTIONS \
    "  --db PATH              database (default $FLOWPOL_DB or ./flowpol.db)\n" \
    "  -o, --output FORMAT    table (default on a terminal), tsv (default\n" \
    "                         when piped), json or yaml; --format is an alias\n" \
    "  -n, --namespace NS     only namespace NS (repeat for more)\n" \
    "  -A, --all-namespaces   every namespace (the default)\n"

static const char workloads_usage[] =
    "usage: flowpol workloads [--db PATH] [-o table|tsv|json|yaml] [-n NS]... [-A]\n"
    "\n"
    "Print the learned workloads, sorted by namespace and name. Columns:\n"
    "namespace, name, kind, selector (Calico syntax), pods; json and yaml\n"
    "(kind WorkloadList) add members (a list), exact, and host_network\n"
    "(its pods share their node's network: Calico gives them no endpoint,\n"
    "so emit writes no policy for them; peers reach them as the node set).\n"
    "\n"
    LIST_USAGE_OPTIONS;

static const struct fp_col workload_cols[] = {
	{ "namespace", FP_COL_STR, 0 },
	{ "name", FP_COL_STR, 0 },
	{ "kind", FP_COL_STR, 0 },
	{ "selector", FP_COL_STR, 0 },
	{ "pods", FP_COL_INT, 0 },
	{ "members", FP_COL_LIST, FP_COL_DATA },
	{ "exact", FP_COL_BOOL, FP_COL_DATA },
	{ "host_network", FP_COL_BOOL, FP_COL_DATA },
};

int
cmd_workloads(int argc, char **argv)
{
	struct list_opts lo;
	struct store *st = NULL;
	struct model *m = NULL;
	struct fp_rows *r = NULL;
	const struct model_workload *wl;
	size_t i, n;
	int rc, ret;

	if ((rc = list_args(argc, argv, workloads_usage, &lo, NULL)) != 0)
		return rc == 1 ? FP_EXIT_OK : rc;
	if (store_open(&st, lo.db, STORE_READONLY) < 0 || model_open(&m, st) < 0 ||
	    model_workloads(m, &wl, &n) < 0 ||
	    fp_rows_begin(&r, stdout, lo.fmt, "WorkloadList") < 0) {
		ret = fp_report();
		goto out;
	}
	fp_rows_list(r, "items", workload_cols,
	    sizeof(workload_cols) / sizeof(workload_cols[0]));
	for (i = 0; i < n; i++) {
		if (!fp_ns_keep(&lo.ns, wl[i].ns))
			continue;
		fp_rows_str(r, wl[i].ns);
		fp_rows_str(r, wl[i].name);
		fp_rows_str(r, wl[i].kind);
		fp_rows_str(r, wl[i].selector);
		fp_rows_int(r, (long long)wl[i].pods);
		fp_rows_list_csv(r, wl[i].members);
		fp_rows_bool(r, wl[i].exact);
		fp_rows_bool(r, wl[i].host_network);
	}
	ret = fp_rows_end(r) < 0 || fp_out_flush("workloads") < 0 ?
	    fp_report() : FP_EXIT_OK;
	r = NULL;
out:
	fp_rows_end(r);
	model_free(m);
	store_free(st);
	return ret;
}

static const char edges_usage[] =
    "usage: flowpol edges [--db PATH] [-o table|tsv|json|yaml] [-n NS]... [-A]\n"
    "\n"
    "Print the learned edges, sorted. Columns: src, dst, proto, port,\n"
    "connections, first_seen, last_seen. A peer is namespace/workload,\n"
    "node:IP, external:IP or unknown:IP. With -n, an edge is kept when\n"
    "either end is in one of the namespaces. json and yaml (kind EdgeList)\n"
    "give port as a number (null without ports), icmp_type and icmp_code,\n"
    "and nodes (the nodes that logged it) as a list.\n"
    "\n"
    LIST_USAGE_OPTIONS;

static const struct fp_col edge_cols[] = {
	{ "src", FP_COL_STR, 0 },
	{ "dst", FP_COL_STR, 0 },
	{ "proto", FP_COL_STR, 0 },
	FP_COLS_PORT("port"),
	{ "connections", FP_COL_INT, 0 },
	{ "first_seen", FP_COL_TIME, 0 },
	{ "last_seen", FP_COL_TIME, 0 },
	{ "nodes", FP_COL_LIST, FP_COL_DATA },
};

int
cmd_edges(int argc, char **argv)
{
	struct list_opts lo;
	struct store *st = NULL;
	struct model *m = NULL;
	struct model_edges *it = NULL;
	struct model_edge e;
	struct fp_rows *r = NULL;
	char pbuf[32];
	int rc, ret;

	if ((rc = list_args(argc, argv, edges_usage, &lo, NULL)) != 0)
		return rc == 1 ? FP_EXIT_OK : rc;
	if (store_open(&st, lo.db, STORE_READONLY) < 0 || model_open(&m, st) < 0 ||
	    model_edges_open(m, &it) < 0 ||
	    fp_rows_begin(&r, stdout, lo.fmt, "EdgeList") < 0) {
		ret = fp_report();
		goto out;
	}
	fp_rows_list(r, "items", edge_cols, sizeof(edge_cols) / sizeof(edge_cols[0]));
	while ((rc = model_edges_next(it, &e)) == 1) {
		if (!fp_ns_keep_peer(&lo.ns, e.src.text) &&
		    !fp_ns_keep_peer(&lo.ns, e.dst.text))
			continue;
		fp_rows_str(r, e.src.text);
		fp_rows_str(r, e.dst.text);
		fp_rows_str(r, fp_proto_name(e.proto, pbuf, sizeof(pbuf)));
		fp_rows_port(r, e.proto, e.port);
		fp_rows_int(r, (long long)e.connections);
		fp_rows_time(r, e.first_seen);
		fp_rows_time(r, e.last_seen);
		fp_rows_list_csv(r, e.nodes);
	}
	if (rc < 0) {
		ret = fp_report();
		goto out;
	}
	ret = fp_rows_end(r) < 0 || fp_out_flush("edges") < 0 ?
	    fp_report() : FP_EXIT_OK;
	r = NULL;
out:
	fp_rows_end(r);
	model_edges_close(it);
	model_free(m);
	store_free(st);
	return ret;
}

static const char status_usage[] =
    "usage: flowpol status [--db PATH] [-o table|tsv|json|yaml] [-n NS]... [-A]\n"
    "                      [--now TIME]\n"
    "\n"
    "Learning coverage per namespace as of the last `flowpol learn`: flows\n"
    "touching it, how many resolved, ambiguous (set aside) or unknown (an\n"
    "in-cluster address without owner), when its newest edge first appeared\n"
    "and seconds since then (relative to --now, default now). Then collector\n"
    "loss per node in the learning period (health table): events received,\n"
    "lost (NFLOG sequence gaps, ENOBUFS), malformed. Namespace '-' holds\n"
    "flows that touch no namespace. json and yaml (kind Status) have\n"
    "learned_at and the lists namespaces and collector.\n"
    "\n"
    LIST_USAGE_OPTIONS
    "  --now TIME             the time ages are measured to\n";

static const struct fp_col coverage_cols[] = {
	{ "namespace", FP_COL_STR, 0 },
	{ "flows", FP_COL_INT, 0 },
	{ "resolved", FP_COL_INT, 0 },
	{ "ambiguous", FP_COL_INT, 0 },
	{ "unknown", FP_COL_INT, 0 },
	{ "last_new_edge", FP_COL_TIME, 0 },
	{ "since_last_new_edge", FP_COL_INT, 0 },
};

static const struct fp_col health_cols[] = {
	{ "node", FP_COL_STR, 0 },
	{ "windows", FP_COL_INT, 0 },
	{ "received", FP_COL_INT, 0 },
	{ "lost", FP_COL_INT, 0 },
	{ "malformed", FP_COL_INT, 0 },
	{ "loss_percent", FP_COL_REAL, 0 },
};

/* A time learn recorded in meta (unix µs), else dflt. */
static int
meta_time(struct store *st, const char *key, int64_t dflt, int64_t *out)
{
	char *v = NULL;

	if (store_meta_get(st, key, &v) < 0)
		return -1;
	*out = v != NULL ? strtoll(v, NULL, 10) : dflt;
	free(v);
	return 0;
}

static void
coverage_row(struct fp_rows *r, const struct model_coverage *c, int64_t now)
{
	fp_rows_str(r, *c->ns == '\0' ? "-" : c->ns);
	fp_rows_int(r, (long long)c->flows);
	fp_rows_int(r, (long long)c->resolved);
	fp_rows_int(r, (long long)c->ambiguous);
	fp_rows_int(r, (long long)c->unknown);
	if (c->has_last_new_edge) {
		fp_rows_time(r, c->last_new_edge);
		fp_rows_int(r, (long long)((now - c->last_new_edge) / FP_USEC));
	} else {
		fp_rows_null(r);
		fp_rows_null(r);
	}
}

int
cmd_status(int argc, char **argv)
{
	struct list_opts lo;
	struct store *st = NULL;
	struct model *m = NULL;
	struct model_coverage *cov = NULL;
	struct model_health *h = NULL;
	struct fp_rows *r = NULL;
	char *learned = NULL;
	int64_t now = fp_now_us(), since, until;
	size_t i, ncov = 0, nh = 0;
	int rc, ret;

	if ((rc = list_args(argc, argv, status_usage, &lo, &now)) != 0)
		return rc == 1 ? FP_EXIT_OK : rc;
	if (store_open(&st, lo.db, STORE_READONLY) < 0 ||
	    store_meta_get(st, "learn.at", &learned) < 0) {
		ret = fp_report();
		goto out;
	}
	if (learned == NULL) {
		ret = fp_fail("status: nothing learned yet: run 'flowpol learn' first");
		goto out;
	}
	/* Loss within the learning period only. */
	if (model_open(&m, st) < 0 || model_coverage(m, &cov, &ncov) < 0 ||
	    meta_time(st, "learn.since", INT64_MIN + 1, &since) < 0 ||
	    meta_time(st, "learn.until", INT64_MAX, &until) < 0 ||
	    model_health(m, since, until, &h, &nh) < 0 ||
	    fp_rows_begin(&r, stdout, lo.fmt, "Status") < 0) {
		ret = fp_report();
		goto out;
	}
	fp_rows_meta_time(r, "learned_at", strtoll(learned, NULL, 10));
	fp_rows_list(r, "namespaces", coverage_cols,
	    sizeof(coverage_cols) / sizeof(coverage_cols[0]));
	/* Namespaces by name, the flows that touch none ("-") last. */
	for (i = 0; i < ncov; i++)
		if (*cov[i].ns != '\0' && fp_ns_keep(&lo.ns, cov[i].ns))
			coverage_row(r, &cov[i], now);
	for (i = 0; i < ncov; i++)
		if (*cov[i].ns == '\0' && lo.ns.n == 0)
			coverage_row(r, &cov[i], now);
	fp_rows_list(r, "collector", health_cols,
	    sizeof(health_cols) / sizeof(health_cols[0]));
	for (i = 0; i < nh; i++) {
		long long rec = h[i].received, lost = h[i].lost;

		fp_rows_str(r, h[i].node);
		fp_rows_int(r, (long long)h[i].windows);
		fp_rows_int(r, rec);
		fp_rows_int(r, lost);
		fp_rows_int(r, (long long)h[i].malformed);
		fp_rows_real(r, rec + lost > 0 ? 100.0 * (double)lost /
		    (double)(rec + lost) : 0.0);
	}
	ret = fp_rows_end(r) < 0 || fp_out_flush("status") < 0 ?
	    fp_report() : FP_EXIT_OK;
	r = NULL;
out:
	fp_rows_end(r);
	free(learned);
	model_coverage_free(cov, ncov);
	model_health_free(h, nh);
	model_free(m);
	store_free(st);
	return ret;
}
