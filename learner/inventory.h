#ifndef FLOWPOL_INVENTORY_H
#define FLOWPOL_INVENTORY_H

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

/*
 * Inventory import: Kubernetes objects exactly as `kubectl get ... -o json`
 * or `-o yaml` and `calicoctl get workloadendpoints -A -o yaml` print them.
 * One libyaml parser reads both (JSON is YAML flow style), a stream of one
 * or more documents, each a single object or a List/...List with items.
 * Pod, Namespace, Node, Service, EndpointSlice and WorkloadEndpoint are
 * imported (nodes with their InternalIP and ExternalIP addresses and the
 * addresses in Calico's projectcalico.org/IPv4Address, IPv6Address and
 * tunnel and WireGuard annotations; Services with type, ports and target
 * ports, externalTrafficPolicy and loadBalancerSourceRanges; pods with
 * their containers' ports);
 * ReplicaSet and Job only lend their ownerReferences (Deployment, CronJob);
 * every other kind is counted and ignored.
 *
 * Snapshots. One import (all FILEs of one `flowpol inventory` run) is one
 * snapshot taken at TIME. A snapshot that holds at least one object of a
 * kind is a complete listing of that kind (`kubectl get pods -A`): an owner
 * of that kind missing from it is gone. Snapshots must be imported in time
 * order; one at the same time as the latest adds to it (union).
 *
 * Ownership interval of an IP (the endpoints table), per owner and run of
 * consecutive snapshots that list the owner with that IP:
 *   valid_from = the owner's creationTimestamp when the IP was there at the
 *                owner's first sighting (pod IPs never change); otherwise
 *                the previous snapshot of the kind + 1 µs (it took the IP at
 *                some time after that snapshot); for the very first snapshot
 *                of the kind without a creationTimestamp, the snapshot time:
 *                we never guess backwards.
 *   valid_to   = the first later snapshot of the kind without it, or the
 *                pod's deletionTimestamp if earlier (its containers are
 *                killed by then); NULL while the latest snapshot lists it,
 *                because the latest snapshot is the current truth.
 * A pod in phase Succeeded or Failed owned its addresses until it finished
 * (the latest containerStatuses finishedAt, else the snapshot that shows it
 * finished): Calico drops a finished pod's endpoint and its IP is freed,
 * but a Job's pod that ran between two snapshots is still attributed. hostNetwork pods own no IP
 * either: their traffic is the node's (node InternalIPs are node endpoints).
 * A flow is attributed by learner/resolve.h.
 */

struct inv;

/* A fresh, empty import; the caller frees it with inv_free. 0 or -1. */
int inv_new(struct inv **out);
/* Frees the import and every object in it; NULL does nothing. */
void inv_free(struct inv *inv);

/*
 * Parse one file's bytes; name is used in messages ("-" for stdin). Objects
 * are added to inv. On error returns -1 with a message such as
 *   inventory: 'pods.json': line 12: object Pod/ns1/web-1: field
 *   metadata.labels: key 'a b': not a valid label key
 * and inv must then be freed, not stored.
 */
int inv_parse(struct inv *inv, const char *name, const char *buf, size_t len);

/*
 * The same for a piece of a longer stream that starts after `line` lines and
 * `offset` bytes of it, so that messages name the place in the whole stream.
 * Watch events ({type, object} from --output-watch-events) are read too: a
 * DELETED object's pod or node is gone at the time it is stored.
 */
int inv_parse_at(struct inv *inv, const char *name, const char *buf,
    size_t len, size_t line, size_t offset);

/* Counts of objects parsed so far. */
struct inv_counts {
	size_t pods, namespaces, nodes, services, weps, controllers, slices,
	    ignored;
	size_t lists;		/* List documents (kubectl get without --watch) */
};
void inv_counts(const struct inv *inv, struct inv_counts *out);

/*
 * Store everything parsed as one snapshot at `at` (unix µs) in one
 * transaction: a failure stores nothing. source names the files.
 *
 * INV_WATCH: the objects are watch events, not complete listings: nothing
 * absent is closed and no snapshot row is written. A pod seen Succeeded or
 * Failed, or a pod or node of a DELETED event, is gone at `at`; a new
 * address of a known owner is owned from its previous event + 1 µs.
 */
enum { INV_WATCH = 1 };
int inv_store(struct inv *inv, struct store *st, int64_t at,
    const char *source, int flags);

#endif
