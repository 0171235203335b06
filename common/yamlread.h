#ifndef FLOWPOL_YAMLREAD_H
#define FLOWPOL_YAMLREAD_H

#include <stddef.h>
#include <yaml.h>

/*
 * The one YAML (and JSON: JSON is YAML flow style) reader of flowpol, used by
 * the policy reader and inventory import. It drives libyaml's event parser
 * (yaml_parser_parse) and checks every event as it arrives, stopping at the
 * first limit, so a hostile file costs time and memory in proportion to the
 * part of it read before the limit, never more. yaml_parser_load is not used:
 * it builds the whole document before anyone can count, which is what let a
 * 160 KB file of nested flow mappings take minutes.
 *
 * Checked while parsing, per document (limits below, in struct yr_limits):
 *   depth   mappings and sequences nested more than `depth` levels;
 *   keys    a mapping with more than `keys` keys;
 *   nodes   a document with more than `nodes` nodes (scalars, mappings and
 *           sequences);
 *   bytes   a document spanning more than `bytes` characters of input
 *           (bytes for UTF-8 input);
 *   a mapping key that is not a scalar; a key twice in one mapping (the
 *   Kubernetes API refuses duplicates on apply: kubectl's strict decoding);
 *   an alias (*name): Calico and Kubernetes objects never need one, kubectl
 *   and calicoctl never print one, and following aliases is how a small
 *   file becomes a huge tree. Anchors alone (&name) change nothing and are
 *   accepted.
 * Work is linear in the input: O(1) per event, except the duplicate check,
 * which sorts the keys of each mapping when it ends (O(k log k) for k keys,
 * deterministic, and immune to the hash flooding a hash set would invite).
 *
 * Two ways to read: yr_event hands out the checked events one by one (for a
 * consumer that builds its own tree and frees parts of it as it goes), and
 * yr_load builds each document as a libyaml yaml_document_t.
 */

#define YR_MAX_DEPTH 64			/* kubectl output nests about 12 deep */
#define YR_MAX_KEYS 10000		/* keys in one mapping */
#define YR_MAX_NODES 2000000		/* nodes in one document */
#define YR_MAX_BYTES ((size_t)64 << 20)	/* characters one document spans */
#define YR_DEPTH_CAP 4096		/* largest depth a caller may ask for */

struct yr_limits {
	size_t depth, keys, nodes, bytes;
};
#define YR_LIMITS_INIT { YR_MAX_DEPTH, YR_MAX_KEYS, YR_MAX_NODES, YR_MAX_BYTES }

/* yr_new flags */
enum {
	YR_UTF8 = 1		/* input is UTF-8: no byte-order-mark sniffing */
};

enum yr_errkind {
	YR_OK,
	YR_ENCODING,		/* not valid text (offset is exact) */
	YR_SYNTAX,		/* not YAML: libyaml's problem and context */
	YR_LIMIT,		/* a limit above; the message names it */
	YR_DUPKEY,		/* a key twice in one mapping */
	YR_BADKEY,		/* a mapping key that is not a scalar */
	YR_ALIAS,		/* an alias */
	YR_NOMEM
};

/*
 * Why the last call failed. line is 1-based and offset counts from 0, both
 * in the whole stream (the base of yr_set_base added). msg names the place
 * inside the document where that helps ("spec.ingress[0]: duplicate key
 * 'action' (first at line 12)"), never the file: callers add that in their
 * own form.
 */
struct yr_error {
	enum yr_errkind kind;
	size_t line;
	size_t offset;
	char msg[512];
};

struct yr;

/*
 * A reader of len bytes at buf (not copied: buf must outlive the reader).
 * lim NULL means YR_LIMITS_INIT. 0, or -1 (fp_error) when out of memory or
 * lim is unusable.
 */
int yr_new(struct yr **out, const char *buf, size_t len,
    const struct yr_limits *lim, int flags);
/* Frees the reader; NULL does nothing. */
void yr_free(struct yr *r);

/*
 * buf is a piece of a longer stream that starts after `line` lines and
 * `offset` bytes of it: marks and errors name the place in the whole stream.
 * Call before the first read.
 */
void yr_set_base(struct yr *r, size_t line, size_t offset);

/*
 * The next checked event into *ev (the caller yaml_event_delete()s it),
 * with its marks shifted by the base. 0, or -1 with yr_error set; after an
 * error the reader is spent. After YAML_STREAM_END_EVENT there is nothing
 * more to read.
 */
int yr_event(struct yr *r, yaml_event_t *ev);

/*
 * The caller has dropped everything it read of this document so far (an
 * item of a long list, handled and freed): the node and size limits count
 * again from here, so they bound what the caller keeps.
 */
void yr_restart_count(struct yr *r);

/*
 * The next document of the stream into *doc: 1 (the caller
 * yaml_document_delete()s it), 0 at the end of the stream (doc untouched),
 * -1 with yr_error set. Nodes carry their start and end marks, shifted by
 * the base; scalars keep their style (plain or quoted) but no tag.
 */
int yr_load(struct yr *r, yaml_document_t *doc);

const struct yr_error *yr_error(const struct yr *r);

#endif
