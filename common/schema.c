#include "common/schema.h"

/* --- common ------------------------------------------------------------ */
#define SCHEMA_COMMON \
	"CREATE TABLE meta (" \
	"  key TEXT PRIMARY KEY," \
	"  value TEXT NOT NULL" \
	") WITHOUT ROWID;"

/* --- collector: flows and collector health ----------------------------- */
#define SCHEMA_COLLECTOR \
	"CREATE TABLE flows (" \
	"  window_start INTEGER NOT NULL," /* unix seconds */ \
	"  node TEXT NOT NULL," \
	"  src BLOB NOT NULL," \
	"  dst BLOB NOT NULL," \
	"  proto INTEGER NOT NULL," \
	"  dport INTEGER NOT NULL," \
	"  packets INTEGER NOT NULL," \
	"  first_seen INTEGER NOT NULL," \
	"  last_seen INTEGER NOT NULL," \
	"  PRIMARY KEY (window_start, node, src, dst, proto, dport)" \
	") WITHOUT ROWID;" \
	"CREATE TABLE health (" \
	"  window_start INTEGER NOT NULL," /* unix seconds */ \
	"  node TEXT NOT NULL," \
	"  window_len INTEGER NOT NULL," /* seconds */ \
	"  received INTEGER NOT NULL DEFAULT 0," \
	"  decoded INTEGER NOT NULL DEFAULT 0," \
	"  malformed INTEGER NOT NULL DEFAULT 0," \
	"  lost INTEGER NOT NULL DEFAULT 0," \
	"  fragments INTEGER NOT NULL DEFAULT 0," \
	"  unsupported INTEGER NOT NULL DEFAULT 0," \
	"  PRIMARY KEY (window_start, node)" \
	") WITHOUT ROWID;"

/* --- learner: inventory ------------------------------------------------ */
/*
 * Labels are stored as text, one "key=value" line each, sorted by key, each
 * line ending in "\n" (Kubernetes keys and values cannot hold '=' or '\n').
 * A pod row is its latest known state; endpoints carry the time intervals.
 */
#define SCHEMA_INVENTORY \
	"CREATE TABLE snapshots (" \
	"  id INTEGER PRIMARY KEY," \
	"  taken_at INTEGER NOT NULL," \
	"  source TEXT NOT NULL" \
	");" \
	"CREATE TABLE namespaces (" \
	"  name TEXT PRIMARY KEY," \
	"  labels TEXT NOT NULL," \
	"  first_seen INTEGER NOT NULL," \
	"  last_seen INTEGER NOT NULL" \
	") WITHOUT ROWID;" \
	"CREATE TABLE nodes (" \
	"  name TEXT PRIMARY KEY," \
	"  labels TEXT NOT NULL," \
	"  first_seen INTEGER NOT NULL," \
	"  last_seen INTEGER NOT NULL" \
	") WITHOUT ROWID;" \
	"CREATE TABLE pods (" \
	"  uid TEXT PRIMARY KEY," \
	"  namespace TEXT NOT NULL," \
	"  name TEXT NOT NULL," \
	"  node TEXT NOT NULL DEFAULT ''," \
	"  service_account TEXT NOT NULL DEFAULT 'default'," \
	"  host_network INTEGER NOT NULL DEFAULT 0," \
	"  owner_kind TEXT NOT NULL DEFAULT ''," /* Deployment, StatefulSet, ... */ \
	"  owner_name TEXT NOT NULL DEFAULT ''," \
	"  labels TEXT NOT NULL," \
	"  workload TEXT," /* namespace/name once learned */ \
	"  first_seen INTEGER NOT NULL," \
	"  last_seen INTEGER NOT NULL" \
	") WITHOUT ROWID;" \
	"CREATE TABLE endpoints (" \
	"  ip BLOB NOT NULL," \
	"  owner_kind TEXT NOT NULL," /* 'pod' or 'node' */ \
	"  owner TEXT NOT NULL," /* pod uid or node name */ \
	"  valid_from INTEGER NOT NULL," \
	"  valid_to INTEGER," /* NULL: still owned */ \
	"  PRIMARY KEY (ip, valid_from, owner)" \
	") WITHOUT ROWID;"

/* --- learner: the model that emit, status and diff read ---------------- */
/*
 * A peer is written as the text users see: "namespace/name" for a workload
 * (as in the workloads table), "node:IP", "external:IP" or "unknown:IP".
 */
#define SCHEMA_MODEL \
	"CREATE TABLE workloads (" \
	"  namespace TEXT NOT NULL," \
	"  name TEXT NOT NULL," \
	"  kind TEXT NOT NULL," \
	"  selector TEXT NOT NULL," \
	"  pods INTEGER NOT NULL," \
	"  PRIMARY KEY (namespace, name)" \
	") WITHOUT ROWID;" \
	"CREATE TABLE edges (" \
	"  src TEXT NOT NULL," \
	"  dst TEXT NOT NULL," \
	"  proto INTEGER NOT NULL," \
	"  port INTEGER NOT NULL," \
	"  connections INTEGER NOT NULL," \
	"  first_seen INTEGER NOT NULL," \
	"  last_seen INTEGER NOT NULL," \
	"  nodes TEXT NOT NULL," /* comma-separated, sorted */ \
	"  PRIMARY KEY (src, dst, proto, port)" \
	") WITHOUT ROWID;"

const char *const fp_migrations[] = {
	SCHEMA_COMMON SCHEMA_COLLECTOR SCHEMA_INVENTORY SCHEMA_MODEL,
};
const int fp_migration_count = sizeof(fp_migrations) / sizeof(fp_migrations[0]);
