#ifndef FLOWPOL_EMIT_H
#define FLOWPOL_EMIT_H

/* spec.order * 100 where learned policies start (300.00 .. 899.99). */
#define EMIT_ORDER_LEARNED 30000

#include <stddef.h>

#include "store/store.h"

/*
 * The emitter: turns the learned model (workloads, edges, pods in the store)
 * into the layered policy set of doc/architecture.md and renders it as YAML.
 *
 *   layer 1  default deny: pods outside the exempt namespaces, no rules
 *   layer 2  DNS: egress to the kube-dns pods (UDP and TCP 53)
 *   layer 3  learned allows: one policy per workload (or namespace)
 *
 * Everything reaching the output is sorted; the same store gives the same
 * bytes, and pod names, hashes and IPs never appear.
 */

enum emit_granularity { EMIT_WORKLOAD, EMIT_NAMESPACE };

struct emit_opts {
	enum emit_granularity granularity;
	const char *const *exempt;	/* NULL: the default list */
	size_t nexempt;
	int exempt_set;			/* 1: exempt[] replaces the default */
	const char *dns_selector;	/* NULL: found from the inventory */
	const char *const *dns_addresses;	/* --dns-address: DNS also at */
	size_t ndns_addresses;
	int strict;			/* leave out workloads whose selector
					   also selects other workloads */
	int staged;			/* every policy staged */
	const char *const *enforce;	/* enforce only these; stage the rest */
	size_t nenforce;
	int exempt_silent;		/* leave silent workloads out of the
					   default deny (and DNS layer) */
	int calico_version;		/* policy/calver.h; 0: the default */
	const char *tier;		/* a tier of flowpol's own, or NULL */
};

/*
 * The Tier --tier writes: ahead of default (1,000,000) and after the
 * admin tier (1000), defaultAction Deny, so flowpol's default deny decides
 * for the pods it covers whatever allows lie in the tiers below.
 */
#define EMIT_TIER_ORDER 100000

/* The second line of every file: the Calico release it was written for. */
#define EMIT_VERSION_MARK "# For Calico "

/*
 * The Calico version recorded in the flowpol-generated files of dir, so
 * that a rerun keeps it: *version 0 when there are none (or dir is not a
 * directory). Files recording different versions are an error. 0 or -1.
 */
int emit_recorded_version(const char *dir, int *version);

/* One rendered document: a policy (or the node set) and its file. */
struct emit_doc {
	char *name;		/* metadata.name */
	char *kind;		/* GlobalNetworkPolicy, StagedGlobalNetworkPolicy,
				   or GlobalNetworkSet (the cluster's nodes,
				   order 0: before every policy) */
	char *file;		/* "<name>.yaml" */
	char *text;		/* header comment + YAML body, NUL-terminated */
	size_t len;
	long order_centi;	/* spec.order * 100; distinct within a set;
				   layers below EMIT_ORDER_LEARNED, learned
				   policies from there */
	/*
	 * Set by emit_build_to, which compares each document with its file as
	 * it is rendered: settled is 1 + the enum emit_change found. text is
	 * NULL once nothing more needs it: an unchanged document, or one
	 * already written under the hidden name tmp (emit_write renames it).
	 */
	int settled;
	char *tmp;
};

struct emit_result {
	struct emit_doc *docs;	/* layers in order, then learned policies by name */
	size_t ndocs;
	char **notes;		/* sorted warnings (unknown peers, ...) */
	size_t nnotes;
	/*
	 * Silent workloads: "namespace/name" of each non-exempt workload no
	 * learned edge names (never seen talking in the learned period),
	 * sorted. The default deny isolates them, unless exempt_silent; emit
	 * names them on stderr and report in its summary, never silently.
	 */
	char **silent;
	size_t nsilent;
};

/* The exempt namespaces used when none are given (the seed's list). */
extern const char *const emit_default_exempt[];
extern const size_t emit_default_nexempt;

/*
 * Build and render the policy set from the store. On success *out holds the
 * documents (free with emit_result_free). 0 or -1 (fp_error).
 */
int emit_build(struct store *st, const struct emit_opts *opts,
    struct emit_result *out);
/* The same from a read model (store/model.h) the caller already has. */
struct model;
int emit_build_model(struct model *m, const struct emit_opts *opts,
    struct emit_result *out);
void emit_result_free(struct emit_result *r);

/*
 * Streaming: emit_build_to compares each document with the file of its name
 * in dir as soon as it is rendered, so the whole set is never held as text:
 * an unchanged document's text is dropped (and it is not checked again
 * against the target release: nothing is written for it), and with write
 * set a new or changed one is written at once under a hidden temporary
 * name (O_EXCL|O_NOFOLLOW, fsync'd) that emit_write renames into place
 * with the rest of the set; on failure those temporaries are removed.
 * Without write (diff) a changed document keeps its text.
 */
struct emit_sink {
	const char *dir;	/* the --out directory */
	int follow;		/* read through symlinks inside dir (readers) */
	int write;		/* 1: write new and changed files (emit) */
	int dfd;		/* internal: dir opened, or -1 */
	int clash;		/* internal: a clash seen, write no more */
	char *buf, *grown;	/* internal: read buffers */
	size_t bufcap;
};
int emit_build_to(struct store *st, const struct emit_opts *opts,
    struct emit_sink *sink, struct emit_result *out);
int emit_build_model_to(struct model *m, const struct emit_opts *opts,
    struct emit_sink *sink, struct emit_result *out);
/* Remove the temporaries a streaming build wrote (after a failure). */
void emit_drop_temps(const struct emit_result *r, const char *dir);
/* Internal (layers.c): open and close s->dir; compare (and write) one
 * rendered document, setting d->settled. 0 or -1 (fp_error). */
int emit_sink_open(struct emit_sink *s);
void emit_sink_close(struct emit_sink *s);
int emit_settle(struct emit_sink *s, struct emit_doc *d, int version);

/* The first line of every file flowpol writes; how stale files are found. */
#define EMIT_HEADER_MARK "# Generated by flowpol emit."

/*
 * Write the documents: dir == "-" writes one multi-document stream to
 * stdout; otherwise one file per document in dir (created if missing),
 * generated files no longer produced are removed, and files flowpol did
 * not write are left alone (a name clash with one is an error).
 * *removed counts the stale files removed (may be NULL). 0 or -1.
 */
int emit_write(const struct emit_result *r, const char *dir, size_t *removed);

/*
 * How a directory of committed policy files differs from what emit would
 * write there; emit_write, diff and report all decide from this.
 */
enum emit_change {
	EMIT_UNCHANGED,		/* emit would write the same bytes */
	EMIT_ADDED,		/* emit would write it; it is not there */
	EMIT_CHANGED,		/* flowpol's file, emit would write other bytes */
	EMIT_REMOVED,		/* flowpol's file, no longer produced */
	EMIT_CLASH,		/* emit would write it, but what is there is not
				   flowpol's (emit_write refuses) */
	EMIT_FOREIGN		/* a YAML file neither produced nor flowpol's */
};

struct emit_cmp {
	char *file;			/* name within the directory */
	enum emit_change change;
	const struct emit_doc *doc;	/* what emit writes; NULL if nothing */
	char *old;			/* the bytes there, for CHANGED and
					   REMOVED; else NULL */
	size_t oldlen;
};

/*
 * Compare r with the YAML files (.yaml, .yml) directly in dir (a missing dir
 * means everything is added). *out is sorted by file name and malloc'd:
 * free it with emit_cmp_free. 0 or -1 (fp_error). A symlink that resolves
 * inside dir is read through (the kubelet mounts a ConfigMap as links into
 * ..data/); emit_write never follows one: there it is a clash.
 */
int emit_compare(const struct emit_result *r, const char *dir,
    struct emit_cmp **out, size_t *n);
void emit_cmp_free(struct emit_cmp *c, size_t n);
/* Whether a file name ends in .yaml or .yml (and is not hidden). */
int emit_is_yaml_name(const char *name);
/*
 * A file is flowpol's (and may be rewritten or removed) only when its first
 * line starts with EMIT_HEADER_MARK and ends with " sha256:HEX", the
 * SHA-256 of every line after it: a hand-written file with a copied header
 * line is not, nor a generated file edited by hand.
 */
int emit_file_is_ours(const char *path);
int emit_text_is_ours(const char *buf, size_t len);
/* Append that digest to a document's first line (*text reallocated). 0 or -1. */
int emit_seal(char **text, size_t *len);

#endif
