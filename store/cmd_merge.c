#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "commands.h"
#include "common/cli.h"
#include "common/err.h"
#include "store/store.h"
#include "common/banned.h"

static const char usage[] =
    "usage: flowpol merge OUT.db IN.db...\n"
    "\n"
    "Merge per-node databases (flows, collector health, inventory) into OUT.db,\n"
    "created if missing (in rollback-journal mode, so that it can be read from\n"
    "a read-only place or a network volume), so that learn can run centrally. Rows are keyed by\n"
    "node, so each node's records are taken once: merging the same input twice,\n"
    "or a database into itself, changes nothing. The whole merge is one\n"
    "transaction: on any error OUT.db is left as it was.\n";

/*
 * One statement per table. A row already present (same key) is the same
 * record seen again, never new traffic: counters take the larger value and
 * times widen, so re-merging is idempotent.
 */
static const char *const merge_sql[] = {
	"INSERT INTO main.flows SELECT window_start, node, src, dst, proto, dport,"
	" packets, first_seen, last_seen FROM src.flows WHERE true"
	" ON CONFLICT(window_start, node, src, dst, proto, dport) DO UPDATE SET"
	" packets = max(packets, excluded.packets),"
	" first_seen = min(first_seen, excluded.first_seen),"
	" last_seen = max(last_seen, excluded.last_seen)",

	"INSERT INTO main.health SELECT window_start, node, window_len, received,"
	" decoded, malformed, lost, fragments, unsupported FROM src.health"
	" WHERE true ON CONFLICT(window_start, node) DO UPDATE SET"
	" received = max(received, excluded.received),"
	" decoded = max(decoded, excluded.decoded),"
	" malformed = max(malformed, excluded.malformed),"
	" lost = max(lost, excluded.lost),"
	" fragments = max(fragments, excluded.fragments),"
	" unsupported = max(unsupported, excluded.unsupported)",

	/*
	 * Inventory: the same object seen by several databases. Where they
	 * disagree, the row seen later is the newer truth (labels, owner, when
	 * it went away); the times it was seen widen.
	 */
	"INSERT INTO main.snapshots(taken_at, source, kinds, objects)"
	" SELECT taken_at, source, kinds, objects FROM src.snapshots s WHERE NOT EXISTS"
	" (SELECT 1 FROM main.snapshots m WHERE m.taken_at = s.taken_at"
	" AND m.source = s.source AND m.kinds = s.kinds) ORDER BY taken_at, id",

	"INSERT INTO main.namespaces SELECT * FROM src.namespaces WHERE true"
	" ON CONFLICT(name) DO UPDATE SET"
	" labels = CASE WHEN excluded.last_seen > last_seen THEN excluded.labels ELSE labels END,"
	" first_seen = min(first_seen, excluded.first_seen),"
	" last_seen = max(last_seen, excluded.last_seen)",

	"INSERT INTO main.nodes SELECT * FROM src.nodes WHERE true"
	" ON CONFLICT(name) DO UPDATE SET"
	" labels = CASE WHEN excluded.last_seen > last_seen THEN excluded.labels ELSE labels END,"
	" first_seen = min(first_seen, excluded.first_seen),"
	" last_seen = max(last_seen, excluded.last_seen)",

	"INSERT INTO main.pods SELECT * FROM src.pods WHERE true"
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
	" first_seen = min(first_seen, excluded.first_seen),"
	" last_seen = max(last_seen, excluded.last_seen)",

	"INSERT INTO main.pod_labels SELECT * FROM src.pod_labels WHERE true"
	" ON CONFLICT(uid, labels) DO UPDATE SET"
	" first_seen = min(first_seen, excluded.first_seen),"
	" last_seen = max(last_seen, excluded.last_seen)",

	"INSERT INTO main.endpoints SELECT * FROM src.endpoints WHERE true"
	" ON CONFLICT(ip, owner_kind, owner, seen_first) DO UPDATE SET"
	" valid_to = CASE WHEN excluded.seen_last > seen_last THEN excluded.valid_to ELSE valid_to END,"
	" gone_at = CASE WHEN excluded.seen_last > seen_last THEN excluded.gone_at ELSE gone_at END,"
	" valid_from = min(valid_from, excluded.valid_from),"
	" seen_last = max(seen_last, excluded.seen_last)",

	"INSERT INTO main.services SELECT * FROM src.services WHERE true"
	" ON CONFLICT(namespace, name) DO UPDATE SET"
	" selector = CASE WHEN excluded.last_seen > last_seen THEN excluded.selector ELSE selector END,"
	" cluster_ips = CASE WHEN excluded.last_seen > last_seen THEN excluded.cluster_ips ELSE cluster_ips END,"
	" first_seen = min(first_seen, excluded.first_seen),"
	" last_seen = max(last_seen, excluded.last_seen)",

	"INSERT OR IGNORE INTO main.networks SELECT * FROM src.networks",

	"INSERT OR IGNORE INTO main.controllers SELECT * FROM src.controllers",
};

static int
check_attached_version(struct store *out, const char *alias, const char *in)
{
	sqlite3_stmt *s = NULL;
	char sql[64];
	int ret = -1;

	snprintf(sql, sizeof(sql), "PRAGMA %s.user_version", alias);
	if (store_prepare(out, &s, sql) < 0)
		return -1;
	if (sqlite3_step(s) != SQLITE_ROW)
		store_sqlerr(out, "reading input version");
	else if (sqlite3_column_int(s, 0) != store_schema_version())
		fp_error("merge '%s': schema version %d, not %d: open it with a "
		    "writing flowpol command first", fp_clamp(in, 200),
		    sqlite3_column_int(s, 0), store_schema_version());
	else
		ret = 0;
	sqlite3_finalize(s);
	return ret;
}

static int
merge_one(struct store *out, const char *in, int idx)
{
	char alias[32], sql[4096];
	sqlite3_stmt *s = NULL;
	size_t i;
	int ret = -1;

	snprintf(alias, sizeof(alias), "in%d", idx);
	snprintf(sql, sizeof(sql), "ATTACH DATABASE ?1 AS %s", alias);
	if (store_prepare(out, &s, sql) < 0)
		return -1;
	sqlite3_bind_text(s, 1, in, -1, SQLITE_STATIC);
	if (sqlite3_step(s) != SQLITE_DONE) {
		store_sqlerr(out, "attaching input");
		goto out;
	}
	/*
	 * cmd_merge checked every input before; check again what is attached
	 * now, inside the transaction, so a file swapped in between is never
	 * read: flowpol's, this version, exactly its tables (not views), and
	 * so node names come only from the input's own rows.
	 */
	if (store_check_schema(out, alias, in) < 0 ||
	    check_attached_version(out, alias, in) < 0)
		goto out;
	/* The inputs' size counts in the bound on each statement. */
	if (store_bound_update(out) < 0)
		goto out;
	for (i = 0; i < sizeof(merge_sql) / sizeof(merge_sql[0]); i++) {
		/* The statements name the input "src."; point them at this alias. */
		const char *p = strstr(merge_sql[i], "src.");
		int n = snprintf(sql, sizeof(sql), "%.*s%s.%s", (int)(p - merge_sql[i]),
		    merge_sql[i], alias, p + 4);

		if (n < 0 || (size_t)n >= sizeof(sql)) {
			fp_error("merge: statement %zu too long", i);
			goto out;
		}
		if (store_exec(out, sql) < 0) {
			fp_error_prefix("merge '%s'", fp_clamp(in, 200));
			goto out;
		}
	}
	ret = 0;
out:
	sqlite3_finalize(s);
	return ret;
}

int
cmd_merge(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct store *out = NULL;
	struct stat out_sb, in_sb;
	int c, i, max, ret = FP_EXIT_ERR;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			return fp_cli_help(usage);
		default:
			return fp_cli_bad_option("merge", usage, opts, argv);
		}
	}
	if (argc - optind < 2)
		return fp_cli_usage_error("merge", usage, "need OUT.db and at least one IN.db");
	/* Every input is checked before OUT.db is created or touched. */
	for (i = optind + 1; i < argc; i++) {
		if (store_open(&out, argv[i], STORE_READONLY) < 0)
			return fp_report();
		store_free(out);
		out = NULL;
	}
	/* Published for others to read: rollback journal, readable anywhere. */
	if (store_open(&out, argv[optind], STORE_CREATE | STORE_PUBLISH) < 0)
		return fp_report();
	/*
	 * One transaction for all inputs, each ATTACHed under its own name (an
	 * attached database cannot be detached until the transaction ends).
	 * SQLite caps attachments; merging is idempotent, so more inputs than
	 * that are merged in steps.
	 */
	max = sqlite3_limit(store_db(out), SQLITE_LIMIT_ATTACHED, -1);
	if (argc - optind - 1 > max) {
		fp_error("merge: at most %d inputs at a time; merge in steps "
		    "(merging is idempotent)", max);
		goto out;
	}
	if (stat(argv[optind], &out_sb) < 0) {
		fp_error("merge '%s': %s", fp_clamp(argv[optind], 200),
		    strerror(errno));
		goto out;
	}
	if (store_begin(out) < 0)
		goto out;
	for (i = optind + 1; i < argc; i++) {
		/*
		 * A database merged into itself changes nothing; skipped, also
		 * because in rollback-journal mode its second connection's
		 * read lock would keep our own commit waiting.
		 */
		if (stat(argv[i], &in_sb) == 0 && in_sb.st_dev == out_sb.st_dev &&
		    in_sb.st_ino == out_sb.st_ino)
			continue;
		if (merge_one(out, argv[i], i) < 0) {
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
	store_free(out);
	return ret;
}
