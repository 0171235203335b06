#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "common/err.h"
#include "common/ipaddr.h"
#include "common/timeutil.h"
#include "common/yamlread.h"
#include "learner/inventory.h"
#include "common/k8sname.h"
#include "common/labels.h"
#include "common/strbuf.h"
#include "common/proto.h"
#include "common/banned.h"

/*
 * Parsing is in two steps: the checked events of the bounded reader
 * (common/yamlread.h: depth, size, keys per mapping, duplicate keys and
 * aliases are refused there) become a small tree (with the line of every
 * node, so errors can name it), then each object is read from the
 * tree into plain structs, checked against the Kubernetes rules. Nothing
 * touches the database until every file has parsed.
 */

#define FIELD_MAX 4096		/* longest scalar kept (names, IPs, labels) */
#define IPS_MAX 8		/* addresses kept per pod */
#define NODE_IPS_MAX 24		/* per node: 4 status types, 7 annotations */
#define PORTS_MAX 256		/* ports kept per pod, Service or slice */
#define NO_TIME INT64_MIN

enum { YN_SCALAR, YN_MAP, YN_SEQ };

struct ynode {
	int type;
	int plain;		/* plain (unquoted) scalar: null/true apply */
	size_t line;		/* 1-based */
	char *s;		/* scalar text, NUL-terminated */
	size_t len;
	struct ynode **k;	/* map: key, value, key, value...; seq: items */
	size_t n, cap;
};

/* A container port, a Service port or an EndpointSlice port. */
struct port {
	char *name;		/* "" when unnamed */
	int proto, port;
	char *target;		/* Service: targetPort as text (number or name) */
	int node_port;
};

struct pod {
	char *uid, *ns, *name, *node, *sa, *owner_kind, *owner_name;
	struct labels labels;
	int host_network, terminal, from_wep, gone;
	int64_t created, deleted;
	int64_t finished;	/* latest containerStatuses finishedAt */
	struct fp_ip ips[IPS_MAX];
	size_t nips;
	struct port *ports;	/* spec.containers[].ports */
	size_t nports;
};

struct node {
	char *name;
	int gone;		/* a watch DELETED event */
	struct labels labels;
	int64_t created;
	struct fp_ip ips[NODE_IPS_MAX];
	const char *types[NODE_IPS_MAX];	/* static text: where it came from */
	size_t nips;
	struct fp_ip cidrs[IPS_MAX];
	int prefixes[IPS_MAX];
	size_t ncidrs;
};

struct nsobj {
	char *name;
	struct labels labels;
};

struct svc {
	char *ns, *name, *ips;
	char *type, *etp, *ranges;	/* ranges: comma-separated CIDRs */
	struct labels selector;
	struct port *ports;
	size_t nports;
};

struct slice_ep {
	struct fp_ip ip;
	int ready;
	char *node;
};

/* An EndpointSlice: the addresses and ports behind one Service. */
struct slice {
	char *ns, *name, *svc;
	struct slice_ep *eps;
	size_t neps;
	struct port *ports;
	size_t nports;
};

struct ctrl {
	char *ns, *kind, *name, *okind, *oname;
};

struct inv {
	struct pod *pods;
	size_t npods, cappods;
	struct node *nodes;
	size_t nnodes, capnodes;
	struct nsobj *nss;
	size_t nnss, capnss;
	struct svc *svcs;
	size_t nsvcs, capsvcs;
	struct ctrl *ctrls;
	size_t nctrls, capctrls;
	struct slice *slices;
	size_t nslices, capslices;
	size_t nweps, ignored;
	size_t lists;		/* List documents read (complete listings) */
	int deleting;		/* parsing the object of a DELETED event */
};

/* Parsing context: the file and object errors refer to. */
struct pctx {
	const char *file;
	char obj[600];
};

/*
 * The items of a List are read as soon as each is complete and then freed,
 * so memory follows the largest object, not the whole file.
 */
struct ystream {
	struct inv *inv;
	struct pctx *c;
	size_t streamed;	/* items of this document read already */
};

static int read_object(struct inv *inv, struct pctx *c,
    const struct ynode *obj, size_t index);
static void svc_release(struct svc *s);
static void slice_release(struct slice *sl);

/* --- the YAML tree ------------------------------------------------------ */

static void
ynode_free(struct ynode *n)
{
	size_t i;

	if (n == NULL)
		return;
	for (i = 0; i < n->n; i++)
		ynode_free(n->k[i]);
	free(n->k);
	free(n->s);
	free(n);
}

static struct ynode *
ynode_new(int type, size_t line)
{
	struct ynode *n = calloc(1, sizeof(*n));

	if (n != NULL) {
		n->type = type;
		n->line = line;
	}
	return n;
}

static int
ynode_add(struct ynode *parent, struct ynode *child)
{
	struct ynode **k;
	size_t cap;

	if (parent->n == parent->cap) {
		cap = parent->cap ? parent->cap * 2 : 8;
		if ((k = realloc(parent->k, cap * sizeof(*k))) == NULL)
			return -1;
		parent->k = k;
		parent->cap = cap;
	}
	parent->k[parent->n++] = child;
	return 0;
}

/* The reader's error in inventory's words. Returns -1. */
static int
yread_error(const struct yr *y, const char *file)
{
	const struct yr_error *e = yr_error(y);

	switch (e->kind) {
	case YR_ENCODING:
		return fp_error("inventory: '%s': byte offset %zu: not valid UTF-8 "
		    "text: %s", file, e->offset, e->msg);
	case YR_SYNTAX:
		return fp_error("inventory: '%s': line %zu: not valid JSON or YAML: %s",
		    file, e->line, e->msg);
	case YR_NOMEM:
		return fp_error("inventory: '%s': out of memory", file);
	default:
		return fp_error("inventory: '%s': line %zu: %s", file, e->line,
		    e->msg);
	}
}

/*
 * Load the next document of the stream into *root (NULL at the end of the
 * stream). The reader has checked each event: nesting stays within
 * YR_MAX_DEPTH, mapping keys are scalars, and there are no aliases.
 */
static int
ytree_next(struct yr *y, const char *file, struct ynode **root,
    struct ystream *ys)
{
	struct ynode *stack[YR_MAX_DEPTH + 1], *n = NULL, *top;
	size_t depth = 0;
	yaml_event_t ev;
	int ret = -1, have = 0;

	*root = NULL;
	for (;;) {
		if (yr_event(y, &ev) < 0) {
			yread_error(y, file);
			goto out;
		}
		n = NULL;
		switch (ev.type) {
		case YAML_STREAM_END_EVENT:
			yaml_event_delete(&ev);
			ret = 0;
			goto out;
		case YAML_DOCUMENT_END_EVENT:
			yaml_event_delete(&ev);
			if (have) {
				ret = 0;
				goto out;
			}
			continue;
		case YAML_SCALAR_EVENT:
			if ((n = ynode_new(YN_SCALAR, ev.start_mark.line + 1)) == NULL ||
			    (n->s = malloc(ev.data.scalar.length + 1)) == NULL)
				goto oom;
			memcpy(n->s, ev.data.scalar.value, ev.data.scalar.length);
			n->s[ev.data.scalar.length] = '\0';
			n->len = ev.data.scalar.length;
			n->plain = ev.data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
			break;
		case YAML_MAPPING_START_EVENT:
		case YAML_SEQUENCE_START_EVENT:
			n = ynode_new(ev.type == YAML_MAPPING_START_EVENT ? YN_MAP :
			    YN_SEQ, ev.start_mark.line + 1);
			if (n == NULL)
				goto oom;
			break;
		case YAML_MAPPING_END_EVENT:
		case YAML_SEQUENCE_END_EVENT:
			/* An item of a top-level "items" list is complete. */
			if (ys != NULL && depth == 3 && stack[0]->type == YN_MAP &&
			    stack[1]->type == YN_SEQ && stack[2]->type == YN_MAP &&
			    stack[0]->n >= 2 && stack[0]->k[stack[0]->n - 1] == stack[1] &&
			    strcmp(stack[0]->k[stack[0]->n - 2]->s, "items") == 0 &&
			    stack[1]->n > 0 && stack[1]->k[stack[1]->n - 1] == stack[2]) {
				struct ynode *item = stack[2];
				int r;

				stack[1]->n--;
				depth--;
				yaml_event_delete(&ev);
				r = read_object(ys->inv, ys->c, item, ys->streamed++);
				ynode_free(item);
				if (r < 0)
					goto out;
				/* The limits bound what is kept, not the list. */
				yr_restart_count(y);
				continue;
			}
			if (depth > 0)
				depth--;
			yaml_event_delete(&ev);
			continue;
		default:
			yaml_event_delete(&ev);
			continue;
		}
		/* n is a new node: attach it. */
		if (depth == 0) {
			if (*root != NULL) {
				ynode_free(n);
				n = NULL;
			} else {
				*root = n;
				have = 1;
			}
		} else {
			top = stack[depth - 1];
			if (ynode_add(top, n) < 0) {
				ynode_free(n);
				goto oom;
			}
		}
		if (n != NULL && n->type != YN_SCALAR)
			stack[depth++] = n;
		yaml_event_delete(&ev);
	}
oom:
	yaml_event_delete(&ev);
	fp_error("inventory: '%s': out of memory", file);
out:
	if (ret < 0) {
		ynode_free(*root);
		*root = NULL;
	}
	return ret;
}

static const struct ynode *
ymap_get(const struct ynode *m, const char *key)
{
	size_t i;

	if (m == NULL || m->type != YN_MAP)
		return NULL;
	for (i = 0; i + 1 < m->n; i += 2)
		if (strcmp(m->k[i]->s, key) == 0)
			return m->k[i + 1];
	return NULL;
}

static int
y_is_null(const struct ynode *n)
{
	return n == NULL || (n->type == YN_SCALAR && n->plain &&
	    (n->len == 0 || strcmp(n->s, "null") == 0 || strcmp(n->s, "~") == 0 ||
	    strcmp(n->s, "Null") == 0 || strcmp(n->s, "NULL") == 0));
}

/* --- errors ------------------------------------------------------------- */

static int __attribute__((format(printf, 4, 5)))
perr(struct pctx *c, const struct ynode *at, const char *field,
    const char *fmt, ...)
{
	char reason[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	return fp_error("inventory: '%s': line %zu: object %s: field %s: %s",
	    c->file, at ? at->line : 0, c->obj[0] ? c->obj : "?", field, reason);
}

/* --- typed field readers ----------------------------------------------- */

enum { OPTIONAL = 0, REQUIRED = 1 };

static const char *
type_name(const struct ynode *n)
{
	if (n->type == YN_MAP)
		return "a mapping";
	if (n->type == YN_SEQ)
		return "a list";
	return "a string";
}

/* A map child (may be absent/null unless required). */
static int
get_map(struct pctx *c, const struct ynode *parent, const char *key,
    const char *field, int required, const struct ynode **out)
{
	const struct ynode *v = ymap_get(parent, key);

	*out = NULL;
	if (y_is_null(v)) {
		if (required)
			return perr(c, parent, field, "missing");
		return 0;
	}
	if (v->type != YN_MAP)
		return perr(c, v, field, "is %s, want a mapping", type_name(v));
	*out = v;
	return 0;
}

static int
get_seq(struct pctx *c, const struct ynode *parent, const char *key,
    const char *field, const struct ynode **out)
{
	const struct ynode *v = ymap_get(parent, key);

	*out = NULL;
	if (y_is_null(v))
		return 0;
	if (v->type != YN_SEQ)
		return perr(c, v, field, "is %s, want a list", type_name(v));
	*out = v;
	return 0;
}

/* A scalar as a malloc'd string (NULL if absent and optional). */
static int
scalar_str(struct pctx *c, const struct ynode *v, const char *field,
    char **out)
{
	*out = NULL;
	if (v->type != YN_SCALAR)
		return perr(c, v, field, "is %s, want a string", type_name(v));
	if (memchr(v->s, '\0', v->len) != NULL)
		return perr(c, v, field, "contains a NUL character");
	if (v->len > FIELD_MAX)
		return perr(c, v, field, "longer than %d bytes", FIELD_MAX);
	if ((*out = strdup(v->s)) == NULL)
		return perr(c, v, field, "out of memory");
	return 0;
}

static int
get_str(struct pctx *c, const struct ynode *parent, const char *key,
    const char *field, int required, char **out)
{
	const struct ynode *v = ymap_get(parent, key);

	*out = NULL;
	if (y_is_null(v)) {
		if (required)
			return perr(c, parent, field, "missing");
		return 0;
	}
	if (scalar_str(c, v, field, out) < 0)
		return -1;
	if (required && **out == '\0') {
		free(*out);
		*out = NULL;
		return perr(c, v, field, "empty");
	}
	return 0;
}

static int
get_bool(struct pctx *c, const struct ynode *parent, const char *key,
    const char *field, int *out)
{
	const struct ynode *v = ymap_get(parent, key);

	*out = 0;
	if (y_is_null(v))
		return 0;
	if (v->type == YN_SCALAR && v->plain && strcmp(v->s, "true") == 0)
		*out = 1;
	else if (!(v->type == YN_SCALAR && v->plain && strcmp(v->s, "false") == 0))
		return perr(c, v, field, "want true or false");
	return 0;
}

static int
get_time(struct pctx *c, const struct ynode *parent, const char *key,
    const char *field, int64_t *out)
{
	const struct ynode *v = ymap_get(parent, key);

	*out = NO_TIME;
	if (y_is_null(v))
		return 0;
	if (v->type != YN_SCALAR || v->len < 20 || v->s[0] < '0' || v->s[0] > '9' ||
	    fp_time_parse(v->s, out) < 0) {
		*out = NO_TIME;
		fp_error_clear();
		return perr(c, v, field, "'%s' is not an RFC 3339 time",
		    v->type == YN_SCALAR ? fp_clamp(v->s, 64) : "");
	}
	return 0;
}

/* A name checked with a Kubernetes rule. */
static int
get_name(struct pctx *c, const struct ynode *parent, const char *key,
    const char *field, const char *(*check)(const char *), char **out)
{
	const char *why;

	if (get_str(c, parent, key, field, REQUIRED, out) < 0)
		return -1;
	if ((why = check(*out)) != NULL) {
		perr(c, ymap_get(parent, key), field, "'%s' is not a valid name: %s",
		    fp_clamp(*out, 80), why);
		free(*out);
		*out = NULL;
		return -1;
	}
	return 0;
}

/*
 * A map of labels (or a selector): keys and values checked against the
 * Kubernetes label rules, returned sorted by key.
 */
static int
get_labels(struct pctx *c, const struct ynode *parent, const char *key,
    const char *field, struct labels *out)
{
	const struct ynode *m, *kn, *vn;
	const char *why;
	size_t i;

	labels_init(out);
	if (get_map(c, parent, key, field, OPTIONAL, &m) < 0)
		return -1;
	if (m == NULL)
		return 0;
	for (i = 0; i + 1 < m->n; i += 2) {
		kn = m->k[i];
		vn = m->k[i + 1];
		if (memchr(kn->s, '\0', kn->len) != NULL || kn->len > 317 ||
		    (why = k8s_check_label_key(kn->s)) != NULL)
			return perr(c, kn, field, "key '%s' is not a valid label key: %s",
			    fp_clamp(kn->s, 80), kn->len > 317 ? "too long" :
			    memchr(kn->s, '\0', kn->len) ? "contains NUL" : why);
		if (vn->type != YN_SCALAR)
			return perr(c, vn, field, "key '%s': value is %s, want a string",
			    fp_clamp(kn->s, 80), type_name(vn));
		if (y_is_null(vn))
			return perr(c, vn, field, "key '%s': value is null",
			    fp_clamp(kn->s, 80));
		if (memchr(vn->s, '\0', vn->len) != NULL || vn->len > 63 ||
		    (why = k8s_check_label_value(vn->s)) != NULL)
			return perr(c, vn, field, "key '%s': value '%s' is not a valid "
			    "label value: %s", fp_clamp(kn->s, 80), fp_clamp(vn->s, 80),
			    vn->len > 63 ? "longer than 63 characters" :
			    memchr(vn->s, '\0', vn->len) ? "contains NUL" : why);
		if (labels_set(out, kn->s, vn->s) < 0) {
			labels_release(out);
			return perr(c, kn, field, "out of memory");
		}
	}
	return 0;
}

static int
add_ip(struct pctx *c, const struct ynode *at, const char *field,
    const char *text, struct fp_ip *ips, size_t *n)
{
	struct fp_ip ip;
	size_t i;

	if (fp_ip_parse(&ip, text) < 0)
		return perr(c, at, field, "'%s' is not an IP address",
		    fp_clamp(text, 64));
	for (i = 0; i < *n; i++)
		if (fp_ip_cmp(&ips[i], &ip) == 0)
			return 0;
	if (*n >= IPS_MAX)
		return perr(c, at, field, "more than %d addresses", IPS_MAX);
	ips[(*n)++] = ip;
	return 0;
}

/* A whole number in [lo, hi]; *out = -1 when absent and optional. */
static int
get_int(struct pctx *c, const struct ynode *parent, const char *key,
    const char *field, int required, long lo, long hi, long *out)
{
	const struct ynode *v = ymap_get(parent, key);
	char *end;
	long n;

	*out = -1;
	if (y_is_null(v)) {
		if (required)
			return perr(c, parent, field, "missing");
		return 0;
	}
	if (v->type != YN_SCALAR || v->len == 0 || v->len > 10 ||
	    v->s[0] < '0' || v->s[0] > '9')
		return perr(c, v, field, "'%s' is not a number",
		    v->type == YN_SCALAR ? fp_clamp(v->s, 32) : type_name(v));
	n = strtol(v->s, &end, 10);
	if (*end != '\0' || n < lo || n > hi)
		return perr(c, v, field, "'%s' is not a number from %ld to %ld",
		    fp_clamp(v->s, 32), lo, hi);
	*out = n;
	return 0;
}

static void
ports_free(struct port *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(p[i].name);
		free(p[i].target);
	}
	free(p);
}

enum { PORTS_CONTAINER, PORTS_SERVICE, PORTS_SLICE };

/*
 * A list of ports: container ports (containerPort), Service ports (port,
 * targetPort, nodePort) or EndpointSlice ports (port; a null port means
 * every port and is skipped). protocol defaults to TCP. Appended to *out.
 */
static int
read_ports(struct pctx *c, const struct ynode *seq, const char *field,
    int what, struct port **out, size_t *nout)
{
	char f[96], *proto = NULL, *name = NULL, *target = NULL;
	const struct ynode *it, *tv;
	long num, np;
	struct port *p;
	size_t i;
	int pn, ret = -1;

	for (i = 0; seq != NULL && i < seq->n; i++) {
		it = seq->k[i];
		if (it->type != YN_MAP)
			return perr(c, it, field, "item is %s, want a mapping",
			    type_name(it));
		snprintf(f, sizeof(f), "%s.%s", field,
		    what == PORTS_CONTAINER ? "containerPort" : "port");
		if (get_int(c, it, what == PORTS_CONTAINER ? "containerPort" : "port",
		    f, what != PORTS_SLICE, 1, 65535, &num) < 0)
			goto out;
		snprintf(f, sizeof(f), "%s.protocol", field);
		if (get_str(c, it, "protocol", f, OPTIONAL, &proto) < 0)
			goto out;
		pn = proto == NULL ? 6 : fp_proto_parse(proto);
		if (pn != 6 && pn != 17 && pn != 132) {
			perr(c, ymap_get(it, "protocol"), f, "'%s' is not TCP, UDP or SCTP",
			    fp_clamp(proto, 32));
			goto out;
		}
		snprintf(f, sizeof(f), "%s.name", field);
		if (get_str(c, it, "name", f, OPTIONAL, &name) < 0)
			goto out;
		np = 0;
		if (what == PORTS_SERVICE) {
			snprintf(f, sizeof(f), "%s.targetPort", field);
			tv = ymap_get(it, "targetPort");
			if (!y_is_null(tv) && (scalar_str(c, tv, f, &target) < 0 ||
			    *target == '\0' || strlen(target) > 63)) {
				if (target != NULL)
					perr(c, tv, f, "'%s' is not a port number or name",
					    fp_clamp(target, 64));
				goto out;
			}
			snprintf(f, sizeof(f), "%s.nodePort", field);
			if (get_int(c, it, "nodePort", f, OPTIONAL, 0, 65535, &np) < 0)
				goto out;
		}
		if (num > 0 && *nout < PORTS_MAX) {
			if ((p = realloc(*out, (*nout + 1) * sizeof(*p))) == NULL)
				goto oom;
			*out = p;
			p = &(*out)[(*nout)++];
			memset(p, 0, sizeof(*p));
			p->proto = pn;
			p->port = (int)num;
			p->node_port = np > 0 ? (int)np : 0;
			p->name = name ? name : strdup("");
			name = NULL;
			if (what == PORTS_SERVICE && target == NULL) {
				char buf[24];	/* any long */

				snprintf(buf, sizeof(buf), "%ld", num);
				target = strdup(buf);
				if (target == NULL)
					goto oom;
			}
			p->target = target;
			target = NULL;
			if (p->name == NULL)
				goto oom;
		}
		free(proto);
		free(name);
		free(target);
		proto = name = target = NULL;
	}
	ret = 0;
	goto out;
oom:
	perr(c, seq, field, "out of memory");
out:
	free(proto);
	free(name);
	free(target);
	return ret;
}

/* --- growable arrays --------------------------------------------------- */

static void *
grow(void **arr, size_t *n, size_t *cap, size_t size)
{
	void *p;

	if ((p = fp_grow(*arr, cap, *n + 1, size)) == NULL)
		return NULL;
	*arr = p;
	return (char *)p + (*n)++ * size;
}

#define GROW(inv, f) grow((void **)&(inv)->f##s, &(inv)->n##f##s, \
	&(inv)->cap##f##s, sizeof(*(inv)->f##s))

/* --- objects ------------------------------------------------------------ */

static void
pod_release(struct pod *p)
{
	free(p->uid);
	free(p->ns);
	free(p->name);
	free(p->node);
	free(p->sa);
	free(p->owner_kind);
	free(p->owner_name);
	labels_release(&p->labels);
	ports_free(p->ports, p->nports);
}

/* The controller among ownerReferences (controller: true), else the first. */
static int
read_owner(struct pctx *c, const struct ynode *md, char **kind, char **name)
{
	const struct ynode *refs, *r, *pick = NULL;
	int ctl;
	size_t i;

	*kind = *name = NULL;
	if (get_seq(c, md, "ownerReferences", "metadata.ownerReferences", &refs) < 0)
		return -1;
	if (refs == NULL)
		return 0;
	for (i = 0; i < refs->n; i++) {
		r = refs->k[i];
		if (r->type != YN_MAP)
			return perr(c, r, "metadata.ownerReferences", "item is %s, "
			    "want a mapping", type_name(r));
		if (get_bool(c, r, "controller", "metadata.ownerReferences.controller",
		    &ctl) < 0)
			return -1;
		if (pick == NULL || (ctl && i > 0)) {
			pick = r;
			if (ctl)
				break;
		}
	}
	if (pick == NULL)
		return 0;
	if (get_name(c, pick, "kind", "metadata.ownerReferences.kind",
	    k8s_check_label_value, kind) < 0 ||
	    get_name(c, pick, "name", "metadata.ownerReferences.name",
	    k8s_check_dns_subdomain, name) < 0) {
		free(*kind);
		*kind = NULL;
		return -1;
	}
	return 0;
}

/* Common metadata: name (checked with `check`), namespace if namespaced. */
static int
read_meta(struct pctx *c, const struct ynode *obj, const char *kind,
    int namespaced, const char *(*check)(const char *), const struct ynode **md,
    char **ns, char **name)
{
	*ns = *name = NULL;
	if (get_map(c, obj, "metadata", "metadata", REQUIRED, md) < 0)
		return -1;
	if (get_name(c, *md, "name", "metadata.name", check, name) < 0)
		return -1;
	if (namespaced) {
		snprintf(c->obj, sizeof(c->obj), "%s/?/%s", kind, fp_clamp(*name, 253));
		if (get_name(c, *md, "namespace", "metadata.namespace",
		    k8s_check_dns_label, ns) < 0)
			return -1;
		snprintf(c->obj, sizeof(c->obj), "%s/%s/%s", kind, *ns,
		    fp_clamp(*name, 253));
	} else {
		snprintf(c->obj, sizeof(c->obj), "%s/%s", kind, fp_clamp(*name, 253));
	}
	return 0;
}

static int
read_uid(struct pctx *c, const struct ynode *md, const char *ns,
    const char *name, char **uid)
{
	size_t n;

	if (get_str(c, md, "uid", "metadata.uid", OPTIONAL, uid) < 0)
		return -1;
	if (*uid != NULL && (**uid == '\0' || strlen(*uid) > 128)) {
		free(*uid);
		*uid = NULL;
		return perr(c, ymap_get(md, "uid"), "metadata.uid",
		    "empty or longer than 128 characters");
	}
	if (*uid == NULL) {
		/* No uid (hand-written input): the name is the identity. */
		n = strlen(ns) + strlen(name) + 2;
		if ((*uid = malloc(n)) == NULL)
			return perr(c, md, "metadata.uid", "out of memory");
		snprintf(*uid, n, "%s/%s", ns, name);
	}
	return 0;
}

/* The ports every container of the pod declares. */
static int
read_container_ports(struct pctx *c, const struct ynode *spec, struct pod *p)
{
	const struct ynode *ctrs, *ports;
	size_t i;

	if (get_seq(c, spec, "containers", "spec.containers", &ctrs) < 0)
		return -1;
	for (i = 0; ctrs != NULL && i < ctrs->n; i++) {
		if (ctrs->k[i]->type != YN_MAP)
			return perr(c, ctrs->k[i], "spec.containers", "item is %s, "
			    "want a mapping", type_name(ctrs->k[i]));
		if (get_seq(c, ctrs->k[i], "ports", "spec.containers.ports",
		    &ports) < 0 || read_ports(c, ports, "spec.containers.ports",
		    PORTS_CONTAINER, &p->ports, &p->nports) < 0)
			return -1;
	}
	return 0;
}

/*
 * When a finished pod's last container stopped: its sandbox and addresses
 * go then (status.containerStatuses[].state.terminated.finishedAt).
 */
static int
read_finished(struct pctx *c, const struct ynode *status, int64_t *out)
{
	const struct ynode *cs, *st, *term;
	int64_t t;
	size_t i;

	*out = NO_TIME;
	if (get_seq(c, status, "containerStatuses", "status.containerStatuses",
	    &cs) < 0)
		return -1;
	for (i = 0; cs != NULL && i < cs->n; i++) {
		if (cs->k[i]->type != YN_MAP)
			continue;
		if (get_map(c, cs->k[i], "state", "status.containerStatuses.state",
		    OPTIONAL, &st) < 0 ||
		    get_map(c, st, "terminated",
		    "status.containerStatuses.state.terminated", OPTIONAL, &term) < 0 ||
		    get_time(c, term, "finishedAt",
		    "status.containerStatuses.state.terminated.finishedAt", &t) < 0)
			return -1;
		if (t != NO_TIME && (*out == NO_TIME || t > *out))
			*out = t;
	}
	return 0;
}

static int
read_pod(struct inv *inv, struct pctx *c, const struct ynode *obj)
{
	const struct ynode *md, *spec, *status, *ips, *it;
	struct pod p, *dst;
	char *s = NULL;
	size_t i;
	int ret = -1;

	memset(&p, 0, sizeof(p));
	if (read_meta(c, obj, "Pod", 1, k8s_check_dns_subdomain, &md, &p.ns,
	    &p.name) < 0 || read_uid(c, md, p.ns, p.name, &p.uid) < 0 ||
	    get_labels(c, md, "labels", "metadata.labels", &p.labels) < 0 ||
	    get_time(c, md, "creationTimestamp", "metadata.creationTimestamp",
	    &p.created) < 0 ||
	    get_time(c, md, "deletionTimestamp", "metadata.deletionTimestamp",
	    &p.deleted) < 0 ||
	    read_owner(c, md, &p.owner_kind, &p.owner_name) < 0 ||
	    get_map(c, obj, "spec", "spec", REQUIRED, &spec) < 0 ||
	    get_bool(c, spec, "hostNetwork", "spec.hostNetwork", &p.host_network) < 0 ||
	    get_str(c, spec, "nodeName", "spec.nodeName", OPTIONAL, &p.node) < 0 ||
	    get_str(c, spec, "serviceAccountName", "spec.serviceAccountName",
	    OPTIONAL, &p.sa) < 0 ||
	    get_map(c, obj, "status", "status", OPTIONAL, &status) < 0 ||
	    read_container_ports(c, spec, &p) < 0)
		goto out;
	p.finished = NO_TIME;
	if (p.node != NULL && *p.node != '\0' && k8s_check_dns_subdomain(p.node)) {
		perr(c, ymap_get(spec, "nodeName"), "spec.nodeName", "'%s' is not a "
		    "valid node name", fp_clamp(p.node, 80));
		goto out;
	}
	if (p.sa != NULL && k8s_check_dns_subdomain(p.sa)) {
		perr(c, ymap_get(spec, "serviceAccountName"), "spec.serviceAccountName",
		    "'%s' is not a valid name", fp_clamp(p.sa, 80));
		goto out;
	}
	if (status != NULL) {
		if (get_str(c, status, "phase", "status.phase", OPTIONAL, &s) < 0)
			goto out;
		p.terminal = s != NULL && (strcmp(s, "Succeeded") == 0 ||
		    strcmp(s, "Failed") == 0);
		free(s);
		s = NULL;
		if (p.terminal && read_finished(c, status, &p.finished) < 0)
			goto out;
		if (get_seq(c, status, "podIPs", "status.podIPs", &ips) < 0)
			goto out;
		for (i = 0; ips != NULL && i < ips->n; i++) {
			it = ips->k[i];
			if (it->type != YN_MAP) {
				perr(c, it, "status.podIPs", "item is %s, want a mapping",
				    type_name(it));
				goto out;
			}
			if (get_str(c, it, "ip", "status.podIPs.ip", REQUIRED, &s) < 0 ||
			    add_ip(c, ymap_get(it, "ip"), "status.podIPs.ip", s, p.ips,
			    &p.nips) < 0)
				goto out;
			free(s);
			s = NULL;
		}
		if (get_str(c, status, "podIP", "status.podIP", OPTIONAL, &s) < 0 ||
		    (s != NULL && *s != '\0' && add_ip(c, ymap_get(status, "podIP"),
		    "status.podIP", s, p.ips, &p.nips) < 0))
			goto out;
	}
	if ((dst = GROW(inv, pod)) == NULL) {
		perr(c, obj, "-", "out of memory");
		goto out;
	}
	p.gone = inv->deleting;
	*dst = p;
	memset(&p, 0, sizeof(p));
	ret = 0;
out:
	free(s);
	pod_release(&p);
	return ret;
}

/* Labels Calico adds to a workload endpoint; not the pod's own. */
static int
calico_label(const char *key)
{
	return strncmp(key, "projectcalico.org/", 18) == 0;
}

/*
 * calicoctl WorkloadEndpoint: no ownerReferences, so the owner is inferred
 * from the labels the controllers put on pods (learner/cluster.h).
 */
static int
read_wep(struct inv *inv, struct pctx *c, const struct ynode *obj)
{
	const struct ynode *md, *spec, *nets, *it;
	struct labels all;
	struct pod p, *dst;
	char *wepname = NULL, *s = NULL, *slash;
	const char *v;
	size_t i, n;
	int ret = -1;

	memset(&p, 0, sizeof(p));
	labels_init(&all);
	if (read_meta(c, obj, "WorkloadEndpoint", 1, k8s_check_dns_subdomain, &md,
	    &p.ns, &wepname) < 0 ||
	    get_map(c, obj, "spec", "spec", REQUIRED, &spec) < 0 ||
	    get_name(c, spec, "pod", "spec.pod", k8s_check_dns_subdomain, &p.name) < 0 ||
	    read_uid(c, md, p.ns, p.name, &p.uid) < 0 ||
	    get_labels(c, md, "labels", "metadata.labels", &all) < 0 ||
	    get_time(c, md, "creationTimestamp", "metadata.creationTimestamp",
	    &p.created) < 0 ||
	    get_str(c, spec, "node", "spec.node", OPTIONAL, &p.node) < 0 ||
	    get_str(c, spec, "serviceAccountName", "spec.serviceAccountName",
	    OPTIONAL, &p.sa) < 0 ||
	    get_seq(c, spec, "ipNetworks", "spec.ipNetworks", &nets) < 0)
		goto out;
	p.from_wep = 1;
	p.finished = NO_TIME;
	for (i = 0; i < all.n; i++)
		if (!calico_label(all.v[i].key) &&
		    labels_set(&p.labels, all.v[i].key, all.v[i].value) < 0)
			goto oom;
	if (p.sa == NULL && (v = labels_get(&all,
	    "projectcalico.org/serviceaccount")) != NULL && (p.sa = strdup(v)) == NULL)
		goto oom;
	for (i = 0; nets != NULL && i < nets->n; i++) {
		it = nets->k[i];
		if (scalar_str(c, it, "spec.ipNetworks", &s) < 0)
			goto out;
		if ((slash = strchr(s, '/')) != NULL) {
			struct fp_ip net;
			int prefix;

			/* A workload endpoint's networks are single addresses. */
			if (fp_cidr_parse(&net, &prefix, s) == 0 &&
			    prefix != net.len * 8) {
				perr(c, it, "spec.ipNetworks", "'%s' is not a single "
				    "address (/32 or /128)", fp_clamp(s, 64));
				goto out;
			}
			*slash = '\0';
		}
		if (add_ip(c, it, "spec.ipNetworks", s, p.ips, &p.nips) < 0)
			goto out;
		free(s);
		s = NULL;
	}
	/* Owner from the labels controllers set (see cluster.h). */
	if ((v = labels_get(&p.labels, "pod-template-hash")) != NULL) {
		/* pod NAME = <replicaset>-<5 chars>, replicaset = <deploy>-<hash> */
		n = strlen(p.name);
		if ((slash = strrchr(p.name, '-')) != NULL && slash != p.name) {
			p.owner_kind = strdup("ReplicaSet");
			p.owner_name = strndup(p.name, (size_t)(slash - p.name));
		}
		(void)n;
	} else if ((v = labels_get(&p.labels, "job-name")) != NULL ||
	    (v = labels_get(&p.labels, "batch.kubernetes.io/job-name")) != NULL) {
		p.owner_kind = strdup("Job");
		p.owner_name = strdup(v);
	} else if (labels_get(&p.labels, "statefulset.kubernetes.io/pod-name") &&
	    (slash = strrchr(p.name, '-')) != NULL && slash != p.name) {
		p.owner_kind = strdup("StatefulSet");
		p.owner_name = strndup(p.name, (size_t)(slash - p.name));
	} else if (labels_get(&p.labels, "pod-template-generation") &&
	    (slash = strrchr(p.name, '-')) != NULL && slash != p.name) {
		p.owner_kind = strdup("DaemonSet");
		p.owner_name = strndup(p.name, (size_t)(slash - p.name));
	}
	if ((p.owner_kind == NULL) != (p.owner_name == NULL))
		goto oom;
	if ((dst = GROW(inv, pod)) == NULL)
		goto oom;
	*dst = p;
	memset(&p, 0, sizeof(p));
	inv->nweps++;
	ret = 0;
	goto out;
oom:
	perr(c, obj, "-", "out of memory");
out:
	free(s);
	free(wepname);
	labels_release(&all);
	pod_release(&p);
	return ret;
}

static int
read_namespace(struct inv *inv, struct pctx *c, const struct ynode *obj)
{
	const struct ynode *md;
	struct nsobj n, *dst;
	char *dummy = NULL;

	memset(&n, 0, sizeof(n));
	if (read_meta(c, obj, "Namespace", 0, k8s_check_dns_label, &md, &dummy,
	    &n.name) < 0 || get_labels(c, md, "labels", "metadata.labels",
	    &n.labels) < 0)
		goto fail;
	if ((dst = GROW(inv, ns)) == NULL) {
		perr(c, obj, "-", "out of memory");
		goto fail;
	}
	*dst = n;
	return 0;
fail:
	free(n.name);
	labels_release(&n.labels);
	return -1;
}

/*
 * The addresses Calico gives a node, in its annotations (values may carry a
 * prefix length, "10.0.0.5/24"): traffic from the node's tunnel and
 * WireGuard interfaces to pods comes from these, not its InternalIP.
 */
static const char *const node_annotations[] = {
	"projectcalico.org/IPv4Address",
	"projectcalico.org/IPv6Address",
	"projectcalico.org/IPv4IPIPTunnelAddr",
	"projectcalico.org/IPv4VXLANTunnelAddr",
	"projectcalico.org/IPv6VXLANTunnelAddr",
	"projectcalico.org/IPv4WireguardInterfaceAddr",
	"projectcalico.org/IPv6WireguardInterfaceAddr",
};

static int
add_node_ip(struct pctx *c, const struct ynode *at, const char *field,
    const char *text, const char *type, struct node *n)
{
	struct fp_ip ip;
	int prefix;
	size_t i;

	if (fp_cidr_parse(&ip, &prefix, text) < 0)
		return perr(c, at, field, "'%s' is not an IP address",
		    fp_clamp(text, 64));
	for (i = 0; i < n->nips; i++)
		if (fp_ip_cmp(&n->ips[i], &ip) == 0)
			return 0;	/* the first type that names it is kept */
	if (n->nips >= NODE_IPS_MAX)
		return perr(c, at, field, "more than %d addresses", NODE_IPS_MAX);
	n->types[n->nips] = type;
	n->ips[n->nips++] = ip;
	return 0;
}

static int
read_node_annotations(struct pctx *c, const struct ynode *md, struct node *n)
{
	const struct ynode *ann, *v;
	char field[128], *text = NULL;
	size_t i;

	if (get_map(c, md, "annotations", "metadata.annotations", OPTIONAL,
	    &ann) < 0)
		return -1;
	for (i = 0; ann != NULL && i < sizeof(node_annotations) /
	    sizeof(node_annotations[0]); i++) {
		v = ymap_get(ann, node_annotations[i]);
		if (y_is_null(v))
			continue;
		snprintf(field, sizeof(field), "metadata.annotations.%s",
		    node_annotations[i]);
		if (scalar_str(c, v, field, &text) < 0)
			return -1;
		if (*text != '\0' && add_node_ip(c, v, field, text,
		    node_annotations[i] + 18, n) < 0) {
			free(text);
			return -1;
		}
		free(text);
		text = NULL;
	}
	return 0;
}

static int
read_node(struct inv *inv, struct pctx *c, const struct ynode *obj)
{
	const struct ynode *md, *spec, *status, *addrs, *cidrs, *it;
	struct node n, *dst;
	char *dummy = NULL, *type = NULL, *addr = NULL, *cidr = NULL;
	size_t i;
	int ret = -1;

	memset(&n, 0, sizeof(n));
	if (read_meta(c, obj, "Node", 0, k8s_check_dns_subdomain, &md, &dummy,
	    &n.name) < 0 ||
	    get_labels(c, md, "labels", "metadata.labels", &n.labels) < 0 ||
	    get_time(c, md, "creationTimestamp", "metadata.creationTimestamp",
	    &n.created) < 0 ||
	    get_map(c, obj, "spec", "spec", OPTIONAL, &spec) < 0 ||
	    get_map(c, obj, "status", "status", OPTIONAL, &status) < 0 ||
	    get_seq(c, status, "addresses", "status.addresses", &addrs) < 0 ||
	    get_seq(c, spec, "podCIDRs", "spec.podCIDRs", &cidrs) < 0)
		goto out;
	for (i = 0; addrs != NULL && i < addrs->n; i++) {
		it = addrs->k[i];
		if (it->type != YN_MAP) {
			perr(c, it, "status.addresses", "item is %s, want a mapping",
			    type_name(it));
			goto out;
		}
		if (get_str(c, it, "type", "status.addresses.type", REQUIRED, &type) < 0 ||
		    get_str(c, it, "address", "status.addresses.address", REQUIRED,
		    &addr) < 0)
			goto out;
		/*
		 * InternalIP and ExternalIP, both families: node traffic to
		 * pods comes from them (Hostname and InternalDNS are names).
		 */
		if ((strcmp(type, "InternalIP") == 0 ||
		    strcmp(type, "ExternalIP") == 0) &&
		    add_node_ip(c, ymap_get(it, "address"), "status.addresses.address",
		    addr, type[0] == 'I' ? "InternalIP" : "ExternalIP", &n) < 0)
			goto out;
		free(type);
		free(addr);
		type = addr = NULL;
	}
	if (read_node_annotations(c, md, &n) < 0)
		goto out;
	for (i = 0; i < (cidrs ? cidrs->n : 0) + 1; i++) {
		const struct ynode *cn = cidrs && i < cidrs->n ? cidrs->k[i] :
		    ymap_get(spec, "podCIDR");
		size_t j;

		if (y_is_null(cn))
			continue;
		if (scalar_str(c, cn, "spec.podCIDRs", &cidr) < 0)
			goto out;
		if (n.ncidrs >= IPS_MAX || fp_cidr_parse(&n.cidrs[n.ncidrs],
		    &n.prefixes[n.ncidrs], cidr) < 0) {
			perr(c, cn, "spec.podCIDRs", "'%s' is not a CIDR",
			    fp_clamp(cidr, 64));
			goto out;
		}
		for (j = 0; j < n.ncidrs; j++)
			if (fp_ip_cmp(&n.cidrs[j], &n.cidrs[n.ncidrs]) == 0 &&
			    n.prefixes[j] == n.prefixes[n.ncidrs])
				break;
		if (j == n.ncidrs)
			n.ncidrs++;
		free(cidr);
		cidr = NULL;
	}
	if ((dst = GROW(inv, node)) == NULL) {
		perr(c, obj, "-", "out of memory");
		goto out;
	}
	n.gone = inv->deleting;
	*dst = n;
	memset(&n, 0, sizeof(n));
	ret = 0;
out:
	free(type);
	free(addr);
	free(cidr);
	free(n.name);
	labels_release(&n.labels);
	return ret;
}

static int
read_service(struct inv *inv, struct pctx *c, const struct ynode *obj)
{
	const struct ynode *md, *spec, *ips, *one, *ports, *ranges;
	struct svc s, *dst;
	char *ip = NULL, buf[FP_IPSTRLEN];
	struct fp_ip parsed;
	size_t i, used = 0, cap = 0;
	int ret = -1;

	memset(&s, 0, sizeof(s));
	if (read_meta(c, obj, "Service", 1, k8s_check_dns1035_label, &md, &s.ns,
	    &s.name) < 0 ||
	    get_map(c, obj, "spec", "spec", OPTIONAL, &spec) < 0 ||
	    get_labels(c, spec, "selector", "spec.selector", &s.selector) < 0 ||
	    get_seq(c, spec, "clusterIPs", "spec.clusterIPs", &ips) < 0 ||
	    get_str(c, spec, "type", "spec.type", OPTIONAL, &s.type) < 0 ||
	    get_str(c, spec, "externalTrafficPolicy", "spec.externalTrafficPolicy",
	    OPTIONAL, &s.etp) < 0 ||
	    get_seq(c, spec, "ports", "spec.ports", &ports) < 0 ||
	    read_ports(c, ports, "spec.ports", PORTS_SERVICE, &s.ports,
	    &s.nports) < 0 ||
	    get_seq(c, spec, "loadBalancerSourceRanges",
	    "spec.loadBalancerSourceRanges", &ranges) < 0)
		goto out;
	if (s.type != NULL && strcmp(s.type, "ClusterIP") != 0 &&
	    strcmp(s.type, "NodePort") != 0 && strcmp(s.type, "LoadBalancer") != 0 &&
	    strcmp(s.type, "ExternalName") != 0) {
		perr(c, ymap_get(spec, "type"), "spec.type", "'%s' is not ClusterIP, "
		    "NodePort, LoadBalancer or ExternalName", fp_clamp(s.type, 32));
		goto out;
	}
	if (s.etp != NULL && strcmp(s.etp, "Cluster") != 0 &&
	    strcmp(s.etp, "Local") != 0) {
		perr(c, ymap_get(spec, "externalTrafficPolicy"),
		    "spec.externalTrafficPolicy", "'%s' is not Cluster or Local",
		    fp_clamp(s.etp, 32));
		goto out;
	}
	for (i = 0; ranges != NULL && i < ranges->n; i++) {
		struct fp_ip net;
		int prefix;
		size_t need;
		char *np;

		if (scalar_str(c, ranges->k[i], "spec.loadBalancerSourceRanges",
		    &ip) < 0)
			goto out;
		if (fp_cidr_parse(&net, &prefix, ip) < 0) {
			perr(c, ranges->k[i], "spec.loadBalancerSourceRanges", "'%s' is "
			    "not a CIDR", fp_clamp(ip, 64));
			goto out;
		}
		need = (s.ranges ? strlen(s.ranges) : 0) + strlen(ip) + 2;
		if ((np = realloc(s.ranges, need)) == NULL)
			goto oom;
		if (s.ranges == NULL)
			np[0] = '\0';
		s.ranges = np;
		snprintf(s.ranges + strlen(s.ranges), need - strlen(s.ranges), "%s%s",
		    *s.ranges ? "," : "", ip);
		free(ip);
		ip = NULL;
	}
	for (i = 0; i < (ips ? ips->n : 0) + 1; i++) {
		one = ips && i < ips->n ? ips->k[i] : ymap_get(spec, "clusterIP");
		if (y_is_null(one))
			continue;
		if (scalar_str(c, one, "spec.clusterIPs", &ip) < 0)
			goto out;
		if (strcmp(ip, "None") != 0 && *ip != '\0') {
			if (fp_ip_parse(&parsed, ip) < 0) {
				perr(c, one, "spec.clusterIPs", "'%s' is not an IP address",
				    fp_clamp(ip, 64));
				goto out;
			}
			fp_ip_format(&parsed, buf);
			if (s.ips == NULL || strstr(s.ips, buf) == NULL) {
				size_t need = used + strlen(buf) + 2;
				char *np;

				if (need > cap) {
					cap = need * 2;
					if ((np = realloc(s.ips, cap)) == NULL)
						goto oom;
					s.ips = np;
				}
				used += (size_t)snprintf(s.ips + used, cap - used, "%s%s",
				    used ? "," : "", buf);
			}
		}
		free(ip);
		ip = NULL;
	}
	if (s.ips == NULL && (s.ips = strdup("")) == NULL)
		goto oom;
	if ((dst = GROW(inv, svc)) == NULL)
		goto oom;
	*dst = s;
	memset(&s, 0, sizeof(s));
	ret = 0;
	goto out;
oom:
	perr(c, obj, "-", "out of memory");
out:
	free(ip);
	svc_release(&s);
	return ret;
}

/*
 * EndpointSlice: the Service it belongs to (label kubernetes.io/service-name),
 * its endpoints' addresses, readiness and node, and its ports (already the
 * backends' target port numbers).
 */
static int
read_slice(struct inv *inv, struct pctx *c, const struct ynode *obj)
{
	const struct ynode *md, *eps, *ep, *addrs, *cond, *ports;
	struct labels lbl;
	struct slice sl, *dst;
	struct slice_ep *e;
	const char *v;
	char *addr = NULL;
	size_t i, j;
	int ready, ret = -1;
	void *np;

	memset(&sl, 0, sizeof(sl));
	labels_init(&lbl);
	if (read_meta(c, obj, "EndpointSlice", 1, k8s_check_dns_subdomain, &md,
	    &sl.ns, &sl.name) < 0 ||
	    get_labels(c, md, "labels", "metadata.labels", &lbl) < 0 ||
	    get_seq(c, obj, "endpoints", "endpoints", &eps) < 0 ||
	    get_seq(c, obj, "ports", "ports", &ports) < 0 ||
	    read_ports(c, ports, "ports", PORTS_SLICE, &sl.ports, &sl.nports) < 0)
		goto out;
	if ((v = labels_get(&lbl, "kubernetes.io/service-name")) == NULL) {
		inv->ignored++;	/* not managed for a Service */
		ret = 0;
		goto out;
	}
	if ((sl.svc = strdup(v)) == NULL)
		goto oom;
	for (i = 0; eps != NULL && i < eps->n; i++) {
		ep = eps->k[i];
		if (ep->type != YN_MAP) {
			perr(c, ep, "endpoints", "item is %s, want a mapping",
			    type_name(ep));
			goto out;
		}
		if (get_seq(c, ep, "addresses", "endpoints.addresses", &addrs) < 0 ||
		    get_map(c, ep, "conditions", "endpoints.conditions", OPTIONAL,
		    &cond) < 0)
			goto out;
		/* An unset ready condition means ready (discovery/v1). */
		ready = 1;
		if (cond != NULL && !y_is_null(ymap_get(cond, "ready")) &&
		    get_bool(c, cond, "ready", "endpoints.conditions.ready", &ready) < 0)
			goto out;
		for (j = 0; addrs != NULL && j < addrs->n; j++) {
			if (scalar_str(c, addrs->k[j], "endpoints.addresses", &addr) < 0)
				goto out;
			if ((np = realloc(sl.eps, (sl.neps + 1) * sizeof(*sl.eps))) == NULL)
				goto oom;
			sl.eps = np;
			e = &sl.eps[sl.neps];
			memset(e, 0, sizeof(*e));
			if (fp_ip_parse(&e->ip, addr) < 0) {
				perr(c, addrs->k[j], "endpoints.addresses", "'%s' is not an "
				    "IP address", fp_clamp(addr, 64));
				goto out;
			}
			e->ready = ready;
			sl.neps++;
			if (get_str(c, ep, "nodeName", "endpoints.nodeName", OPTIONAL,
			    &e->node) < 0)
				goto out;
			free(addr);
			addr = NULL;
		}
	}
	if ((dst = GROW(inv, slice)) == NULL)
		goto oom;
	*dst = sl;
	memset(&sl, 0, sizeof(sl));
	ret = 0;
	goto out;
oom:
	perr(c, obj, "-", "out of memory");
out:
	free(addr);
	labels_release(&lbl);
	slice_release(&sl);
	return ret;
}

static void
svc_release(struct svc *s)
{
	free(s->ns);
	free(s->name);
	free(s->ips);
	free(s->type);
	free(s->etp);
	free(s->ranges);
	labels_release(&s->selector);
	ports_free(s->ports, s->nports);
}

static void
slice_release(struct slice *sl)
{
	size_t i;

	free(sl->ns);
	free(sl->name);
	free(sl->svc);
	for (i = 0; i < sl->neps; i++)
		free(sl->eps[i].node);
	free(sl->eps);
	ports_free(sl->ports, sl->nports);
}

/* ReplicaSet or Job: only who owns it matters (Deployment, CronJob). */
static int
read_controller(struct inv *inv, struct pctx *c, const struct ynode *obj,
    const char *kind)
{
	const struct ynode *md;
	struct ctrl k, *dst;

	memset(&k, 0, sizeof(k));
	if (read_meta(c, obj, kind, 1, k8s_check_dns_subdomain, &md, &k.ns,
	    &k.name) < 0 || read_owner(c, md, &k.okind, &k.oname) < 0)
		goto fail;
	if (k.okind == NULL) {
		free(k.ns);
		free(k.name);
		return 0;
	}
	if ((k.kind = strdup(kind)) == NULL || (dst = GROW(inv, ctrl)) == NULL) {
		perr(c, obj, "-", "out of memory");
		goto fail;
	}
	*dst = k;
	return 0;
fail:
	free(k.ns);
	free(k.name);
	free(k.kind);
	free(k.okind);
	free(k.oname);
	return -1;
}

static int
read_object(struct inv *inv, struct pctx *c, const struct ynode *obj,
    size_t index)
{
	const struct ynode *kn;
	const char *kind;

	snprintf(c->obj, sizeof(c->obj), "#%zu", index + 1);
	if (obj->type != YN_MAP)
		return perr(c, obj, "-", "is %s, want a Kubernetes object",
		    type_name(obj));
	kn = ymap_get(obj, "kind");
	if (kn == NULL || kn->type != YN_SCALAR || kn->len == 0)
		return perr(c, kn ? kn : obj, "kind", "missing");
	kind = kn->s;
	snprintf(c->obj, sizeof(c->obj), "%s #%zu", fp_clamp(kind, 64), index + 1);
	if (strcmp(kind, "Pod") == 0)
		return read_pod(inv, c, obj);
	if (strcmp(kind, "WorkloadEndpoint") == 0)
		return read_wep(inv, c, obj);
	if (strcmp(kind, "Namespace") == 0)
		return read_namespace(inv, c, obj);
	if (strcmp(kind, "Node") == 0)
		return read_node(inv, c, obj);
	if (strcmp(kind, "Service") == 0)
		return read_service(inv, c, obj);
	if (strcmp(kind, "EndpointSlice") == 0)
		return read_slice(inv, c, obj);
	if (strcmp(kind, "ReplicaSet") == 0 || strcmp(kind, "Job") == 0)
		return read_controller(inv, c, obj, kind);
	inv->ignored++;
	return 0;
}

static int
read_document(struct inv *inv, struct pctx *c, const struct ynode *doc,
    size_t streamed)
{
	const struct ynode *kn, *items;
	size_t i, len;

	c->obj[0] = '\0';
	if (doc->type != YN_MAP)
		return fp_error("inventory: '%s': line %zu: document is %s, want a "
		    "Kubernetes object or List", c->file, doc->line, type_name(doc));
	kn = ymap_get(doc, "kind");
	if (kn == NULL && ymap_get(doc, "object") != NULL) {
		/* kubectl get --watch --output-watch-events: {type, object} */
		const struct ynode *type = ymap_get(doc, "type");
		int r;

		inv->deleting = type != NULL && type->type == YN_SCALAR &&
		    strcmp(type->s, "DELETED") == 0;
		r = read_object(inv, c, ymap_get(doc, "object"), 0);
		inv->deleting = 0;
		return r;
	}
	if (kn != NULL && kn->type == YN_SCALAR && (len = kn->len) >= 4 &&
	    strcmp(kn->s + len - 4, "List") == 0) {
		inv->lists++;
		items = ymap_get(doc, "items");
		if (y_is_null(items))
			return 0;
		if (items->type != YN_SEQ)
			return fp_error("inventory: '%s': line %zu: %s: items is %s, "
			    "want a list", c->file, items->line, fp_clamp(kn->s, 64),
			    type_name(items));
		/* Items that are not mappings were left for here. */
		for (i = 0; i < items->n; i++)
			if (read_object(inv, c, items->k[i], streamed + i) < 0)
				return -1;
		return 0;
	}
	if (streamed > 0)
		return fp_error("inventory: '%s': line %zu: a document with items "
		    "must be a List", c->file, doc->line);
	return read_object(inv, c, doc, 0);
}

int
inv_parse(struct inv *inv, const char *name, const char *buf, size_t len)
{
	return inv_parse_at(inv, name, buf, len, 0, 0);
}

int
inv_parse_at(struct inv *inv, const char *name, const char *buf, size_t len,
    size_t line, size_t offset)
{
	struct yr *y = NULL;
	struct ynode *doc = NULL;
	struct pctx c;
	struct ystream ys;
	int ret = -1, docs = 0;

	memset(&c, 0, sizeof(c));
	c.file = name;
	ys.inv = inv;
	ys.c = &c;
	if (yr_new(&y, buf, len, NULL, YR_UTF8) < 0)
		return fp_error_prefix("inventory: '%s'", name);
	yr_set_base(y, line, offset);
	for (;;) {
		ys.streamed = 0;
		if (ytree_next(y, name, &doc, &ys) < 0)
			goto out;
		if (doc == NULL)
			break;
		docs++;
		if (read_document(inv, &c, doc, ys.streamed) < 0)
			goto out;
		ynode_free(doc);
		doc = NULL;
	}
	if (docs == 0) {
		fp_error("inventory: '%s': empty input: no Kubernetes object", name);
		goto out;
	}
	ret = 0;
out:
	ynode_free(doc);
	yr_free(y);
	return ret;
}

/* --- lifecycle ---------------------------------------------------------- */

int
inv_new(struct inv **out)
{
	if ((*out = calloc(1, sizeof(**out))) == NULL)
		return fp_error("inventory: out of memory");
	return 0;
}

void
inv_free(struct inv *inv)
{
	size_t i;

	if (inv == NULL)
		return;
	for (i = 0; i < inv->npods; i++)
		pod_release(&inv->pods[i]);
	for (i = 0; i < inv->nnodes; i++) {
		free(inv->nodes[i].name);
		labels_release(&inv->nodes[i].labels);
	}
	for (i = 0; i < inv->nnss; i++) {
		free(inv->nss[i].name);
		labels_release(&inv->nss[i].labels);
	}
	for (i = 0; i < inv->nsvcs; i++)
		svc_release(&inv->svcs[i]);
	for (i = 0; i < inv->nslices; i++)
		slice_release(&inv->slices[i]);
	free(inv->slices);
	for (i = 0; i < inv->nctrls; i++) {
		free(inv->ctrls[i].ns);
		free(inv->ctrls[i].kind);
		free(inv->ctrls[i].name);
		free(inv->ctrls[i].okind);
		free(inv->ctrls[i].oname);
	}
	free(inv->pods);
	free(inv->nodes);
	free(inv->nss);
	free(inv->svcs);
	free(inv->ctrls);
	free(inv);
}

void
inv_counts(const struct inv *inv, struct inv_counts *out)
{
	out->pods = inv->npods - inv->nweps;
	out->weps = inv->nweps;
	out->namespaces = inv->nnss;
	out->nodes = inv->nnodes;
	out->services = inv->nsvcs;
	out->controllers = inv->nctrls;
	out->slices = inv->nslices;
	out->ignored = inv->ignored;
	out->lists = inv->lists;
}

/*
 * The store's text form of labels (common/schema.c): "key=value\n" per
 * label, sorted by key. malloc'd; the caller frees. 0 or -1 (fp_error).
 */
static int
format_labels(const struct labels *l, char **out)
{
	size_t i, len = 1, used = 0, kl, vl;
	char *buf;

	for (i = 0; i < l->n; i++)
		len += strlen(l->v[i].key) + strlen(l->v[i].value) + 2;
	if ((buf = malloc(len)) == NULL)
		return fp_error("inventory: out of memory");
	for (i = 0; i < l->n; i++) {
		kl = strlen(l->v[i].key);
		vl = strlen(l->v[i].value);
		memcpy(buf + used, l->v[i].key, kl);
		used += kl;
		buf[used++] = '=';
		memcpy(buf + used, l->v[i].value, vl);
		used += vl;
		buf[used++] = '\n';
	}
	buf[used] = '\0';
	*out = buf;
	return 0;
}

/* --- storing a snapshot ------------------------------------------------- */

enum {
	S_PREV, S_SNAP, S_NS, S_NODE_NEW, S_NODE, S_POD_NEW, S_POD, S_PODLBL,
	S_EP_FIND, S_EP_SEEN, S_EP_ADD, S_NET, S_SVC, S_CTRL, S_EP_CLOSE,
	S_POD_CLOSE, S_EP_GONE, S_POD_GONE, S_POD_FIN, S_NODE_ADDR, S_POD_PORT,
	S_SVC_PORTS_DEL, S_SVC_PORT, S_SLICE_EP, S_SLICE_PORT, S_COUNT
};

static const char *const sqls[S_COUNT] = {
	[S_PREV] = "SELECT taken_at, kinds FROM snapshots ORDER BY taken_at DESC, id DESC",
	[S_SNAP] = "INSERT INTO snapshots(taken_at, source, kinds, objects) "
	    "VALUES (?1, ?2, ?3, ?4)",
	[S_NS] = "INSERT INTO namespaces(name, labels, first_seen, last_seen) "
	    "VALUES (?1, ?2, ?3, ?3) ON CONFLICT(name) DO UPDATE SET "
	    "labels = excluded.labels, last_seen = max(last_seen, excluded.last_seen)",
	[S_NODE_NEW] = "SELECT last_seen FROM nodes WHERE name = ?1",
	[S_NODE] = "INSERT INTO nodes(name, labels, first_seen, last_seen) "
	    "VALUES (?1, ?2, ?3, ?3) ON CONFLICT(name) DO UPDATE SET "
	    "labels = excluded.labels, last_seen = max(last_seen, excluded.last_seen)",
	[S_POD_NEW] = "SELECT last_seen FROM pods WHERE uid = ?1",
	[S_POD] = "INSERT INTO pods(uid, namespace, name, node, service_account, "
	    "host_network, owner_kind, owner_name, labels, created, deleted, "
	    "first_seen, last_seen, live, finished) VALUES "
	    "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?12, ?13, ?14) "
	    "ON CONFLICT(uid) DO UPDATE SET namespace = excluded.namespace, "
	    "name = excluded.name, node = excluded.node, "
	    "service_account = excluded.service_account, "
	    "host_network = excluded.host_network, owner_kind = excluded.owner_kind, "
	    "owner_name = excluded.owner_name, labels = excluded.labels, "
	    "created = coalesce(created, excluded.created), "
	    "deleted = coalesce(excluded.deleted, deleted), "
	    "live = max(live, excluded.live), gone_at = NULL, "
	    "finished = coalesce(finished, excluded.finished), "
	    "last_seen = max(last_seen, excluded.last_seen)",
	[S_PODLBL] = "INSERT INTO pod_labels(uid, labels, first_seen, last_seen) "
	    "VALUES (?1, ?2, ?3, ?3) ON CONFLICT(uid, labels) DO UPDATE SET "
	    "last_seen = max(last_seen, excluded.last_seen)",
	[S_EP_FIND] = "SELECT seen_first FROM endpoints WHERE ip = ?1 AND "
	    "owner_kind = ?2 AND owner = ?3 AND gone_at IS NULL",
	[S_EP_SEEN] = "UPDATE endpoints SET seen_last = max(seen_last, ?4), "
	    "valid_to = CASE WHEN ?5 IS NULL THEN valid_to "
	    "ELSE max(valid_from, min(coalesce(valid_to, ?5), ?5)) END "
	    "WHERE ip = ?1 AND owner_kind = ?2 AND owner = ?3 AND gone_at IS NULL",
	[S_EP_ADD] = "INSERT INTO endpoints(ip, owner_kind, owner, valid_from, "
	    "valid_to, seen_first, seen_last) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
	[S_NET] = "INSERT OR IGNORE INTO networks(net, prefix, source) VALUES (?1, ?2, ?3)",
	[S_SVC] = "INSERT INTO services(namespace, name, selector, cluster_ips, "
	    "first_seen, last_seen, type, traffic_policy, source_ranges) "
	    "VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?6, ?7, ?8) "
	    "ON CONFLICT(namespace, name) DO UPDATE SET selector = excluded.selector, "
	    "cluster_ips = excluded.cluster_ips, type = excluded.type, "
	    "traffic_policy = excluded.traffic_policy, "
	    "source_ranges = excluded.source_ranges, "
	    "last_seen = max(last_seen, excluded.last_seen)",
	[S_CTRL] = "INSERT INTO controllers(namespace, kind, name, owner_kind, "
	    "owner_name) VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO UPDATE SET "
	    "owner_kind = excluded.owner_kind, owner_name = excluded.owner_name",
	[S_EP_CLOSE] = "UPDATE endpoints SET gone_at = ?2, "
	    "valid_to = max(valid_from, min(coalesce(valid_to, ?2), ?2)) "
	    "WHERE owner_kind = ?1 AND gone_at IS NULL AND seen_last < ?2",
	[S_POD_CLOSE] = "UPDATE pods SET gone_at = ?1 WHERE gone_at IS NULL AND "
	    "last_seen < ?1",
	[S_EP_GONE] = "UPDATE endpoints SET gone_at = ?3, "
	    "valid_to = max(valid_from, min(coalesce(valid_to, ?3), ?3)) "
	    "WHERE owner_kind = ?1 AND owner = ?2 AND gone_at IS NULL",
	[S_POD_GONE] = "UPDATE pods SET gone_at = ?2 WHERE uid = ?1 AND gone_at IS NULL",
	[S_POD_FIN] = "SELECT finished FROM pods WHERE uid = ?1 AND finished IS NOT NULL",
	[S_NODE_ADDR] = "INSERT INTO node_addresses(node, ip, type, first_seen, "
	    "last_seen) VALUES (?1, ?2, ?3, ?4, ?4) ON CONFLICT DO UPDATE SET "
	    "last_seen = max(last_seen, excluded.last_seen)",
	[S_POD_PORT] = "INSERT OR REPLACE INTO pod_ports(uid, port_name, proto, port) "
	    "VALUES (?1, ?2, ?3, ?4)",
	[S_SVC_PORTS_DEL] = "DELETE FROM service_ports WHERE namespace = ?1 AND "
	    "name = ?2",
	[S_SVC_PORT] = "INSERT OR REPLACE INTO service_ports(namespace, name, "
	    "port_name, proto, port, target_port, node_port) VALUES "
	    "(?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	[S_SLICE_EP] = "INSERT INTO slice_endpoints(namespace, slice, service, ip, "
	    "ready, node, first_seen, last_seen) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7) "
	    "ON CONFLICT DO UPDATE SET ready = max(ready, excluded.ready), "
	    "service = excluded.service, node = excluded.node, "
	    "last_seen = max(last_seen, excluded.last_seen)",
	[S_SLICE_PORT] = "INSERT OR REPLACE INTO slice_ports(namespace, slice, "
	    "service, port_name, proto, port) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
};

struct writer {
	struct store *st;
	sqlite3_stmt *s[S_COUNT];
	int64_t at;
	int watch;		/* INV_WATCH */
};

static int
step_done(struct writer *w, sqlite3_stmt *s, const char *what)
{
	int rc = sqlite3_step(s);

	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return store_sqlerr(w->st, what);
	return 0;
}

/*
 * Whether an owner is known (the statement takes one text parameter) and
 * when it was last seen.
 */
static int
exists(struct writer *w, int which, const char *key, int *out, int64_t *last)
{
	sqlite3_stmt *s = w->s[which];
	int rc;

	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	*last = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : INT64_MIN;
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_sqlerr(w->st, "reading the inventory");
	*out = rc == SQLITE_ROW;
	return 0;
}

/* An owner is gone now (watch DELETED event, finished pod). */
static int
gone(struct writer *w, const char *kind, const char *owner)
{
	sqlite3_stmt *s = w->s[S_EP_GONE];

	sqlite3_bind_text(s, 1, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, owner, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, w->at);
	if (step_done(w, s, "closing endpoints") < 0)
		return -1;
	if (strcmp(kind, "pod") != 0)
		return 0;
	s = w->s[S_POD_GONE];
	sqlite3_bind_text(s, 1, owner, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, w->at);
	return step_done(w, s, "closing pods");
}

static void
bind_time(sqlite3_stmt *s, int i, int64_t t)
{
	if (t == NO_TIME)
		sqlite3_bind_null(s, i);
	else
		sqlite3_bind_int64(s, i, t);
}

/*
 * One owner seen with one IP in this snapshot: extend its open run or start
 * one (the interval rules are in inventory.h).
 */
static int
observe(struct writer *w, const char *kind, const char *owner,
    const struct fp_ip *ip, int first_sighting, int64_t created,
    int64_t deleted, int64_t prev)
{
	sqlite3_stmt *s = w->s[S_EP_FIND];
	int64_t from;
	int rc;

	sqlite3_bind_blob(s, 1, ip->a, ip->len, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, owner, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_sqlerr(w->st, "reading endpoints");
	if (rc == SQLITE_ROW) {
		s = w->s[S_EP_SEEN];
		sqlite3_bind_blob(s, 1, ip->a, ip->len, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, kind, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 3, owner, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 4, w->at);
		bind_time(s, 5, deleted);
		return step_done(w, s, "updating endpoints");
	}
	if (first_sighting && created != NO_TIME)
		from = created < w->at ? created : w->at;
	else if (prev != NO_TIME)
		from = prev + 1;
	else
		from = w->at;
	if (deleted != NO_TIME && deleted < from)
		deleted = from;
	s = w->s[S_EP_ADD];
	sqlite3_bind_blob(s, 1, ip->a, ip->len, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, owner, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, from);
	bind_time(s, 5, deleted);
	sqlite3_bind_int64(s, 6, w->at);
	return step_done(w, s, "adding endpoints");
}

static int
covers(const char *kinds, const char *kind)
{
	size_t n = strlen(kind);
	const char *p = kinds;

	while ((p = strstr(p, kind)) != NULL) {
		if ((p == kinds || p[-1] == ',') && (p[n] == ',' || p[n] == '\0'))
			return 1;
		p += n;
	}
	return 0;
}

/* Time of the latest earlier snapshot covering pods/nodes; latest overall. */
static int
previous(struct writer *w, int64_t *latest, int64_t *prev_pods,
    int64_t *prev_nodes)
{
	sqlite3_stmt *s = w->s[S_PREV];
	const char *kinds;
	int64_t t;
	int rc;

	*latest = *prev_pods = *prev_nodes = NO_TIME;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		t = sqlite3_column_int64(s, 0);
		kinds = (const char *)sqlite3_column_text(s, 1);
		if (*latest == NO_TIME)
			*latest = t;
		if (t >= w->at || kinds == NULL)
			continue;
		if (*prev_pods == NO_TIME && (covers(kinds, "Pod") ||
		    covers(kinds, "WorkloadEndpoint")))
			*prev_pods = t;
		if (*prev_nodes == NO_TIME && covers(kinds, "Node"))
			*prev_nodes = t;
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return store_sqlerr(w->st, "reading snapshots");
	return 0;
}

static int
store_node(struct writer *w, const struct node *n, int64_t prev)
{
	sqlite3_stmt *s = w->s[S_NODE];
	char *text = NULL, src[320];
	size_t i;
	int64_t last;
	int isold = 0, ret = -1;

	if (exists(w, S_NODE_NEW, n->name, &isold, &last) < 0 ||
	    format_labels(&n->labels, &text) < 0)
		goto out;
	sqlite3_bind_text(s, 1, n->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, text, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, w->at);
	if (step_done(w, s, "storing nodes") < 0)
		goto out;
	if (w->watch)
		prev = isold ? last : NO_TIME;
	if (n->gone) {
		if (gone(w, "node", n->name) < 0)
			goto out;
	} else {
		for (i = 0; i < n->nips; i++) {
			if (observe(w, "node", n->name, &n->ips[i], !isold, n->created,
			    NO_TIME, prev) < 0)
				goto out;
			s = w->s[S_NODE_ADDR];
			sqlite3_bind_text(s, 1, n->name, -1, SQLITE_STATIC);
			sqlite3_bind_blob(s, 2, n->ips[i].a, n->ips[i].len, SQLITE_STATIC);
			sqlite3_bind_text(s, 3, n->types[i], -1, SQLITE_STATIC);
			sqlite3_bind_int64(s, 4, w->at);
			if (step_done(w, s, "storing node addresses") < 0)
				goto out;
		}
	}
	snprintf(src, sizeof(src), "node/%s podCIDR", n->name);
	for (i = 0; i < n->ncidrs; i++) {
		s = w->s[S_NET];
		sqlite3_bind_blob(s, 1, n->cidrs[i].a, n->cidrs[i].len, SQLITE_STATIC);
		sqlite3_bind_int(s, 2, n->prefixes[i]);
		sqlite3_bind_text(s, 3, src, -1, SQLITE_STATIC);
		if (step_done(w, s, "storing networks") < 0)
			goto out;
	}
	ret = 0;
out:
	free(text);
	return ret;
}

static int
store_pod(struct writer *w, const struct pod *p, int64_t prev)
{
	sqlite3_stmt *s = w->s[S_POD];
	char *text = NULL;
	size_t i;
	int64_t last, fin, cap;
	int isold = 0, was_finished = 0, ret = -1;

	if (exists(w, S_POD_NEW, p->uid, &isold, &last) < 0 ||
	    exists(w, S_POD_FIN, p->uid, &was_finished, &fin) < 0 ||
	    format_labels(&p->labels, &text) < 0)
		goto out;
	/* A finished pod held its addresses until its containers stopped. */
	fin = !p->terminal ? NO_TIME : p->finished != NO_TIME &&
	    p->finished < w->at ? p->finished : w->at;
	sqlite3_bind_text(s, 1, p->uid, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, p->ns, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, p->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, p->node ? p->node : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, p->sa ? p->sa : "default", -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 6, p->host_network);
	sqlite3_bind_text(s, 7, p->owner_kind ? p->owner_kind : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 8, p->owner_name ? p->owner_name : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 9, text, -1, SQLITE_STATIC);
	bind_time(s, 10, p->created);
	bind_time(s, 11, p->deleted);
	sqlite3_bind_int64(s, 12, w->at);
	/* live: it ran in the period (a Job's pod seen only finished did too) */
	sqlite3_bind_int(s, 13, !p->terminal || p->nips > 0);
	bind_time(s, 14, fin);
	if (step_done(w, s, "storing pods") < 0)
		goto out;
	for (i = 0; i < p->nports; i++) {
		s = w->s[S_POD_PORT];
		sqlite3_bind_text(s, 1, p->uid, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, p->ports[i].name, -1, SQLITE_STATIC);
		sqlite3_bind_int(s, 3, p->ports[i].proto);
		sqlite3_bind_int(s, 4, p->ports[i].port);
		if (step_done(w, s, "storing pod ports") < 0)
			goto out;
	}
	s = w->s[S_PODLBL];
	sqlite3_bind_text(s, 1, p->uid, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, text, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, w->at);
	if (step_done(w, s, "storing pod labels") < 0)
		goto out;
	if (w->watch)
		prev = isold ? last : NO_TIME;
	/*
	 * hostNetwork pods are their node. A finished pod owned its addresses
	 * until it finished (a Job's pod that ran between two snapshots): the
	 * first sighting as finished records that run and closes it; later
	 * sightings change nothing.
	 */
	if (p->gone) {
		if (gone(w, "pod", p->uid) < 0)
			goto out;
	} else if (!p->host_network && !(p->terminal && was_finished)) {
		cap = p->deleted;
		if (fin != NO_TIME && (cap == NO_TIME || fin < cap))
			cap = fin;
		for (i = 0; i < p->nips; i++)
			if (observe(w, "pod", p->uid, &p->ips[i], !isold, p->created,
			    cap, prev) < 0)
				goto out;
		if (p->terminal && gone(w, "pod", p->uid) < 0)
			goto out;
	}
	ret = 0;
out:
	free(text);
	return ret;
}

/* A Service's ports as this snapshot lists them (the latest win). */
static int
store_service_ports(struct writer *w, const struct svc *v)
{
	sqlite3_stmt *s = w->s[S_SVC_PORTS_DEL];
	size_t i;

	sqlite3_bind_text(s, 1, v->ns, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, v->name, -1, SQLITE_STATIC);
	if (step_done(w, s, "storing service ports") < 0)
		return -1;
	s = w->s[S_SVC_PORT];
	for (i = 0; i < v->nports; i++) {
		sqlite3_bind_text(s, 1, v->ns, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, v->name, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 3, v->ports[i].name, -1, SQLITE_STATIC);
		sqlite3_bind_int(s, 4, v->ports[i].proto);
		sqlite3_bind_int(s, 5, v->ports[i].port);
		sqlite3_bind_text(s, 6, v->ports[i].target, -1, SQLITE_STATIC);
		sqlite3_bind_int(s, 7, v->ports[i].node_port);
		if (step_done(w, s, "storing service ports") < 0)
			return -1;
	}
	return 0;
}

static int
store_slice(struct writer *w, const struct slice *sl)
{
	sqlite3_stmt *s;
	size_t i;

	for (i = 0; i < sl->neps; i++) {
		s = w->s[S_SLICE_EP];
		sqlite3_bind_text(s, 1, sl->ns, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, sl->name, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 3, sl->svc, -1, SQLITE_STATIC);
		sqlite3_bind_blob(s, 4, sl->eps[i].ip.a, sl->eps[i].ip.len,
		    SQLITE_STATIC);
		sqlite3_bind_int(s, 5, sl->eps[i].ready);
		sqlite3_bind_text(s, 6, sl->eps[i].node ? sl->eps[i].node : "", -1,
		    SQLITE_STATIC);
		sqlite3_bind_int64(s, 7, w->at);
		if (step_done(w, s, "storing endpoint slices") < 0)
			return -1;
	}
	for (i = 0; i < sl->nports; i++) {
		s = w->s[S_SLICE_PORT];
		sqlite3_bind_text(s, 1, sl->ns, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, sl->name, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 3, sl->svc, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 4, sl->ports[i].name, -1, SQLITE_STATIC);
		sqlite3_bind_int(s, 5, sl->ports[i].proto);
		sqlite3_bind_int(s, 6, sl->ports[i].port);
		if (step_done(w, s, "storing endpoint slices") < 0)
			return -1;
	}
	return 0;
}

static int
cmp_pod_uid(const void *a, const void *b)
{
	const struct pod *x = *(const struct pod *const *)a;
	const struct pod *y = *(const struct pod *const *)b;
	int c = strcmp(x->uid, y->uid);

	/* equal uids keep import order: the first Pod listed wins */
	return c ? c : (x > y) - (x < y);
}

/*
 * A WorkloadEndpoint and a Pod with the same uid in one import are one pod:
 * the Pod's fields win, the endpoint adds addresses.
 */
static int
merge_weps(struct inv *inv)
{
	struct pod **byuid, *wep, *pod;
	size_t i, k, m, n = 0, lo, hi, mid;

	/* Pods sorted by uid: one lookup per endpoint, not a scan. */
	if ((byuid = calloc(inv->npods + 1, sizeof(*byuid))) == NULL)
		return fp_error("inventory: out of memory");
	for (i = 0; i < inv->npods; i++)
		if (!inv->pods[i].from_wep)
			byuid[n++] = &inv->pods[i];
	if (n > 1)
		qsort(byuid, n, sizeof(*byuid), cmp_pod_uid);
	for (i = 0; i < inv->npods; i++) {
		wep = &inv->pods[i];
		if (!wep->from_wep)
			continue;
		for (lo = 0, hi = n; lo < hi;) {
			mid = lo + (hi - lo) / 2;
			if (strcmp(byuid[mid]->uid, wep->uid) < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo == n || strcmp(byuid[lo]->uid, wep->uid) != 0)
			continue;
		pod = byuid[lo];
		for (k = 0; k < wep->nips; k++) {
			for (m = 0; m < pod->nips; m++)
				if (fp_ip_cmp(&pod->ips[m], &wep->ips[k]) == 0)
					break;
			if (m == pod->nips && pod->nips < IPS_MAX)
				pod->ips[pod->nips++] = wep->ips[k];
		}
		wep->terminal = -1;	/* folded into pod: skip */
	}
	free(byuid);
	return 0;
}

static int
kinds_text(const struct inv *inv, char *buf, size_t len)
{
	const char *names[7];
	size_t n = 0, i, used = 0;

	if (inv->nnss)
		names[n++] = "Namespace";
	if (inv->nslices)
		names[n++] = "EndpointSlice";
	if (inv->nnodes)
		names[n++] = "Node";
	if (inv->npods > inv->nweps)
		names[n++] = "Pod";
	if (inv->nsvcs)
		names[n++] = "Service";
	if (inv->nweps)
		names[n++] = "WorkloadEndpoint";
	buf[0] = '\0';
	for (i = 0; i < n; i++)
		used += (size_t)snprintf(buf + used, len - used, "%s%s",
		    i ? "," : "", names[i]);
	return 0;
}

int
inv_store(struct inv *inv, struct store *st, int64_t at, const char *source,
    int flags)
{
	struct writer w;
	char kinds[128], tbuf[FP_TIMESTRLEN], lbuf[FP_TIMESTRLEN], *text = NULL;
	int64_t latest, prev_pods, prev_nodes;
	sqlite3_stmt *s;
	size_t i;
	int began = 0, ret = -1;

	memset(&w, 0, sizeof(w));
	w.st = st;
	w.at = at;
	w.watch = (flags & INV_WATCH) != 0;
	for (i = 0; i < S_COUNT; i++)
		if (store_prepare(st, &w.s[i], sqls[i]) < 0)
			goto out;
	if (store_begin(st) < 0)
		goto out;
	began = 1;
	if (previous(&w, &latest, &prev_pods, &prev_nodes) < 0)
		goto out;
	if (latest != NO_TIME && at < latest) {
		fp_error("inventory: snapshot time %s is before the latest snapshot "
		    "%s: import snapshots in time order", fp_time_format(at, tbuf),
		    fp_time_format(latest, lbuf));
		goto out;
	}
	if (merge_weps(inv) < 0)
		goto out;
	kinds_text(inv, kinds, sizeof(kinds));
	s = w.s[S_SNAP];
	if (w.watch)
		goto objects;	/* events are no listing: no snapshot row */
	sqlite3_bind_int64(s, 1, at);
	sqlite3_bind_text(s, 2, source, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, kinds, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, (sqlite3_int64)(inv->npods + inv->nnodes +
	    inv->nnss + inv->nsvcs + inv->nslices));
	if (step_done(&w, s, "storing the snapshot") < 0)
		goto out;
objects:
	for (i = 0; i < inv->nnss; i++) {
		s = w.s[S_NS];
		if (format_labels(&inv->nss[i].labels, &text) < 0)
			goto out;
		sqlite3_bind_text(s, 1, inv->nss[i].name, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, text, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 3, at);
		if (step_done(&w, s, "storing namespaces") < 0)
			goto out;
		free(text);
		text = NULL;
	}
	for (i = 0; i < inv->nnodes; i++)
		if (store_node(&w, &inv->nodes[i], prev_nodes) < 0)
			goto out;
	for (i = 0; i < inv->npods; i++)
		if (inv->pods[i].terminal >= 0 &&
		    store_pod(&w, &inv->pods[i], prev_pods) < 0)
			goto out;
	for (i = 0; i < inv->nsvcs; i++) {
		s = w.s[S_SVC];
		if (format_labels(&inv->svcs[i].selector, &text) < 0)
			goto out;
		sqlite3_bind_text(s, 1, inv->svcs[i].ns, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, inv->svcs[i].name, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 3, text, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 4, inv->svcs[i].ips, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 5, at);
		sqlite3_bind_text(s, 6, inv->svcs[i].type ? inv->svcs[i].type :
		    "ClusterIP", -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 7, inv->svcs[i].etp ? inv->svcs[i].etp :
		    "Cluster", -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 8, inv->svcs[i].ranges ? inv->svcs[i].ranges :
		    "", -1, SQLITE_STATIC);
		if (step_done(&w, s, "storing services") < 0 ||
		    store_service_ports(&w, &inv->svcs[i]) < 0)
			goto out;
		free(text);
		text = NULL;
	}
	for (i = 0; i < inv->nslices; i++)
		if (store_slice(&w, &inv->slices[i]) < 0)
			goto out;
	for (i = 0; i < inv->nctrls; i++) {
		s = w.s[S_CTRL];
		sqlite3_bind_text(s, 1, inv->ctrls[i].ns, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, inv->ctrls[i].kind, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 3, inv->ctrls[i].name, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 4, inv->ctrls[i].okind, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 5, inv->ctrls[i].oname, -1, SQLITE_STATIC);
		if (step_done(&w, s, "storing controllers") < 0)
			goto out;
	}
	/* Owners of a listed kind that this snapshot no longer lists are gone. */
	if (inv->npods > 0 && !w.watch) {
		s = w.s[S_EP_CLOSE];
		sqlite3_bind_text(s, 1, "pod", -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 2, at);
		if (step_done(&w, s, "closing endpoints") < 0)
			goto out;
		s = w.s[S_POD_CLOSE];
		sqlite3_bind_int64(s, 1, at);
		if (step_done(&w, s, "closing pods") < 0)
			goto out;
	}
	if (inv->nnodes > 0 && !w.watch) {
		s = w.s[S_EP_CLOSE];
		sqlite3_bind_text(s, 1, "node", -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 2, at);
		if (step_done(&w, s, "closing endpoints") < 0)
			goto out;
	}
	for (i = 0; i < S_COUNT; i++) {
		sqlite3_finalize(w.s[i]);
		w.s[i] = NULL;
	}
	began = 0;
	if (store_commit(st) < 0)
		goto out;
	ret = 0;
out:
	free(text);
	for (i = 0; i < S_COUNT; i++)
		sqlite3_finalize(w.s[i]);
	if (began)
		store_rollback(st);
	return ret;
}
