#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "common/cli.h"
#include "common/err.h"
#include "store/store.h"
#include "common/banned.h"

static const char usage[] =
    "usage: flowpol merge OUT.db IN.db...\n"
    "       flowpol merge --db OUT.db IN.db...\n"
    "\n"
    "Merge per-node databases (flows, collector health, inventory) into OUT.db,\n"
    "created if missing (in rollback-journal mode, so that it reads from a\n"
    "read-only place or a network volume), so that learn can run centrally.\n"
    "Rows are keyed by\n"
    "node, so each node's records are taken once: merging the same input twice,\n"
    "or a database into itself, changes nothing. The whole merge is one\n"
    "transaction: on any error OUT.db is left as it was. With --db, every\n"
    "argument is an input and --db names the output; merge never writes to\n"
    "$FLOWPOL_DB or ./flowpol.db unless named.\n"
    "\n"
    "  --db OUT.db   the output (then every argument is an input)\n";

/*
 * One entry per table: the columns read from each input (in its primary-key
 * order, so the output's B-trees grow in runs) and the statement that takes
 * one such row into OUT. A row already present (same key) is the same record
 * seen again, never new traffic: counters take the larger value and times
 * widen, so re-merging is idempotent. Inventory rows seen by several
 * databases: where they disagree, the row seen later is the newer truth
 * (labels, owner, when it went away); the times it was seen widen.
 */
static const struct merge_table {
	const char *select;	/* from the input */
	const char *insert;	/* into OUT, one row: ?1.. are the columns */
} merge_tables[] = {
	{ "SELECT window_start, node, src, dst, proto, dport, packets,"
	  " first_seen, last_seen FROM flows",
	  "INSERT INTO flows VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
	  " ON CONFLICT(window_start, node, src, dst, proto, dport) DO UPDATE SET"
	  " packets = max(packets, excluded.packets),"
	  " first_seen = min(first_seen, excluded.first_seen),"
	  " last_seen = max(last_seen, excluded.last_seen)" },

	{ "SELECT window_start, node, window_len, received, decoded, malformed,"
	  " lost, fragments, unsupported FROM health",
	  "INSERT INTO health VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
	  " ON CONFLICT(window_start, node) DO UPDATE SET"
	  " received = max(received, excluded.received),"
	  " decoded = max(decoded, excluded.decoded),"
	  " malformed = max(malformed, excluded.malformed),"
	  " lost = max(lost, excluded.lost),"
	  " fragments = max(fragments, excluded.fragments),"
	  " unsupported = max(unsupported, excluded.unsupported)" },

	{ "SELECT taken_at, source, kinds, objects FROM snapshots"
	  " ORDER BY taken_at, id",
	  "INSERT INTO snapshots(taken_at, source, kinds, objects)"
	  " SELECT ?1, ?2, ?3, ?4 WHERE NOT EXISTS (SELECT 1 FROM snapshots"
	  " WHERE taken_at = ?1 AND source = ?2 AND kinds = ?3)" },

	{ "SELECT name, labels, first_seen, last_seen FROM namespaces",
	  "INSERT INTO namespaces VALUES (?1, ?2, ?3, ?4)"
	  " ON CONFLICT(name) DO UPDATE SET"
	  " labels = CASE WHEN excluded.last_seen > last_seen THEN excluded.labels ELSE labels END,"
	  " first_seen = min(first_seen, excluded.first_seen),"
	  " last_seen = max(last_seen, excluded.last_seen)" },

	{ "SELECT name, labels, first_seen, last_seen FROM nodes",
	  "INSERT INTO nodes VALUES (?1, ?2, ?3, ?4)"
	  " ON CONFLICT(name) DO UPDATE SET"
	  " labels = CASE WHEN excluded.last_seen > last_seen THEN excluded.labels ELSE labels END,"
	  " first_seen = min(first_seen, excluded.first_seen),"
	  " last_seen = max(last_seen, excluded.last_seen)" },

	{ "SELECT uid, namespace, name, node, service_account, host_network,"
	  " live, owner_kind, owner_name, controller_kind, controller_name,"
	  " labels, workload, created, deleted, first_seen, last_seen, gone_at,"
	  " finished FROM pods",
	  "INSERT INTO pods(uid, namespace, name, node, service_account,"
	  " host_network, live, owner_kind, owner_name, controller_kind,"
	  " controller_name, labels, workload, created, deleted, first_seen,"
	  " last_seen, gone_at, finished) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7,"
	  " ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)"
	  " ON CONFLICT(uid) DO UPDATE SET"
	  " namespace = CASE WHEN excluded.last_seen > last_seen THEN excluded.namespace ELSE namespace END,"
	  " name = CASE WHEN excluded.last_seen > last_seen THEN excluded.name ELSE name END,"
	  " node = CASE WHEN excluded.last_seen > last_seen THEN excluded.node ELSE node END,"
	  " service_account = CASE WHEN excluded.last_seen > last_seen THEN excluded.service_account ELSE service_account END,"
	  " host_network = CASE WHEN excluded.last_seen > last_seen THEN excluded.host_network ELSE host_network END,"
	  " owner_kind = CASE WHEN excluded.last_seen > last_seen THEN excluded.owner_kind ELSE owner_kind END,"
	  " owner_name = CASE WHEN excluded.last_seen > last_seen THEN excluded.owner_name ELSE owner_name END,"
	  " controller_kind = CASE WHEN excluded.last_seen > last_seen THEN excluded.controller_kind ELSE controller_kind END,"
	  " controller_name = CASE WHEN excluded.last_seen > last_seen THEN excluded.controller_name ELSE controller_name END,"
	  " labels = CASE WHEN excluded.last_seen > last_seen THEN excluded.labels ELSE labels END,"
	  " workload = CASE WHEN excluded.last_seen > last_seen THEN excluded.workload ELSE workload END,"
	  " created = CASE WHEN excluded.last_seen > last_seen THEN excluded.created ELSE created END,"
	  " deleted = CASE WHEN excluded.last_seen > last_seen THEN excluded.deleted ELSE deleted END,"
	  " gone_at = CASE WHEN excluded.last_seen > last_seen THEN excluded.gone_at ELSE gone_at END,"
	  " live = max(live, excluded.live),"
	  " finished = coalesce(finished, excluded.finished),"
	  " first_seen = min(first_seen, excluded.first_seen),"
	  " last_seen = max(last_seen, excluded.last_seen)" },

	{ "SELECT uid, labels, first_seen, last_seen FROM pod_labels",
	  "INSERT INTO pod_labels VALUES (?1, ?2, ?3, ?4)"
	  " ON CONFLICT(uid, labels) DO UPDATE SET"
	  " first_seen = min(first_seen, excluded.first_seen),"
	  " last_seen = max(last_seen, excluded.last_seen)" },

	{ "SELECT ip, owner_kind, owner, valid_from, valid_to, seen_first,"
	  " seen_last, gone_at FROM endpoints",
	  "INSERT INTO endpoints VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
	  " ON CONFLICT(ip, owner_kind, owner, seen_first) DO UPDATE SET"
	  " valid_to = CASE WHEN excluded.seen_last > seen_last THEN excluded.valid_to ELSE valid_to END,"
	  " gone_at = CASE WHEN excluded.seen_last > seen_last THEN excluded.gone_at ELSE gone_at END,"
	  " valid_from = min(valid_from, excluded.valid_from),"
	  " seen_last = max(seen_last, excluded.seen_last)" },

	{ "SELECT namespace, name, selector, cluster_ips, first_seen, last_seen,"
	  " type, traffic_policy, source_ranges FROM services",
	  "INSERT INTO services(namespace, name, selector, cluster_ips,"
	  " first_seen, last_seen, type, traffic_policy, source_ranges)"
	  " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
	  " ON CONFLICT(namespace, name) DO UPDATE SET"
	  " selector = CASE WHEN excluded.last_seen > last_seen THEN excluded.selector ELSE selector END,"
	  " cluster_ips = CASE WHEN excluded.last_seen > last_seen THEN excluded.cluster_ips ELSE cluster_ips END,"
	  " type = CASE WHEN excluded.last_seen > last_seen THEN excluded.type ELSE type END,"
	  " traffic_policy = CASE WHEN excluded.last_seen > last_seen THEN excluded.traffic_policy ELSE traffic_policy END,"
	  " source_ranges = CASE WHEN excluded.last_seen > last_seen THEN excluded.source_ranges ELSE source_ranges END,"
	  " first_seen = min(first_seen, excluded.first_seen),"
	  " last_seen = max(last_seen, excluded.last_seen)" },

	{ "SELECT net, prefix, source FROM networks",
	  "INSERT OR IGNORE INTO networks VALUES (?1, ?2, ?3)" },

	{ "SELECT namespace, kind, name, owner_kind, owner_name FROM controllers",
	  "INSERT OR IGNORE INTO controllers VALUES (?1, ?2, ?3, ?4, ?5)" },

	{ "SELECT node, ip, type, first_seen, last_seen FROM node_addresses",
	  "INSERT INTO node_addresses VALUES (?1, ?2, ?3, ?4, ?5)"
	  " ON CONFLICT(node, ip, type) DO UPDATE SET"
	  " first_seen = min(first_seen, excluded.first_seen),"
	  " last_seen = max(last_seen, excluded.last_seen)" },

	{ "SELECT namespace, name, port_name, proto, port, target_port, node_port"
	  " FROM service_ports",
	  "INSERT OR IGNORE INTO service_ports VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)" },

	{ "SELECT namespace, slice, service, ip, ready, node, first_seen, last_seen"
	  " FROM slice_endpoints",
	  "INSERT INTO slice_endpoints VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
	  " ON CONFLICT(namespace, slice, ip) DO UPDATE SET"
	  " ready = max(ready, excluded.ready),"
	  " first_seen = min(first_seen, excluded.first_seen),"
	  " last_seen = max(last_seen, excluded.last_seen)" },

	{ "SELECT namespace, slice, service, port_name, proto, port FROM slice_ports",
	  "INSERT OR IGNORE INTO slice_ports VALUES (?1, ?2, ?3, ?4, ?5, ?6)" },

	{ "SELECT uid, port_name, proto, port FROM pod_ports",
	  "INSERT OR IGNORE INTO pod_ports VALUES (?1, ?2, ?3, ?4)" },
};

#define NTABLES (sizeof(merge_tables) / sizeof(merge_tables[0]))

/*
 * Copy every row of one table of in into out through ins (prepared on out):
 * values pass through unchanged, whatever their type. 0 or -1 (fp_error).
 */
static int
merge_table(struct store *out, sqlite3_stmt *ins, struct store *in,
    const struct merge_table *t)
{
	sqlite3_stmt *sel = NULL;
	int rc, i, n, ret = -1;

	if (store_prepare(in, &sel, t->select) < 0)
		return -1;
	n = sqlite3_column_count(sel);
	while ((rc = sqlite3_step(sel)) == SQLITE_ROW) {
		for (i = 0; i < n; i++)
			sqlite3_bind_value(ins, i + 1, sqlite3_column_value(sel, i));
		if (sqlite3_step(ins) != SQLITE_DONE) {
			store_sqlerr(out, "merging a row");
			sqlite3_reset(ins);
			goto out;
		}
		sqlite3_reset(ins);
	}
	if (rc != SQLITE_DONE) {
		store_sqlerr(in, "reading");
		goto out;
	}
	ret = 0;
out:
	sqlite3_finalize(sel);
	return ret;
}

/* Merge one input, opened read-only on its own connection. */
static int
merge_one(struct store *out, sqlite3_stmt **ins, const char *path)
{
	struct store *in = NULL;
	size_t i;
	int ret = -1;

	if (store_open(&in, path, STORE_READONLY) < 0)
		return -1;
	for (i = 0; i < NTABLES; i++)
		if (merge_table(out, ins[i], in, &merge_tables[i]) < 0)
			goto out;
	ret = 0;
out:
	store_free(in);
	return ret;
}

int
cmd_merge(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "db", required_argument, NULL, 'd' },
		{ NULL, 0, NULL, 0 },
	};
	sqlite3_stmt *ins[NTABLES] = { NULL };
	struct store *out = NULL;
	const char *db = NULL;
	size_t t;
	int c, i, first, ret = FP_EXIT_ERR;

	while ((c = fp_getopt(argc, argv, "h", opts)) != -1) {
		switch (c) {
		case 'd':
			if (*optarg == '\0')
				return fp_cli_usage_error("merge", usage,
				    "option --db: empty path");
			db = optarg;
			break;
		case 'h':
			return fp_cli_help(usage);
		default:
			return fp_cli_bad_option("merge", usage, opts, argv);
		}
	}
	/* The output is --db, else the first argument: never implicit. */
	if (db == NULL) {
		if (optind >= argc)
			return fp_cli_usage_error("merge", usage,
			    "need OUT.db (or --db OUT.db) and at least one IN.db");
		db = argv[optind++];
	}
	first = optind;
	if (first >= argc)
		return fp_cli_usage_error("merge", usage, "need at least one IN.db");
	/*
	 * Every input is checked before OUT.db is created or touched, and
	 * again when it is read (store_open: defensively, its schema compared
	 * with its version's, so node names come only from its own rows).
	 */
	for (i = first; i < argc; i++) {
		if (store_open(&out, argv[i], STORE_READONLY) < 0)
			return fp_report();
		store_free(out);
		out = NULL;
	}
	/* Published for others to read: rollback journal, readable anywhere. */
	if (store_open(&out, db, STORE_CREATE | STORE_PUBLISH) < 0)
		return fp_report();
	/*
	 * One transaction for all inputs, so that on any error OUT.db is left
	 * as it was. Each input is read on its own connection and its rows are
	 * streamed through one prepared statement per table: memory stays flat
	 * whatever the number of inputs (SQLite's ATTACH would cap it at ten).
	 */
	for (t = 0; t < NTABLES; t++)
		if (store_prepare(out, &ins[t], merge_tables[t].insert) < 0)
			goto out;
	if (store_exec(out, "PRAGMA cache_size = -262144") < 0 ||
	    store_begin(out) < 0)
		goto out;
	for (i = first; i < argc; i++) {
		if (merge_one(out, ins, argv[i]) < 0) {
			fp_error_prefix("merge '%s'", fp_clamp(argv[i], 200));
			store_rollback(out);
			goto out;
		}
	}
	if (store_commit(out) < 0)
		goto out;
	ret = FP_EXIT_OK;
out:
	if (ret != FP_EXIT_OK)
		fp_report();
	for (t = 0; t < NTABLES; t++)
		sqlite3_finalize(ins[t]);
	store_free(out);
	return ret;
}
