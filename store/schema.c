#include "store/schema.h"

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
 * A pod row is its latest known state; pod_labels keeps every distinct label
 * set a pod was seen with (selectors are checked against all of them), and
 * endpoints carry the time intervals (learner/inventory.h explains them).
 * Times are unix microseconds; first_seen/last_seen are snapshot times.
 */
#define SCHEMA_INVENTORY \
	"CREATE TABLE snapshots (" \
	"  id INTEGER PRIMARY KEY," \
	"  taken_at INTEGER NOT NULL," \
	"  source TEXT NOT NULL," \
	"  kinds TEXT NOT NULL DEFAULT ''," /* sorted, comma-separated: Node,Pod,... */ \
	"  objects INTEGER NOT NULL DEFAULT 0" \
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
	"  live INTEGER NOT NULL DEFAULT 0," /* ever seen not Succeeded/Failed */ \
	"  owner_kind TEXT NOT NULL DEFAULT ''," /* direct controller ownerReference */ \
	"  owner_name TEXT NOT NULL DEFAULT ''," \
	"  controller_kind TEXT NOT NULL DEFAULT ''," /* Deployment, StatefulSet, ..., Pod */ \
	"  controller_name TEXT NOT NULL DEFAULT ''," \
	"  labels TEXT NOT NULL," \
	"  workload TEXT," /* namespace/name once learned; NULL: hostNetwork, or not alive in the period */ \
	"  created INTEGER," /* metadata.creationTimestamp */ \
	"  deleted INTEGER," /* metadata.deletionTimestamp */ \
	"  first_seen INTEGER NOT NULL," \
	"  last_seen INTEGER NOT NULL," \
	"  gone_at INTEGER" /* first pod snapshot without it; NULL: present */ \
	") WITHOUT ROWID;" \
	"CREATE INDEX pods_ns ON pods(namespace, name);" \
	"CREATE INDEX pods_workload ON pods(workload);" \
	"CREATE TABLE pod_labels (" \
	"  uid TEXT NOT NULL," \
	"  labels TEXT NOT NULL," \
	"  first_seen INTEGER NOT NULL," \
	"  last_seen INTEGER NOT NULL," \
	"  PRIMARY KEY (uid, labels)" \
	") WITHOUT ROWID;" \
	"CREATE TABLE endpoints (" \
	"  ip BLOB NOT NULL," \
	"  owner_kind TEXT NOT NULL," /* 'pod' or 'node' */ \
	"  owner TEXT NOT NULL," /* pod uid or node name */ \
	"  valid_from INTEGER NOT NULL," \
	"  valid_to INTEGER," /* NULL: still owned */ \
	"  seen_first INTEGER NOT NULL," /* first snapshot with this owner+IP */ \
	"  seen_last INTEGER NOT NULL," \
	"  gone_at INTEGER," /* first snapshot of the kind without it */ \
	"  PRIMARY KEY (ip, owner_kind, owner, seen_first)" \
	") WITHOUT ROWID;" \
	"CREATE INDEX endpoints_open ON endpoints(owner_kind, gone_at);" \
	"CREATE INDEX endpoints_owner ON endpoints(owner_kind, owner);" \
	"CREATE TABLE services (" \
	"  namespace TEXT NOT NULL," \
	"  name TEXT NOT NULL," \
	"  selector TEXT NOT NULL," /* sorted key=value lines */ \
	"  cluster_ips TEXT NOT NULL," /* comma-separated */ \
	"  first_seen INTEGER NOT NULL," \
	"  last_seen INTEGER NOT NULL," \
	"  PRIMARY KEY (namespace, name)" \
	") WITHOUT ROWID;" \
	"CREATE TABLE networks (" \
	"  net BLOB NOT NULL," \
	"  prefix INTEGER NOT NULL," \
	"  source TEXT NOT NULL," /* e.g. 'node/NAME podCIDR' */ \
	"  PRIMARY KEY (net, prefix, source)" \
	") WITHOUT ROWID;" \
	"CREATE TABLE controllers (" \
	"  namespace TEXT NOT NULL," \
	"  kind TEXT NOT NULL," /* ReplicaSet or Job */ \
	"  name TEXT NOT NULL," \
	"  owner_kind TEXT NOT NULL," \
	"  owner_name TEXT NOT NULL," \
	"  PRIMARY KEY (namespace, kind, name)" \
	") WITHOUT ROWID;"

/* --- learner: the model that emit, status and diff read ---------------- */
/*
 * A peer is written as the text users see: "namespace/name" for a workload
 * (as in the workloads table), "node:IP", "external:IP" or "unknown:IP".
 * workloads keeps exactly these five columns (others insert by position);
 * workload_notes adds per workload: members, the controllers in it
 * ("Kind/name", comma-separated, sorted; more than one means learn merged
 * workloads no label set tells apart), and exact = 0 when no label set
 * selects the workload without pods of another (that one has a label this
 * one lacks): its selector then also matches those pods, and learn says so.
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
	"CREATE TABLE workload_notes (" \
	"  namespace TEXT NOT NULL," \
	"  name TEXT NOT NULL," \
	"  members TEXT NOT NULL," \
	"  exact INTEGER NOT NULL," /* 0: the selector also matches others */ \
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
	") WITHOUT ROWID;" \
	"CREATE TABLE coverage (" \
	"  namespace TEXT PRIMARY KEY," /* '' for flows that touch no namespace */ \
	"  flows INTEGER NOT NULL," \
	"  resolved INTEGER NOT NULL," \
	"  ambiguous INTEGER NOT NULL," \
	"  unknown INTEGER NOT NULL," \
	"  last_new_edge INTEGER" \
	") WITHOUT ROWID;" \
	"CREATE TABLE unresolved (" \
	"  ip BLOB NOT NULL," \
	"  reason TEXT NOT NULL," /* 'ambiguous' or 'unknown' */ \
	"  flows INTEGER NOT NULL," \
	"  first_seen INTEGER NOT NULL," \
	"  last_seen INTEGER NOT NULL," \
	"  PRIMARY KEY (ip, reason)" \
	") WITHOUT ROWID;"

/* --- migration 2: real-cluster traffic --------------------------------- */
/*
 * What a cluster carries besides pod-to-pod traffic (issue: host and probe
 * traffic, Services, hostNetwork pods, Jobs).
 *  - node_addresses: every address a node had, by type (InternalIP,
 *    ExternalIP, or the Calico annotation it came from), first/last seen.
 *    The endpoints table holds them as node owners too.
 *  - services gain their type, externalTrafficPolicy and
 *    loadBalancerSourceRanges (comma-separated CIDRs); service_ports their
 *    ports, target_port as written (a number or a container port name).
 *  - slice_endpoints / slice_ports: EndpointSlices (service = the
 *    kubernetes.io/service-name label); ready is 1 when the address was
 *    ever seen ready.
 *  - pod_ports: the pods' declared container ports.
 *  - pods.finished: when the pod was seen terminated (the latest
 *    containerStatuses finishedAt, else the snapshot that showed it so);
 *    it owned its addresses until then.
 *  - workload_notes.host_network: 1 for a workload of hostNetwork pods;
 *    also_selects: for a workload whose selector is not exact, the other
 *    workloads of its namespace it also selects (names, comma-separated,
 *    sorted).
 *  - host_local: traffic from a pod's own node to it, which Calico never
 *    polices (no rule is written for it); dst is the workload.
 *  - service_backends (written by learn): the workloads behind each
 *    Service port in the learning period, at their target port, with the
 *    Service's type, so emit can tell a LoadBalancer's clients.
 */
#define MIGRATION_2 \
	"ALTER TABLE services ADD COLUMN type TEXT NOT NULL DEFAULT 'ClusterIP';" \
	"ALTER TABLE services ADD COLUMN traffic_policy TEXT NOT NULL DEFAULT 'Cluster';" \
	"ALTER TABLE services ADD COLUMN source_ranges TEXT NOT NULL DEFAULT '';" \
	"ALTER TABLE pods ADD COLUMN finished INTEGER;" \
	"ALTER TABLE workload_notes ADD COLUMN host_network INTEGER NOT NULL DEFAULT 0;" \
	"ALTER TABLE workload_notes ADD COLUMN also_selects TEXT NOT NULL DEFAULT '';" \
	"CREATE TABLE node_addresses (" \
	"  node TEXT NOT NULL," \
	"  ip BLOB NOT NULL," \
	"  type TEXT NOT NULL," \
	"  first_seen INTEGER NOT NULL," \
	"  last_seen INTEGER NOT NULL," \
	"  PRIMARY KEY (node, ip, type)" \
	") WITHOUT ROWID;" \
	"CREATE TABLE service_ports (" \
	"  namespace TEXT NOT NULL," \
	"  name TEXT NOT NULL," \
	"  port_name TEXT NOT NULL," \
	"  proto INTEGER NOT NULL," \
	"  port INTEGER NOT NULL," \
	"  target_port TEXT NOT NULL," /* number or container port name */ \
	"  node_port INTEGER NOT NULL DEFAULT 0," \
	"  PRIMARY KEY (namespace, name, proto, port)" \
	") WITHOUT ROWID;" \
	"CREATE TABLE slice_endpoints (" \
	"  namespace TEXT NOT NULL," \
	"  slice TEXT NOT NULL," \
	"  service TEXT NOT NULL," \
	"  ip BLOB NOT NULL," \
	"  ready INTEGER NOT NULL," \
	"  node TEXT NOT NULL DEFAULT ''," \
	"  first_seen INTEGER NOT NULL," \
	"  last_seen INTEGER NOT NULL," \
	"  PRIMARY KEY (namespace, slice, ip)" \
	") WITHOUT ROWID;" \
	"CREATE INDEX slice_endpoints_svc ON slice_endpoints(namespace, service);" \
	"CREATE TABLE slice_ports (" \
	"  namespace TEXT NOT NULL," \
	"  slice TEXT NOT NULL," \
	"  service TEXT NOT NULL," \
	"  port_name TEXT NOT NULL," \
	"  proto INTEGER NOT NULL," \
	"  port INTEGER NOT NULL," \
	"  PRIMARY KEY (namespace, slice, port_name, proto)" \
	") WITHOUT ROWID;" \
	"CREATE TABLE pod_ports (" \
	"  uid TEXT NOT NULL," \
	"  port_name TEXT NOT NULL," \
	"  proto INTEGER NOT NULL," \
	"  port INTEGER NOT NULL," \
	"  PRIMARY KEY (uid, proto, port)" \
	") WITHOUT ROWID;" \
	"CREATE TABLE service_backends (" \
	"  namespace TEXT NOT NULL," \
	"  name TEXT NOT NULL," \
	"  type TEXT NOT NULL," \
	"  workload TEXT NOT NULL," /* namespace/name */ \
	"  proto INTEGER NOT NULL," \
	"  port INTEGER NOT NULL," /* the target port */ \
	"  PRIMARY KEY (namespace, name, workload, proto, port)" \
	") WITHOUT ROWID;" \
	"CREATE TABLE host_local (" \
	"  node TEXT NOT NULL," \
	"  dst TEXT NOT NULL," \
	"  proto INTEGER NOT NULL," \
	"  port INTEGER NOT NULL," \
	"  connections INTEGER NOT NULL," \
	"  first_seen INTEGER NOT NULL," \
	"  last_seen INTEGER NOT NULL," \
	"  PRIMARY KEY (node, dst, proto, port)" \
	") WITHOUT ROWID;"

const char *const fp_migrations[] = {
	SCHEMA_COMMON SCHEMA_COLLECTOR SCHEMA_INVENTORY SCHEMA_MODEL,
	MIGRATION_2,
};
const int fp_migration_count = sizeof(fp_migrations) / sizeof(fp_migrations[0]);
