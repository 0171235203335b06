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
#define SCHEMA_INVENTORY ""

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
