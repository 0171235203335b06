#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <yaml.h>

#include "common/err.h"
#include "common/fileio.h"
#include "common/hash.h"
#include "common/k8sname.h"
#include "common/proto.h"
#include "common/strbuf.h"
#include "common/yamlread.h"
#include "policy/calver.h"
#include "policy/evaluate.h"
#include "policy/intern.h"
#include "policy/k8snp.h"
#include "policy/rd.h"
#include "policy/reader.h"
#include "policy/selector.h"
#include "common/banned.h"

/*
 * The reader loads each YAML document through the bounded reader
 * (common/yamlread.h: limits, duplicate keys and aliases are refused while
 * parsing) and walks it with a fixed schema. Types follow what kubectl and calicoctl do: YAML
 * is converted to JSON with YAML 1.1 scalar resolution, so a plain `80` is
 * a number, `true`/`yes` a boolean and `~`/`null`/empty a null, which leaves
 * the field unset. A number where a string is wanted is an error, as it is
 * for kubectl ("cannot unmarshal number into ... of type string").
 */

#define RD_MAX_DIR_DEPTH 32

struct rd {
	const char *file;
	yaml_document_t *doc;
	struct pe_policyset *ps;
	int in_list;
};

enum scal { SC_NULL, SC_BOOL, SC_INT, SC_FLOAT, SC_STR };

static int
rd_err(struct rd *r, const yaml_node_t *n, const char *ctx, const char *fmt,
    ...) __attribute__((format(printf, 4, 5)));

static int
rd_err(struct rd *r, const yaml_node_t *n, const char *ctx, const char *fmt,
    ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return fp_error("%s:%lu: %s%s%s", fp_clamp(r->file, 256),
	    n ? (unsigned long)n->start_mark.line + 1 : 0UL,
	    ctx ? ctx : "", ctx && *ctx ? ": " : "", msg);
}

static const char *
sval(const yaml_node_t *n)
{
	return (const char *)n->data.scalar.value;
}

static int
is_digits(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return 0;
	return 1;
}

static int
is_float_text(const char *s)
{
	int digits = 0;

	if (*s == '+' || *s == '-')
		s++;
	if (strcmp(s, ".inf") == 0 || strcmp(s, ".Inf") == 0 ||
	    strcmp(s, ".INF") == 0)
		return 1;
	while (*s >= '0' && *s <= '9') {
		s++;
		digits++;
	}
	if (*s == '.') {
		s++;
		while (*s >= '0' && *s <= '9') {
			s++;
			digits++;
		}
	}
	if (digits == 0)
		return 0;
	if (*s == 'e' || *s == 'E') {
		s++;
		if (*s == '+' || *s == '-')
			s++;
		if (!is_digits(s))
			return 0;
		return 1;
	}
	return *s == '\0';
}

/* YAML 1.1 resolution of a scalar, as go-yaml does for kubectl. */
static enum scal
scalar_kind(const yaml_node_t *n)
{
	static const char *const nulls[] = { "", "~", "null", "Null", "NULL" };
	static const char *const bools[] = {
		"y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO",
		"true", "True", "TRUE", "false", "False", "FALSE",
		"on", "On", "ON", "off", "Off", "OFF"
	};
	const char *v = sval(n);
	size_t i;

	if (n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE &&
	    n->data.scalar.style != YAML_ANY_SCALAR_STYLE)
		return SC_STR;
	for (i = 0; i < sizeof(nulls) / sizeof(nulls[0]); i++)
		if (strcmp(v, nulls[i]) == 0)
			return SC_NULL;
	for (i = 0; i < sizeof(bools) / sizeof(bools[0]); i++)
		if (strcmp(v, bools[i]) == 0)
			return SC_BOOL;
	if (is_digits(v[0] == '-' || v[0] == '+' ? v + 1 : v))
		return SC_INT;
	if (is_float_text(v) || strcmp(v, ".nan") == 0 ||
	    strcmp(v, ".NaN") == 0 || strcmp(v, ".NAN") == 0)
		return SC_FLOAT;
	return SC_STR;
}

static const char *
kind_word(const yaml_node_t *n)
{
	if (n->type == YAML_MAPPING_NODE)
		return "a mapping";
	if (n->type == YAML_SEQUENCE_NODE)
		return "a list";
	switch (scalar_kind(n)) {
	case SC_NULL: return "null";
	case SC_BOOL: return "a boolean";
	case SC_INT: return "a number";
	case SC_FLOAT: return "a number";
	default: return "a string";
	}
}

static int
is_null(const yaml_node_t *n)
{
	return n == NULL ||
	    (n->type == YAML_SCALAR_NODE && scalar_kind(n) == SC_NULL);
}

/*
 * The document is a tree (the reader refuses aliases) of bounded size, so a
 * walk is bounded by it.
 */
static yaml_node_t *
node_at(struct rd *r, int idx)
{
	return yaml_document_get_node(r->doc, idx);
}

/*
 * Check that n is a mapping with scalar keys and only keys from allowed
 * (NULL-terminated; NULL allows any). 0 or -1. The reader has refused a key
 * twice already.
 */
static int
map_check(struct rd *r, yaml_node_t *n, const char *ctx,
    const char *const *allowed)
{
	yaml_node_pair_t *p;

	if (n->type != YAML_MAPPING_NODE)
		return rd_err(r, n, ctx, "expected a mapping, got %s",
		    kind_word(n));
	for (p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top;
	    p++) {
		yaml_node_t *k = node_at(r, p->key);
		const char *const *a;

		if (k == NULL || k->type != YAML_SCALAR_NODE)
			return rd_err(r, k ? k : n, ctx,
			    "mapping keys must be strings");
		if (allowed == NULL)
			continue;
		for (a = allowed; *a != NULL; a++)
			if (**a == *sval(k) && strcmp(*a, sval(k)) == 0)
				break;
		if (*a == NULL)
			return rd_err(r, k, ctx, "unknown field '%s'",
			    fp_clamp(sval(k), 64));
	}
	return 0;
}

/* The value for key, or NULL when absent or null. */
static yaml_node_t *
map_get(struct rd *r, yaml_node_t *n, const char *key)
{
	yaml_node_pair_t *p;

	for (p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top;
	    p++) {
		yaml_node_t *k = node_at(r, p->key);

		if (k != NULL && k->type == YAML_SCALAR_NODE &&
		    *sval(k) == *key && strcmp(sval(k), key) == 0) {
			yaml_node_t *v = node_at(r, p->value);

			return is_null(v) ? NULL : v;
		}
	}
	return NULL;
}

/*
 * Append s to buf (len bytes, *at used), truncating as snprintf does; these
 * run for every rule, where snprintf showed in profiles.
 */
static void
ctx_add(char *buf, size_t len, size_t *at, const char *s)
{
	while (*s != '\0' && *at + 1 < len)
		buf[(*at)++] = *s++;
	buf[*at] = '\0';
}

static void
ctx_join(char *buf, size_t len, const char *ctx, const char *key)
{
	size_t at = 0;

	if (len == 0)
		return;
	ctx_add(buf, len, &at, ctx);
	ctx_add(buf, len, &at, *ctx ? "." : "");
	ctx_add(buf, len, &at, key);
}

/* ctx.key[i], naming one item of a list. */
static void
ctx_item(char *buf, size_t len, const char *ctx, const char *key, size_t i)
{
	char num[32], *p = num + sizeof(num);
	size_t at = 0;

	if (len == 0)
		return;
	*--p = '\0';
	*--p = ']';
	do
		*--p = (char)('0' + i % 10);
	while ((i /= 10) != 0);
	*--p = '[';
	ctx_add(buf, len, &at, ctx);
	ctx_add(buf, len, &at, *ctx ? "." : "");
	ctx_add(buf, len, &at, key);
	ctx_add(buf, len, &at, p);
}

/* A string value: *out is NULL when unset, else a malloc'd copy. */
static int
get_str(struct rd *r, yaml_node_t *map, const char *ctx, const char *key,
    char **out)
{
	yaml_node_t *v = map_get(r, map, key);
	char c[256];

	*out = NULL;
	if (v == NULL)
		return 0;
	ctx_join(c, sizeof(c), ctx, key);
	if (v->type != YAML_SCALAR_NODE || scalar_kind(v) != SC_STR)
		return rd_err(r, v, c, "expected a string, got %s",
		    kind_word(v));
	if (strlen(sval(v)) != v->data.scalar.length)
		return rd_err(r, v, c, "string holds a NUL byte");
	if ((*out = strdup(sval(v))) == NULL)
		return rd_err(r, v, c, "out of memory");
	return 0;
}

static int
get_int(struct rd *r, yaml_node_t *map, const char *ctx, const char *key,
    long min, long max, int *out, int *present)
{
	yaml_node_t *v = map_get(r, map, key);
	char c[256];
	long x;

	*present = 0;
	if (v == NULL)
		return 0;
	ctx_join(c, sizeof(c), ctx, key);
	if (v->type != YAML_SCALAR_NODE || scalar_kind(v) != SC_INT)
		return rd_err(r, v, c, "expected a whole number, got %s",
		    kind_word(v));
	errno = 0;
	x = strtol(sval(v), NULL, 10);
	if (errno != 0 || x < min || x > max)
		return rd_err(r, v, c, "%s is out of range (%ld to %ld)",
		    fp_clamp(sval(v), 32), min, max);
	*out = (int)x;
	*present = 1;
	return 0;
}

static int
get_bool(struct rd *r, yaml_node_t *map, const char *ctx, const char *key,
    int *out)
{
	yaml_node_t *v = map_get(r, map, key);
	const char *s;
	char c[256];

	*out = 0;
	if (v == NULL)
		return 0;
	ctx_join(c, sizeof(c), ctx, key);
	if (v->type != YAML_SCALAR_NODE || scalar_kind(v) != SC_BOOL)
		return rd_err(r, v, c, "expected true or false, got %s",
		    kind_word(v));
	s = sval(v);
	*out = s[0] == 'y' || s[0] == 'Y' || s[0] == 't' || s[0] == 'T' ||
	    ((s[0] == 'o' || s[0] == 'O') && (s[1] == 'n' || s[1] == 'N'));
	return 0;
}

static int
get_float(struct rd *r, yaml_node_t *map, const char *ctx, const char *key,
    double *out, int *present)
{
	yaml_node_t *v = map_get(r, map, key);
	char c[256];
	enum scal k;

	*present = 0;
	if (v == NULL)
		return 0;
	ctx_join(c, sizeof(c), ctx, key);
	if (v->type != YAML_SCALAR_NODE ||
	    ((k = scalar_kind(v)) != SC_INT && k != SC_FLOAT))
		return rd_err(r, v, c, "expected a number, got %s",
		    kind_word(v));
	*out = strtod(sval(v), NULL);
	if (k == SC_FLOAT && (strchr(sval(v), 'n') || strchr(sval(v), 'N')))
		*out = NAN;	/* .inf, .nan: strtod does not read YAML's form */
	if (isnan(*out) || isinf(*out))
		return rd_err(r, v, c, "'%s' is not a finite number",
		    fp_clamp(sval(v), 32));
	*present = 1;
	return 0;
}

/* A list node (or NULL when absent/null). */
static int
get_seq(struct rd *r, yaml_node_t *map, const char *ctx, const char *key,
    yaml_node_t **out)
{
	yaml_node_t *v = map_get(r, map, key);
	char c[256];

	*out = NULL;
	if (v == NULL)
		return 0;
	ctx_join(c, sizeof(c), ctx, key);
	if (v->type != YAML_SEQUENCE_NODE)
		return rd_err(r, v, c, "expected a list, got %s", kind_word(v));
	*out = v;
	return 0;
}

static size_t
seq_len(const yaml_node_t *s)
{
	return s ? (size_t)(s->data.sequence.items.top -
	    s->data.sequence.items.start) : 0;
}

static yaml_node_t *
seq_at(struct rd *r, yaml_node_t *s, size_t i)
{
	return node_at(r, s->data.sequence.items.start[i]);
}

/* A list of strings: malloc'd array of malloc'd strings. */
static int
get_str_list(struct rd *r, yaml_node_t *map, const char *ctx,
    const char *key, char ***out, size_t *n)
{
	yaml_node_t *s, *v;
	char c[256];
	size_t i, len;

	*out = NULL;
	*n = 0;
	if (get_seq(r, map, ctx, key, &s) < 0)
		return -1;
	if ((len = seq_len(s)) == 0)
		return 0;
	if ((*out = calloc(len, sizeof(**out))) == NULL)
		return rd_err(r, s, ctx, "out of memory");
	for (i = 0; i < len; i++) {
		ctx_item(c, sizeof(c), ctx, key, i);
		v = seq_at(r, s, i);
		if (v == NULL || v->type != YAML_SCALAR_NODE ||
		    scalar_kind(v) != SC_STR)
			return rd_err(r, v ? v : s, c,
			    "expected a string, got %s",
			    v ? kind_word(v) : "nothing");
		if (((*out)[i] = strdup(sval(v))) == NULL)
			return rd_err(r, v, c, "out of memory");
		(*n)++;
	}
	return 0;
}

static int
get_labels(struct rd *r, yaml_node_t *map, const char *ctx, const char *key,
    struct labels *out)
{
	yaml_node_t *m = map_get(r, map, key), *k, *v;
	yaml_node_pair_t *p;
	char c[256];

	if (m == NULL)
		return 0;
	ctx_join(c, sizeof(c), ctx, key);
	if (map_check(r, m, c, NULL) < 0)
		return -1;
	for (p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top;
	    p++) {
		k = node_at(r, p->key);
		v = node_at(r, p->value);
		if (v == NULL || v->type != YAML_SCALAR_NODE ||
		    (scalar_kind(v) != SC_STR && scalar_kind(v) != SC_NULL))
			return rd_err(r, v ? v : m, c,
			    "value of '%s': expected a string, got %s",
			    fp_clamp(sval(k), 64), v ? kind_word(v) : "nothing");
		if (out != NULL && labels_set(out, sval(k),
		    scalar_kind(v) == SC_NULL ? "" : sval(v)) < 0)
			return rd_err(r, v, c, "out of memory");
	}
	return 0;
}

/* --- value checks ----------------------------------------------------- */

static int
check_selector(struct rd *r, yaml_node_t *at, const char *ctx,
    const char *s, int allow_global)
{
	struct sel *p = NULL;
	size_t pos;

	if (s == NULL)
		return 0;
	if (rd_check_selector_len(r, at, ctx, s) < 0)
		return -1;
	if (sel_parse(s, &p, &pos) < 0)
		return rd_err(r, at, ctx, "invalid selector '%s': %s",
		    fp_clamp(s, 200), fp_errmsg());
	if (strstr(s, rd_calver(r)->global_paren ? "global(" :
	    "global()") != NULL &&
	    !(allow_global && sel_is_global(p))) {
		sel_free(p);
		return rd_err(r, at, ctx, allow_global ?
		    "global() must be the whole namespaceSelector" :
		    "global() is not allowed here");
	}
	sel_free(p);
	return 0;
}

const char *
pe_protocol_name(int num)
{
	return fp_proto_calico_name(num);
}

static int
get_protocol(struct rd *r, yaml_node_t *map, const char *ctx,
    const char *key, int *out)
{
	yaml_node_t *v = map_get(r, map, key);
	char c[256];
	long x;
	const char *s;

	*out = -1;
	if (v == NULL)
		return 0;
	ctx_join(c, sizeof(c), ctx, key);
	if (v->type != YAML_SCALAR_NODE ||
	    (scalar_kind(v) != SC_INT && scalar_kind(v) != SC_STR))
		return rd_err(r, v, c, "expected a protocol, got %s",
		    kind_word(v));
	s = sval(v);
	if (is_digits(s)) {
		errno = 0;
		x = strtol(s, NULL, 10);
		if (errno != 0 || x < 1 || x > 255)
			return rd_err(r, v, c, "protocol %s is out of range "
			    "(1 to 255)", fp_clamp(s, 32));
		*out = (int)x;
		return 0;
	}
	if ((*out = fp_proto_calico_parse(s)) < 0)
		return rd_err(r, v, c, "invalid protocol '%s' (TCP, UDP, "
		    "ICMP, ICMPv6, SCTP, UDPLite or 1 to 255; names are "
		    "case-sensitive)", fp_clamp(s, 64));
	return 0;
}

static int
parse_port(struct rd *r, yaml_node_t *v, const char *ctx, struct pe_port *p)
{
	const char *s, *colon;
	long lo, hi;
	char *end;

	if (v->type != YAML_SCALAR_NODE ||
	    (scalar_kind(v) != SC_INT && scalar_kind(v) != SC_STR))
		return rd_err(r, v, ctx, "expected a port, got %s",
		    kind_word(v));
	s = sval(v);
	if (is_digits(s)) {
		errno = 0;
		lo = strtol(s, NULL, 10);
		if (errno != 0 || lo < 1 || lo > 65535)
			return rd_err(r, v, ctx, "port %s is out of range "
			    "(1 to 65535)", fp_clamp(s, 32));
		p->lo = p->hi = (int)lo;
		return 0;
	}
	if (scalar_kind(v) == SC_INT)
		return rd_err(r, v, ctx, "port %s is out of range (1 to 65535)",
		    fp_clamp(s, 32));
	if ((colon = strchr(s, ':')) != NULL) {
		errno = 0;
		lo = strtol(s, &end, 10);
		if (end != colon || end == s || !is_digits(colon + 1))
			return rd_err(r, v, ctx, "invalid port range '%s' "
			    "(want MIN:MAX)", fp_clamp(s, 64));
		hi = strtol(colon + 1, NULL, 10);
		if (errno != 0 || lo < 1 || lo > 65535 || hi < 1 ||
		    hi > 65535 || lo > hi)
			return rd_err(r, v, ctx, "invalid port range '%s' "
			    "(1 to 65535, min <= max)", fp_clamp(s, 64));
		p->lo = (int)lo;
		p->hi = (int)hi;
		return 0;
	}
	if (k8s_check_port_name(s) != NULL &&
	    rd_named_port_outside(r, v, ctx, s) < 0)
		return -1;
	if ((p->name = strdup(s)) == NULL)
		return rd_err(r, v, ctx, "out of memory");
	return 0;
}

static void
mask_net(struct fp_ip *ip, int prefix)
{
	int i;

	for (i = 0; i < ip->len; i++) {
		int bits = prefix - i * 8;

		if (bits >= 8)
			continue;
		ip->a[i] &= bits <= 0 ? 0 : (uint8_t)(0xff << (8 - bits));
	}
}

static int
get_nets(struct rd *r, yaml_node_t *map, const char *ctx, const char *key,
    size_t max, struct pe_net **out, size_t *n)
{
	yaml_node_t *s;
	char c[256];
	size_t i, len;

	if (get_seq(r, map, ctx, key, &s) < 0)
		return -1;
	if ((len = seq_len(s)) == 0)
		return 0;
	if (max != 0 && rd_check_items(r, s, ctx, key, len, max) < 0)
		return -1;
	if ((*out = calloc(len, sizeof(**out))) == NULL)
		return rd_err(r, s, ctx, "out of memory");
	for (i = 0; i < len; i++) {
		yaml_node_t *v = seq_at(r, s, i);
		struct pe_net *net = &(*out)[i];
		struct fp_ip m;

		ctx_item(c, sizeof(c), ctx, key, i);
		if (v == NULL || v->type != YAML_SCALAR_NODE ||
		    scalar_kind(v) != SC_STR)
			return rd_err(r, v ? v : s, c,
			    "expected a CIDR string, got %s",
			    v ? kind_word(v) : "nothing");
		if (fp_cidr_parse(&net->ip, &net->prefix, sval(v)) < 0)
			return rd_err(r, v, c, "invalid CIDR '%s'",
			    fp_clamp(sval(v), 64));
		m = net->ip;
		mask_net(&m, net->prefix);
		if (memcmp(m.a, net->ip.a, m.len) != 0)
			return rd_err(r, v, c, "CIDR '%s' has host bits set "
			    "(Calico wants it masked)", fp_clamp(sval(v), 64));
		(*n)++;
	}
	return rd_check_net_dups(r, s, ctx, key, *out, *n);
}

/* --- shared strings (pe_entity.shared) -------------------------------- */

enum { IK_STR = 1, IK_PORTS };

/* Which selector checks a shared text passed (check_selector's inputs). */
#define SELOK_BIT(allow_global, paren) (1u << ((allow_global) * 2 + (paren)))

/*
 * A string value as get_str reads it, but the set's shared copy: *out is
 * NULL when unset; *ent is its table entry (or NULL).
 */
static int
get_shared_str(struct rd *r, yaml_node_t *map, const char *ctx,
    const char *key, char **out, struct pe_ient **ent)
{
	yaml_node_t *v = map_get(r, map, key);
	const void *data;
	char c[256];

	*out = NULL;
	*ent = NULL;
	if (v == NULL)
		return 0;
	ctx_join(c, sizeof(c), ctx, key);
	if (v->type != YAML_SCALAR_NODE || scalar_kind(v) != SC_STR)
		return rd_err(r, v, c, "expected a string, got %s",
		    kind_word(v));
	if (strlen(sval(v)) != v->data.scalar.length)
		return rd_err(r, v, c, "string holds a NUL byte");
	if ((*ent = pe_intern(&r->ps->r_intern, IK_STR, sval(v),
	    v->data.scalar.length, &data)) == NULL)
		return rd_err(r, v, c, "out of memory");
	*out = (char *)data;
	return 0;
}

/* check_selector, once per distinct text and context. */
static int
check_shared_selector(struct rd *r, yaml_node_t *at, const char *ctx,
    const char *s, struct pe_ient *ent, int allow_global)
{
	unsigned bit;

	if (s == NULL)
		return 0;
	bit = SELOK_BIT(allow_global != 0, rd_calver(r)->global_paren != 0);
	if (ent->flags & bit)
		return 0;
	if (check_selector(r, at, ctx, s, allow_global) < 0)
		return -1;
	ent->flags |= bit;
	return 0;
}

/* get_ports into the set's shared copy of the list (and of its names). */
static int
get_shared_ports(struct rd *r, yaml_node_t *map, const char *ctx,
    const char *key, struct pe_port **out, size_t *n)
{
	struct pe_port buf[RD_MAX_PORTS], *tmp = buf;
	yaml_node_t *s;
	const void *data;
	char c[256];
	size_t i, len;
	int ret = -1;

	if (get_seq(r, map, ctx, key, &s) < 0)
		return -1;
	if ((len = seq_len(s)) == 0)
		return 0;
	if (rd_check_items(r, s, ctx, key, len, RD_MAX_PORTS) < 0)
		return -1;
	/* Releases without rule limits take any number of ports. */
	if (len > RD_MAX_PORTS && (tmp = calloc(len, sizeof(*tmp))) == NULL)
		return rd_err(r, s, ctx, "out of memory");
	if (tmp == buf)
		memset(buf, 0, sizeof(buf));
	for (i = 0; i < len; i++) {
		yaml_node_t *v = seq_at(r, s, i);

		ctx_item(c, sizeof(c), ctx, key, i);
		if (v == NULL) {
			rd_err(r, s, c, "missing port");
			goto out;
		}
		if (parse_port(r, v, c, &tmp[i]) < 0)
			goto out;
		if (tmp[i].name != NULL) {
			char *own = tmp[i].name;

			if (pe_intern(&r->ps->r_intern, IK_STR, own,
			    strlen(own), &data) == NULL) {
				free(own);
				rd_err(r, v, c, "out of memory");
				goto out;
			}
			tmp[i].name = (char *)data;
			free(own);
		}
	}
	if (pe_intern(&r->ps->r_intern, IK_PORTS, tmp, len * sizeof(*tmp),
	    &data) == NULL) {
		rd_err(r, s, ctx, "out of memory");
		goto out;
	}
	*out = (struct pe_port *)data;
	*n = len;
	ret = 0;
out:
	/* parse_port leaves no name behind when it fails. */
	if (tmp != buf)
		free(tmp);
	return ret;
}

/* --- rules ------------------------------------------------------------ */

static int
read_entity(struct rd *r, yaml_node_t *rule, const char *ctx,
    const char *key, struct pe_entity *e, int *fam)
{
	static const char *const fields[] = {
		"nets", "notNets", "selector", "notSelector",
		"namespaceSelector", "ports", "notPorts", "serviceAccounts",
		"services", NULL
	};
	static const char *const sa_fields[] = { "names", "selector", NULL };
	static const char *const svc_fields[] = { "name", "namespace", NULL };
	yaml_node_t *m = map_get(r, rule, key), *sub;
	struct pe_ient *ie_sel, *ie_not, *ie_ns;
	struct pe_entity_more none = { 0 }, *x = &none;
	char c[256], c2[300];
	size_t i;

	e->shared = 1;
	if (m == NULL)
		return 0;
	ctx_join(c, sizeof(c), ctx, key);
	/* Only an entity that sets one of them gets the rarely used fields;
	 * with none set, what is read of them is nothing (and stays in none). */
	if (m->type == YAML_MAPPING_NODE &&
	    (map_get(r, m, "notNets") || map_get(r, m, "notSelector") ||
	    map_get(r, m, "notPorts") || map_get(r, m, "serviceAccounts") ||
	    map_get(r, m, "services"))) {
		if ((e->more = calloc(1, sizeof(*e->more))) == NULL)
			return rd_err(r, m, c, "out of memory");
		x = e->more;
	}
	if (map_check(r, m, c, fields) < 0 ||
	    get_nets(r, m, c, "nets", RD_MAX_NETS, &e->nets, &e->n_nets) < 0 ||
	    get_nets(r, m, c, "notNets", RD_MAX_NETS, &x->not_nets,
	    &x->n_not_nets) < 0 ||
	    get_shared_str(r, m, c, "selector", &e->selector, &ie_sel) < 0 ||
	    get_shared_str(r, m, c, "notSelector", &x->not_selector,
	    &ie_not) < 0 ||
	    get_shared_str(r, m, c, "namespaceSelector", &e->ns_selector,
	    &ie_ns) < 0 ||
	    get_shared_ports(r, m, c, "ports", &e->ports, &e->n_ports) < 0 ||
	    get_shared_ports(r, m, c, "notPorts", &x->not_ports,
	    &x->n_not_ports) < 0)
		return -1;
	if (check_shared_selector(r, map_get(r, m, "selector"), c,
	    e->selector, ie_sel, 0) < 0 ||
	    check_shared_selector(r, map_get(r, m, "notSelector"), c,
	    x->not_selector, ie_not, 0) < 0 ||
	    check_shared_selector(r, map_get(r, m, "namespaceSelector"), c,
	    e->ns_selector, ie_ns, 1) < 0)
		return -1;
	for (i = 0; i < x->n_not_nets; i++)
		if (x->not_nets[i].prefix == 0)
			return rd_err(r, map_get(r, m, "notNets"), c,
			    "notNets must not contain 0.0.0.0/0 or ::/0");
	for (i = 0; i < e->n_nets + x->n_not_nets; i++) {
		const struct pe_net *n = i < e->n_nets ? &e->nets[i] :
		    &x->not_nets[i - e->n_nets];
		int f = n->ip.len == 4 ? 4 : 6;

		if (*fam != 0 && *fam != f)
			return rd_err(r, m, c, "rule mixes IPv4 and IPv6 CIDRs");
		*fam = f;
	}
	if ((sub = map_get(r, m, "serviceAccounts")) != NULL) {
		ctx_join(c2, sizeof(c2), c, "serviceAccounts");
		x->has_sa = 1;
		if (map_check(r, sub, c2, sa_fields) < 0 ||
		    get_str_list(r, sub, c2, "names", &x->sa_names,
		    &x->n_sa_names) < 0 ||
		    get_str(r, sub, c2, "selector", &x->sa_selector) < 0 ||
		    check_selector(r, sub, c2, x->sa_selector, 0) < 0)
			return -1;
		for (i = 0; i < x->n_sa_names; i++)
			if (strchr(x->sa_names[i], '\'') != NULL)
				return rd_err(r, sub, c2, "invalid service "
				    "account name '%s'",
				    fp_clamp(x->sa_names[i], 64));
	}
	if ((sub = map_get(r, m, "services")) != NULL) {
		ctx_join(c2, sizeof(c2), c, "services");
		x->has_services = 1;
		if (map_check(r, sub, c2, svc_fields) < 0 ||
		    get_str(r, sub, c2, "name", &x->svc_name) < 0 ||
		    get_str(r, sub, c2, "namespace", &x->svc_namespace) < 0)
			return -1;
		if (x->svc_name == NULL || *x->svc_name == '\0')
			return rd_err(r, sub, c2, "name is required");
		if (e->selector || x->not_selector || e->ns_selector ||
		    e->n_nets || x->n_not_nets || x->has_sa)
			return rd_err(r, sub, c2, "services cannot be combined "
			    "with selectors, nets or serviceAccounts");
	}
	return 0;
}

/* The rule's action. */
static int
read_action(struct rd *r, yaml_node_t *m, const char *ctx,
    enum pe_action *out)
{
	static const struct {
		const char *name;
		enum pe_action action;
	} actions[] = {
		{ "Allow", PE_ACT_ALLOW }, { "Deny", PE_ACT_DENY },
		{ "Log", PE_ACT_LOG }, { "Pass", PE_ACT_PASS },
	};
	char *action = NULL;
	size_t i;
	int ret = -1;

	if (get_str(r, m, ctx, "action", &action) < 0)
		return -1;
	if (action == NULL)
		return rd_err(r, m, ctx, "action is required");
	for (i = 0; i < sizeof(actions) / sizeof(actions[0]); i++)
		if (strcmp(action, actions[i].name) == 0) {
			*out = actions[i].action;
			ret = 0;
		}
	if (ret < 0)
		rd_err(r, map_get(r, m, "action"), ctx, "invalid action '%s' "
		    "(Allow, Deny, Log or Pass)", fp_clamp(action, 64));
	free(action);
	return ret;
}

/* icmp and notICMP: type and code, only with protocol ICMP or ICMPv6. */
static int
read_icmp(struct rd *r, yaml_node_t *m, const char *ctx, struct pe_rule *ru)
{
	static const char *const icmp_fields[] = { "type", "code", NULL };
	yaml_node_t *sub;
	char c[300];
	int i;

	for (i = 0; i < 2; i++) {
		const char *key = i ? "notICMP" : "icmp";
		short *type = i ? &ru->not_icmp_type : &ru->icmp_type;
		short *code = i ? &ru->not_icmp_code : &ru->icmp_code;
		int tp, cp, tv = -1, cv = -1;

		if ((sub = map_get(r, m, key)) == NULL)
			continue;
		ctx_join(c, sizeof(c), ctx, key);
		if (map_check(r, sub, c, icmp_fields) < 0 ||
		    get_int(r, sub, c, "type", 0, 254, &tv, &tp) < 0 ||
		    get_int(r, sub, c, "code", 0, 255, &cv, &cp) < 0)
			return -1;
		*type = (short)(tp ? tv : -1);
		*code = (short)(cp ? cv : -1);
		if (cp && !tp)
			return rd_err(r, sub, c, "ICMP code specified without an "
			    "ICMP type");
		if (tp && ru->protocol != 1 && ru->protocol != 58)
			return rd_err(r, sub, c, "ICMP fields need protocol ICMP "
			    "or ICMPv6");
	}
	for (i = 0; i < 2; i++) {
		int pr = i ? ru->not_protocol : ru->protocol;

		/* validator.go validateRule checks both (and master's CEL). */
		if ((pr == 1 && ru->ip_version == 6) ||
		    (pr == 58 && ru->ip_version == 4))
			return rd_err(r, m, ctx, "%s %s needs ipVersion %d",
			    i ? "notProtocol" : "protocol",
			    pr == 1 ? "ICMP" : "ICMPv6", pr == 1 ? 4 : 6);
	}
	return 0;
}

/* Ports need a protocol with ports (doc/calico-semantics.md 4). */
static int
check_rule_ports(struct rd *r, yaml_node_t *m, const char *ctx,
    const struct pe_rule *ru)
{
	size_t k;
	int i;

	for (i = 0; i < 4; i++) {
		const struct pe_entity *e = i < 2 ? &ru->src : &ru->dst;
		const struct pe_port *p = i % 2 ? PE_MORE(e)->not_ports :
		    e->ports;
		size_t n = i % 2 ? PE_MORE(e)->n_not_ports : e->n_ports;
		int numeric = 0;

		for (k = 0; k < n; k++)
			if (p[k].name == NULL)
				numeric = 1;
		if (n == 0)
			continue;
		if (ru->protocol != -1 && ru->protocol != 6 &&
		    ru->protocol != 17 && ru->protocol != 132)
			return rd_err(r, m, ctx, "ports need protocol TCP, UDP "
			    "or SCTP");
		if (numeric && ru->protocol == -1)
			return rd_err(r, m, ctx, "numeric ports need protocol "
			    "TCP, UDP or SCTP");
	}
	return 0;
}

/* Where services may appear in a rule. */
static int
check_rule_services(struct rd *r, yaml_node_t *m, const char *ctx,
    const struct pe_rule *ru, int egress, enum pe_kind kind)
{
	int i;

	if (PE_MORE(&ru->src)->has_services && egress)
		return rd_err(r, m, ctx, "source services are only allowed in "
		    "ingress rules");
	if (PE_MORE(&ru->dst)->has_services && !egress)
		return rd_err(r, m, ctx, "destination services are only "
		    "allowed in egress rules");
	if (PE_MORE(&ru->dst)->has_services &&
	    (ru->dst.n_ports || PE_MORE(&ru->dst)->n_not_ports))
		return rd_err(r, m, ctx, "destination services cannot have "
		    "ports");
	for (i = 0; i < 2; i++) {
		const struct pe_entity *e = i ? &ru->dst : &ru->src;

		const struct pe_entity_more *x = PE_MORE(e);

		if (x->has_services && (kind == PE_GNP || kind == PE_SGNP) &&
		    (x->svc_namespace == NULL || *x->svc_namespace == '\0'))
			return rd_err(r, m, ctx, "services need a namespace in a "
			    "global policy");
	}
	return 0;
}

/* http: methods and paths are checked, not kept (Felix ignores them). */
static int
read_http(struct rd *r, yaml_node_t *m, const char *ctx, struct pe_rule *ru,
    int egress)
{
	static const char *const http_fields[] = { "methods", "paths", NULL };
	static const char *const path_fields[] = { "exact", "prefix", NULL };
	yaml_node_t *sub, *paths;
	char **methods = NULL, c[300];
	size_t k, nm = 0;
	int rc;

	if ((sub = map_get(r, m, "http")) == NULL)
		return 0;
	ctx_join(c, sizeof(c), ctx, "http");
	if (map_check(r, sub, c, http_fields) < 0)
		return -1;
	rc = get_str_list(r, sub, c, "methods", &methods, &nm);
	for (k = 0; k < nm; k++)
		free(methods[k]);
	free(methods);
	if (rc < 0 || get_seq(r, sub, c, "paths", &paths) < 0)
		return -1;
	for (k = 0; k < seq_len(paths); k++) {
		yaml_node_t *pm = seq_at(r, paths, k), *e, *pf;
		char c2[340];

		ctx_item(c2, sizeof(c2), c, "paths", k);
		if (pm == NULL)
			return rd_err(r, paths, c2, "missing path");
		if (map_check(r, pm, c2, path_fields) < 0)
			return -1;
		e = map_get(r, pm, "exact");
		pf = map_get(r, pm, "prefix");
		if ((e == NULL) == (pf == NULL))
			return rd_err(r, pm, c2, "want exactly one of exact and "
			    "prefix");
		if ((e ? e : pf)->type != YAML_SCALAR_NODE ||
		    scalar_kind(e ? e : pf) != SC_STR)
			return rd_err(r, e ? e : pf, c2, "expected a string");
		if (rd_check_http_path(r, e ? e : pf, c2,
		    sval(e ? e : pf)) < 0)
			return -1;
	}
	if (ru->action != PE_ACT_ALLOW || egress ||
	    (ru->protocol != -1 && ru->protocol != 6))
		return rd_err(r, sub, c, "http is only allowed on ingress Allow "
		    "rules with protocol TCP or unset");
	ru->has_http = 1;
	return 0;
}

static int
read_rule(struct rd *r, yaml_node_t *m, const char *ctx, struct pe_rule *ru,
    int egress, enum pe_kind kind)
{
	static const char *const fields[] = {
		"action", "ipVersion", "protocol", "notProtocol", "icmp",
		"notICMP", "source", "destination", "http", "metadata", NULL
	};
	static const char *const meta_fields[] = { "annotations", NULL };
	yaml_node_t *sub;
	char c[300];
	int present, fam = 0, ipv = 0, proto = -1, not_proto = -1;

	ru->line = (int)m->start_mark.line + 1;
	ru->protocol = ru->not_protocol = -1;
	ru->icmp_type = ru->icmp_code = -1;
	ru->not_icmp_type = ru->not_icmp_code = -1;
	if (map_check(r, m, ctx, fields) < 0 ||
	    read_action(r, m, ctx, &ru->action) < 0 ||
	    get_int(r, m, ctx, "ipVersion", 0, 6, &ipv, &present) < 0)
		return -1;
	ru->ip_version = (signed char)ipv;
	if (present && ru->ip_version != 4 && ru->ip_version != 6)
		return rd_err(r, map_get(r, m, "ipVersion"), ctx,
		    "ipVersion must be 4 or 6");
	if (get_protocol(r, m, ctx, "protocol", &proto) < 0 ||
	    get_protocol(r, m, ctx, "notProtocol", &not_proto) < 0)
		return -1;
	ru->protocol = (short)proto;
	ru->not_protocol = (short)not_proto;
	if (read_icmp(r, m, ctx, ru) < 0 ||
	    read_entity(r, m, ctx, "source", &ru->src, &fam) < 0 ||
	    read_entity(r, m, ctx, "destination", &ru->dst, &fam) < 0)
		return -1;
	if (fam != 0 && ru->ip_version != 0 && fam != ru->ip_version)
		return rd_err(r, m, ctx, "CIDRs do not match ipVersion %d",
		    ru->ip_version);
	if (check_rule_ports(r, m, ctx, ru) < 0 ||
	    check_rule_services(r, m, ctx, ru, egress, kind) < 0 ||
	    read_http(r, m, ctx, ru, egress) < 0)
		return -1;
	if ((sub = map_get(r, m, "metadata")) != NULL) {
		ctx_join(c, sizeof(c), ctx, "metadata");
		if (map_check(r, sub, c, meta_fields) < 0 ||
		    get_labels(r, sub, c, "annotations", NULL) < 0 ||
		    rd_check_annotations(r, map_get(r, sub, "annotations"),
		    c) < 0)
			return -1;
	}
	return 0;
}

static int
read_rules(struct rd *r, yaml_node_t *spec, const char *key,
    struct pe_rule **out, size_t *n, enum pe_kind kind)
{
	yaml_node_t *s;
	char c[64];
	size_t i, len;

	if (get_seq(r, spec, "spec", key, &s) < 0)
		return -1;
	if ((len = seq_len(s)) == 0)
		return 0;
	if (rd_check_items(r, s, "spec", key, len, RD_MAX_RULES) < 0)
		return -1;
	if ((*out = calloc(len, sizeof(**out))) == NULL)
		return rd_err(r, s, "spec", "out of memory");
	for (i = 0; i < len; i++) {
		yaml_node_t *v = seq_at(r, s, i);

		ctx_item(c, sizeof(c), "spec", key, i);
		(*n)++;
		if (v == NULL)
			return rd_err(r, s, c, "missing rule");
		if (read_rule(r, v, c, &(*out)[i], strcmp(key, "egress") == 0,
		    kind) < 0)
			return -1;
	}
	return 0;
}

/* --- resources -------------------------------------------------------- */

static const char *const meta_fields[] = {
	"name", "namespace", "labels", "annotations", "uid",
	"resourceVersion", "generation", "creationTimestamp",
	"deletionTimestamp", "deletionGracePeriodSeconds", "managedFields",
	"selfLink", "finalizers", "ownerReferences", "generateName", NULL
};

struct meta {
	char *name;
	char *namespace;
	yaml_node_t *node;
};

static int
read_meta(struct rd *r, yaml_node_t *doc, struct meta *m, int namespaced,
    struct labels *labels)
{
	yaml_node_t *n = map_get(r, doc, "metadata");

	if (n == NULL)
		return rd_err(r, doc, NULL, "metadata is required");
	m->node = n;
	if (map_check(r, n, "metadata", meta_fields) < 0 ||
	    get_str(r, n, "metadata", "name", &m->name) < 0 ||
	    get_str(r, n, "metadata", "namespace", &m->namespace) < 0 ||
	    get_labels(r, n, "metadata", "labels", labels) < 0 ||
	    get_labels(r, n, "metadata", "annotations", NULL) < 0 ||
	    rd_check_annotations(r, map_get(r, n, "annotations"),
	    "metadata") < 0)
		return -1;
	if (m->name == NULL || *m->name == '\0')
		return rd_err(r, n, "metadata.name", "name is required");
	if (namespaced) {
		/* kubectl and calicoctl default to namespace "default". */
		if (m->namespace == NULL || *m->namespace == '\0') {
			free(m->namespace);
			if ((m->namespace = strdup("default")) == NULL)
				return rd_err(r, n, NULL, "out of memory");
		}
		if (k8s_check_dns_label(m->namespace) != NULL)
			return rd_err(r, map_get(r, n, "namespace"),
			    "metadata.namespace", "invalid namespace '%s'",
			    fp_clamp(m->namespace, 64));
	} else if (m->namespace != NULL && *m->namespace != '\0') {
		return rd_err(r, map_get(r, n, "namespace"),
		    "metadata.namespace", "a cluster-scoped resource has no "
		    "namespace");
	} else {
		free(m->namespace);
		m->namespace = NULL;
	}
	return 0;
}

/* Two namespaces, NULL for cluster scope, are the same. */
static int
same_ns(const char *a, const char *b)
{
	return a == NULL || b == NULL ? a == b : strcmp(a, b) == 0;
}

static void policy_release(struct pe_policy *p);
static void tier_release(struct pe_tier *t);
static void netset_release(struct pe_netset *s);

/* The scalar fields of a policy's spec, each checked. */
static int
read_policy_fields(struct rd *r, yaml_node_t *spec, struct pe_policy *p)
{
	char **hints = NULL;
	size_t nh = 0, i;
	int ret = -1;

	if (get_float(r, spec, "spec", "order", &p->order, &p->has_order) < 0 ||
	    get_str(r, spec, "spec", "tier", &p->tier) < 0 ||
	    get_str(r, spec, "spec", "selector", &p->selector) < 0 ||
	    get_str(r, spec, "spec", "namespaceSelector", &p->ns_selector) < 0 ||
	    get_str(r, spec, "spec", "serviceAccountSelector",
	    &p->sa_selector) < 0 ||
	    get_bool(r, spec, "spec", "doNotTrack", &p->do_not_track) < 0 ||
	    get_bool(r, spec, "spec", "preDNAT", &p->pre_dnat) < 0 ||
	    get_bool(r, spec, "spec", "applyOnForward",
	    &p->apply_on_forward) < 0 ||
	    get_str(r, spec, "spec", "stagedAction", &p->staged_action) < 0 ||
	    get_str_list(r, spec, "spec", "performanceHints", &hints, &nh) < 0)
		goto out;
	if (p->tier == NULL || *p->tier == '\0') {
		free(p->tier);
		if ((p->tier = strdup("default")) == NULL) {
			rd_err(r, spec, "spec.tier", "out of memory");
			goto out;
		}
	} else if (k8s_check_dns_label(p->tier) != NULL) {
		rd_err(r, map_get(r, spec, "tier"), "spec.tier",
		    "invalid tier name '%s'", fp_clamp(p->tier, 64));
		goto out;
	}
	if (!rd_calver(r)->has_tiers && strcmp(p->tier, "default") != 0) {
		rd_err(r, map_get(r, spec, "tier"), "spec.tier", "Calico %s has "
		    "no tiers (--calico-version)",
		    pe_calver_name(rd_calver(r)->version));
		goto out;
	}
	if (check_selector(r, map_get(r, spec, "selector"), "spec.selector",
	    p->selector, 0) < 0 ||
	    check_selector(r, map_get(r, spec, "namespaceSelector"),
	    "spec.namespaceSelector", p->ns_selector, 0) < 0 ||
	    check_selector(r, map_get(r, spec, "serviceAccountSelector"),
	    "spec.serviceAccountSelector", p->sa_selector, 0) < 0)
		goto out;
	if (p->staged_action != NULL && strcmp(p->staged_action, "Set") &&
	    strcmp(p->staged_action, "Delete") &&
	    strcmp(p->staged_action, "Learn") &&
	    strcmp(p->staged_action, "Ignore")) {
		rd_err(r, map_get(r, spec, "stagedAction"), "spec.stagedAction",
		    "invalid stagedAction '%s' (Set, Delete, Learn or Ignore)",
		    fp_clamp(p->staged_action, 64));
		goto out;
	}
	for (i = 0; i < nh; i++) {
		if (strcmp(hints[i], "AssumeNeededOnEveryNode") != 0 ||
		    i > 0) {
			rd_err(r, map_get(r, spec, "performanceHints"),
			    "spec.performanceHints", "invalid or repeated "
			    "hint '%s'", fp_clamp(hints[i], 64));
			goto out;
		}
	}
	ret = 0;
out:
	fp_strv_free(hints, nh);
	return ret;
}

/* spec.types: at most Ingress and Egress, each once. */
static int
read_policy_types(struct rd *r, yaml_node_t *spec, struct pe_policy *p)
{
	yaml_node_t *types;
	char **tl = NULL;
	size_t nt = 0, i;
	int ret = -1;

	if (get_seq(r, spec, "spec", "types", &types) < 0 ||
	    get_str_list(r, spec, "spec", "types", &tl, &nt) < 0)
		goto out;
	if (nt > 2) {
		rd_err(r, types, "spec.types", "at most two types");
		goto out;
	}
	for (i = 0; i < nt; i++) {
		int bit = strcmp(tl[i], "Ingress") == 0 ? PE_TYPE_INGRESS :
		    strcmp(tl[i], "Egress") == 0 ? PE_TYPE_EGRESS : 0;

		if (bit == 0) {
			rd_err(r, types, "spec.types", "invalid type '%s' "
			    "(Ingress or Egress)", fp_clamp(tl[i], 64));
			goto out;
		}
		if (p->types & bit) {
			rd_err(r, types, "spec.types", "duplicate type '%s'",
			    tl[i]);
			goto out;
		}
		p->types |= bit;
	}
	ret = 0;
out:
	fp_strv_free(tl, nt);
	return ret;
}

/* The hash of a policy's identity: kind, namespace (or none), name. */
static uint64_t
policy_id_hash(const struct pe_policy *p)
{
	unsigned char k = (unsigned char)p->kind;
	uint64_t h = fp_fnv1a64(&k, 1);

	if (p->namespace != NULL)
		h = fp_fnv1a64_add(h, p->namespace, strlen(p->namespace) + 1);
	else
		h = fp_fnv1a64_add(h, "", 0);
	return fp_fnv1a64_add(h, p->name, strlen(p->name));
}

/* Slot of the policy with p's identity, else the empty slot to fill. */
static size_t
uniq_slot(const struct pe_policyset *ps, const struct pe_policy *p,
    size_t self)
{
	size_t mask = ps->a_uniq - 1, i = (size_t)policy_id_hash(p) & mask;

	for (;; i = (i + 1) & mask) {
		size_t e = ps->r_uniq[i];
		const struct pe_policy *o;

		if (e == 0)
			return i;
		if (e - 1 == self || e - 1 >= ps->n_policies)
			continue;	/* itself, or a policy since dropped */
		o = &ps->policies[e - 1];
		if (o->kind == p->kind && strcmp(o->name, p->name) == 0 &&
		    same_ns(o->namespace, p->namespace))
			return i;
	}
}

/* Rebuild the table at twice the policies, so it stays under half full. */
static int
uniq_grow(struct pe_policyset *ps)
{
	size_t a = 64, i, *t;

	while (a < 4 * ps->n_policies)
		a *= 2;
	if ((t = calloc(a, sizeof(*t))) == NULL)
		return -1;
	free(ps->r_uniq);
	ps->r_uniq = t;
	ps->a_uniq = a;
	for (i = 0; i + 1 < ps->n_policies; i++)
		t[uniq_slot(ps, &ps->policies[i], SIZE_MAX)] = i + 1;
	return 0;
}

/*
 * The same resource twice is a mistake in the input. The policies read so
 * far are in a hash by identity, so the check costs O(1), not O(policies).
 */
static int
check_policy_unique(struct rd *r, const struct pe_policy *p,
    yaml_node_t *kind_node)
{
	struct pe_policyset *ps = r->ps;
	size_t self = ps->n_policies - 1, slot;

	if (2 * ps->n_policies > ps->a_uniq && uniq_grow(ps) < 0)
		return rd_err(r, kind_node, NULL, "out of memory");
	slot = uniq_slot(ps, p, self);
	if (ps->r_uniq[slot] != 0) {
		const struct pe_policy *o = &ps->policies[ps->r_uniq[slot] - 1];

		return rd_err(r, kind_node, NULL, "%s '%s%s%s' is "
		    "already defined at %s:%d", pe_kind_name(p->kind),
		    p->namespace ? p->namespace : "",
		    p->namespace ? "/" : "", p->name,
		    fp_clamp(o->file, 200), o->line);
	}
	ps->r_uniq[slot] = self + 1;
	return 0;
}

static int
read_policy(struct rd *r, yaml_node_t *doc, enum pe_kind kind,
    yaml_node_t *kind_node)
{
	static const char *const gnp_fields[] = {
		"order", "tier", "selector", "namespaceSelector",
		"serviceAccountSelector", "types", "ingress", "egress",
		"doNotTrack", "preDNAT", "applyOnForward", "performanceHints",
		"stagedAction", NULL
	};
	static const char *const np_fields[] = {
		"order", "tier", "selector", "serviceAccountSelector", "types",
		"ingress", "egress", "performanceHints", "stagedAction", NULL
	};
	const char *const *fields = pe_kind_is_namespaced(kind) ? np_fields :
	    gnp_fields;
	struct pe_policyset *ps = r->ps;
	struct pe_policy *p, *arr;
	struct meta m = { NULL, NULL, NULL };
	yaml_node_t *spec;
	int ret = -1;

	if ((arr = fp_grow(ps->policies, &ps->a_policies, ps->n_policies + 1,
	    sizeof(*arr))) == NULL)
		return rd_err(r, doc, NULL, "out of memory");
	ps->policies = arr;
	p = &arr[ps->n_policies++];
	memset(p, 0, sizeof(*p));
	p->kind = kind;
	p->origin = ps->origin;
	p->line = (int)kind_node->start_mark.line + 1;
	if ((p->file = strdup(r->file)) == NULL) {
		rd_err(r, doc, NULL, "out of memory");
		goto out;
	}
	if (read_meta(r, doc, &m, pe_kind_is_namespaced(kind), NULL) < 0)
		goto out;
	p->name = m.name;
	p->namespace = m.namespace;
	m.name = m.namespace = NULL;
	if (calico_check_policy_name(p->name,
	    pe_kind_is_namespaced(kind)) != NULL) {
		rd_err(r, map_get(r, m.node, "name"), "metadata.name",
		    "invalid policy name '%s' (lower case letters, digits "
		    "and '-', at most one '.')", fp_clamp(p->name, 64));
		goto out;
	}
	if ((spec = map_get(r, doc, "spec")) == NULL) {
		rd_err(r, doc, NULL, "spec is required");
		goto out;
	}
	if (map_check(r, spec, "spec", fields) < 0)
		goto out;
	if (!pe_kind_is_staged(kind) && map_get(r, spec, "stagedAction")) {
		rd_err(r, map_get(r, spec, "stagedAction"), "spec",
		    "unknown field 'stagedAction'");
		goto out;
	}
	if (read_policy_fields(r, spec, p) < 0 ||
	    read_policy_types(r, spec, p) < 0)
		goto out;
	if (p->do_not_track && p->pre_dnat) {
		rd_err(r, spec, "spec", "preDNAT and doNotTrack cannot both "
		    "be true");
		goto out;
	}
	if ((p->do_not_track || p->pre_dnat) && !p->apply_on_forward) {
		rd_err(r, spec, "spec", "applyOnForward must be true when "
		    "doNotTrack or preDNAT is");
		goto out;
	}
	if (read_rules(r, spec, "ingress", &p->ingress, &p->n_ingress,
	    kind) < 0 ||
	    read_rules(r, spec, "egress", &p->egress, &p->n_egress, kind) < 0)
		goto out;
	if (p->pre_dnat && (p->n_egress || (p->types & PE_TYPE_EGRESS))) {
		rd_err(r, spec, "spec", "preDNAT policy cannot have egress");
		goto out;
	}
	if (check_policy_unique(r, p, kind_node) < 0)
		goto out;
	ret = 0;
out:
	free(m.name);
	free(m.namespace);
	if (ret < 0) {
		policy_release(p);
		ps->n_policies--;
	}
	return ret;
}

static int
read_tier(struct rd *r, yaml_node_t *doc, yaml_node_t *kind_node)
{
	static const char *const fields[] = { "order", "defaultAction", NULL };
	struct pe_policyset *ps = r->ps;
	struct meta m = { NULL, NULL, NULL };
	struct pe_tier *t, *arr;
	yaml_node_t *spec;
	char *act = NULL;
	size_t i;
	int ret = -1;

	if ((arr = fp_grow(ps->tiers, &ps->a_tiers, ps->n_tiers + 1,
	    sizeof(*arr))) == NULL)
		return rd_err(r, doc, NULL, "out of memory");
	ps->tiers = arr;
	t = &arr[ps->n_tiers++];
	memset(t, 0, sizeof(*t));
	t->line = (int)kind_node->start_mark.line + 1;
	if ((t->file = strdup(r->file)) == NULL) {
		rd_err(r, doc, NULL, "out of memory");
		goto out;
	}
	if (read_meta(r, doc, &m, 0, NULL) < 0)
		goto out;
	t->name = m.name;
	m.name = NULL;
	if (k8s_check_dns_label(t->name) != NULL) {
		rd_err(r, m.node, "metadata.name", "invalid tier name '%s'",
		    fp_clamp(t->name, 64));
		goto out;
	}
	if ((spec = map_get(r, doc, "spec")) != NULL) {
		if (map_check(r, spec, "spec", fields) < 0 ||
		    get_float(r, spec, "spec", "order", &t->order,
		    &t->has_order) < 0 ||
		    get_str(r, spec, "spec", "defaultAction", &act) < 0)
			goto out;
	}
	if (act != NULL && strcmp(act, "Deny") != 0 &&
	    strcmp(act, "Pass") != 0) {
		rd_err(r, map_get(r, spec, "defaultAction"),
		    "spec.defaultAction", "invalid defaultAction '%s' (Deny or "
		    "Pass)", fp_clamp(act, 64));
		goto out;
	}
	t->default_pass = act != NULL && strcmp(act, "Pass") == 0;
	if ((strcmp(t->name, "default") == 0 && t->default_pass) ||
	    ((strcmp(t->name, "kube-admin") == 0 ||
	    strcmp(t->name, "kube-baseline") == 0) && !t->default_pass)) {
		rd_err(r, spec ? spec : doc, "spec.defaultAction", "tier '%s' "
		    "must have default action %s", t->name,
		    t->default_pass ? "Deny" : "Pass");
		goto out;
	}
	for (i = 0; i + 1 < ps->n_tiers; i++) {
		if (strcmp(ps->tiers[i].name, t->name) == 0) {
			rd_err(r, kind_node, NULL, "Tier '%s' is already "
			    "defined at %s:%d", t->name,
			    fp_clamp(ps->tiers[i].file, 200),
			    ps->tiers[i].line);
			goto out;
		}
	}
	ret = 0;
out:
	free(act);
	free(m.name);
	free(m.namespace);
	if (ret < 0) {
		tier_release(t);
		ps->n_tiers--;
	}
	return ret;
}

static int
read_netset(struct rd *r, yaml_node_t *doc, int namespaced,
    yaml_node_t *kind_node)
{
	static const char *const fields[] = { "nets", NULL };
	struct pe_policyset *ps = r->ps;
	struct meta m = { NULL, NULL, NULL };
	struct pe_netset *s, *arr;
	yaml_node_t *spec;
	size_t i;
	int ret = -1;

	if ((arr = fp_grow(ps->netsets, &ps->a_netsets, ps->n_netsets + 1,
	    sizeof(*arr))) == NULL)
		return rd_err(r, doc, NULL, "out of memory");
	ps->netsets = arr;
	s = &arr[ps->n_netsets++];
	memset(s, 0, sizeof(*s));
	s->line = (int)kind_node->start_mark.line + 1;
	if ((s->file = strdup(r->file)) == NULL) {
		rd_err(r, doc, NULL, "out of memory");
		goto out;
	}
	if (read_meta(r, doc, &m, namespaced, &s->labels) < 0)
		goto out;
	s->name = m.name;
	s->namespace = m.namespace;
	m.name = m.namespace = NULL;
	if (k8s_check_dns_subdomain(s->name) != NULL) {
		rd_err(r, m.node, "metadata.name", "invalid name '%s'",
		    fp_clamp(s->name, 64));
		goto out;
	}
	if (labels_get(&s->labels, "projectcalico.org/namespace") != NULL) {
		rd_err(r, m.node, "metadata.labels", "label "
		    "'projectcalico.org/namespace' is reserved");
		goto out;
	}
	if ((spec = map_get(r, doc, "spec")) != NULL) {
		if (map_check(r, spec, "spec", fields) < 0 ||
		    get_nets(r, spec, "spec", "nets", 0, &s->nets,
		    &s->n_nets) < 0)
			goto out;
	}
	for (i = 0; i + 1 < ps->n_netsets; i++) {
		const struct pe_netset *o = &ps->netsets[i];

		if (strcmp(o->name, s->name) == 0 &&
		    same_ns(o->namespace, s->namespace)) {
			rd_err(r, kind_node, NULL, "network set '%s' is "
			    "already defined at %s:%d", s->name,
			    fp_clamp(o->file, 200), o->line);
			goto out;
		}
	}
	ret = 0;
out:
	free(m.name);
	free(m.namespace);
	if (ret < 0) {
		netset_release(s);
		ps->n_netsets--;
	}
	return ret;
}

static int read_object(struct rd *r, yaml_node_t *doc);
static int kind_in_release(struct rd *r, yaml_node_t *at, int what,
    const char *kind);

static int
read_list(struct rd *r, yaml_node_t *doc)
{
	static const char *const fields[] = {
		"apiVersion", "kind", "items", "metadata", NULL
	};
	yaml_node_t *items;
	size_t i;

	if (r->in_list)
		return rd_err(r, doc, NULL, "a List inside a List");
	if (map_check(r, doc, "", fields) < 0 ||
	    get_seq(r, doc, "", "items", &items) < 0)
		return -1;
	r->in_list = 1;
	for (i = 0; i < seq_len(items); i++) {
		yaml_node_t *it = seq_at(r, items, i);

		if (it == NULL || read_object(r, it) < 0) {
			r->in_list = 0;
			return it ? fp_error_prefix("items[%zu]", i) : -1;
		}
	}
	r->in_list = 0;
	return 0;
}

static const struct {
	const char *kind;
	int what;	/* 0..3 policy kinds, 10 tier, 11 gns, 12 ns */
} kinds[] = {
	{ "GlobalNetworkPolicy", PE_GNP },
	{ "StagedGlobalNetworkPolicy", PE_SGNP },
	{ "NetworkPolicy", PE_NP },
	{ "StagedNetworkPolicy", PE_SNP },
	{ "Tier", 10 },
	{ "GlobalNetworkSet", 11 },
	{ "NetworkSet", 12 },
};

static int
read_object(struct rd *r, yaml_node_t *doc)
{
	static const char *const fields[] = {
		"apiVersion", "kind", "metadata", "spec", NULL
	};
	char *api = NULL, *kind = NULL;
	yaml_node_t *kind_node;
	size_t i, klen;
	int ret = -1, calico_api;

	if (doc->type != YAML_MAPPING_NODE) {
		rd_err(r, doc, NULL, "expected a Calico resource (a mapping), "
		    "got %s", kind_word(doc));
		goto out;
	}
	if (map_check(r, doc, "", NULL) < 0 ||
	    get_str(r, doc, "", "kind", &kind) < 0 ||
	    get_str(r, doc, "", "apiVersion", &api) < 0)
		goto out;
	if (kind == NULL) {
		rd_err(r, doc, "kind", "missing kind");
		goto out;
	}
	kind_node = map_get(r, doc, "kind");
	if (api == NULL) {
		rd_err(r, doc, "apiVersion", "missing apiVersion");
		goto out;
	}
	calico_api = strcmp(api, "projectcalico.org/v3") == 0 ||
	    strcmp(api, "crd.projectcalico.org/v1") == 0;
	if (strcmp(api, PE_K8SNP_API) == 0 &&
	    strcmp(kind, "NetworkPolicy") == 0) {
		ret = pe_k8snp_read(r, doc, kind_node);
		goto out;
	}
	if (strncmp(api, PE_K8SADMIN_GROUP, strlen(PE_K8SADMIN_GROUP)) == 0 &&
	    pe_k8sadmin_kind(kind)) {
		ret = pe_k8sadmin_read(r, doc, kind_node, api, kind);
		goto out;
	}
	klen = strlen(kind);
	if (strcmp(kind, "List") == 0 || (klen > 4 &&
	    strcmp(kind + klen - 4, "List") == 0)) {
		if (!calico_api && strcmp(api, "v1") != 0 &&
		    strcmp(api, PE_K8SNP_API) != 0 &&
		    strncmp(api, PE_K8SADMIN_GROUP,
		    strlen(PE_K8SADMIN_GROUP)) != 0) {
			rd_err(r, map_get(r, doc, "apiVersion"), "apiVersion",
			    "unsupported apiVersion '%s' for a List",
			    fp_clamp(api, 64));
			goto out;
		}
		ret = read_list(r, doc);
		goto out;
	}
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strcmp(kinds[i].kind, kind) == 0)
			break;
	if (i == sizeof(kinds) / sizeof(kinds[0])) {
		rd_err(r, kind_node, "kind", "unsupported kind '%s' (want "
		    "GlobalNetworkPolicy, StagedGlobalNetworkPolicy, "
		    "NetworkPolicy, StagedNetworkPolicy, GlobalNetworkSet, "
		    "NetworkSet, Tier or a List of them)", fp_clamp(kind, 64));
		goto out;
	}
	if (!calico_api) {
		rd_err(r, map_get(r, doc, "apiVersion"), "apiVersion",
		    "unsupported apiVersion '%s' (projectcalico.org/v3 or "
		    "crd.projectcalico.org/v1)", fp_clamp(api, 64));
		goto out;
	}
	if (map_check(r, doc, "", fields) < 0 ||
	    kind_in_release(r, kind_node, kinds[i].what, kind) < 0)
		goto out;
	switch (kinds[i].what) {
	case 10:
		ret = read_tier(r, doc, kind_node);
		break;
	case 11:
		ret = read_netset(r, doc, 0, kind_node);
		break;
	case 12:
		ret = read_netset(r, doc, 1, kind_node);
		break;
	default:
		ret = read_policy(r, doc, (enum pe_kind)kinds[i].what,
		    kind_node);
		break;
	}
out:
	free(api);
	free(kind);
	return ret;
}

int
pe_read_buffer(struct pe_policyset *ps, const char *name, const char *buf,
    size_t len)
{
	yaml_document_t doc;
	struct yr *y = NULL;
	struct rd r;
	int ret = -1, have_doc = 0, got;

	memset(&r, 0, sizeof(r));
	r.file = name;
	r.ps = ps;
	r.doc = &doc;
	if (yr_new(&y, buf, len, NULL, 0) < 0)
		return fp_error_prefix("%s", fp_clamp(name, 256));
	while ((got = yr_load(y, &doc)) > 0) {
		yaml_node_t *root = yaml_document_get_root_node(&doc);

		have_doc = 1;
		if (root != NULL && !is_null(root) && read_object(&r, root) < 0)
			goto out;
		yaml_document_delete(&doc);
		have_doc = 0;
	}
	if (got < 0) {
		fp_error("%s:%zu: %s", fp_clamp(name, 256), yr_error(y)->line,
		    yr_error(y)->msg);
		goto out;
	}
	ps->n_files++;
	ret = 0;
out:
	if (have_doc)
		yaml_document_delete(&doc);
	yr_free(y);
	return ret;
}

/* Append a copy of s to the string array *v of *n. 0 or -1 (fp_error). */
static int
push_copy(char ***v, size_t *n, const char *s)
{
	char **nv;

	if ((nv = realloc(*v, (*n + 1) * sizeof(*nv))) == NULL)
		return fp_error("policies: out of memory");
	*v = nv;
	if ((nv[*n] = strdup(s)) == NULL)
		return fp_error("policies: out of memory");
	(*n)++;
	return 0;
}

/* The first path read for ps->origin names it. */
static int
record_origin(struct pe_policyset *ps, const char *path)
{
	while (ps->n_origin_paths <= ps->origin)
		if (push_copy(&ps->origin_paths, &ps->n_origin_paths,
		    path) < 0)
			return -1;
	return 0;
}

static int
has_ext(const char *name)
{
	size_t n = strlen(name);

	return (n > 5 && strcmp(name + n - 5, ".yaml") == 0) ||
	    (n > 4 && strcmp(name + n - 4, ".yml") == 0) ||
	    (n > 5 && strcmp(name + n - 5, ".json") == 0);
}

static int
read_file(struct pe_policyset *ps, const char *path)
{
	char *buf = NULL;
	size_t len;
	int ret;

	if (fp_read_file(path, PE_READ_MAX_FILE, &buf, &len) < 0)
		return fp_error_prefix("policies");
	ret = pe_read_buffer(ps, path, buf, len);
	free(buf);
	return ret;
}

static int
read_dir(struct pe_policyset *ps, const char *path, int depth)
{
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, a = 0, i;
	DIR *d;
	int ret = -1;

	if (depth > RD_MAX_DIR_DEPTH)
		return fp_error("policies '%s': directories nested too deep",
		    fp_clamp(path, 200));
	if ((d = opendir(path)) == NULL)
		return fp_error("policies '%s': %s", fp_clamp(path, 200),
		    strerror(errno));
	while ((de = readdir(d)) != NULL) {
		char **nn;

		if (de->d_name[0] == '.')
			continue;
		if (n == a) {
			a = a ? a * 2 : 32;
			if ((nn = realloc(names, a * sizeof(*nn))) == NULL)
				goto oom;
			names = nn;
		}
		if ((names[n] = strdup(de->d_name)) == NULL)
			goto oom;
		n++;
	}
	if (n > 0)	/* names is NULL for an empty directory */
		qsort(names, n, sizeof(*names), fp_cmp_str);
	for (i = 0; i < n; i++) {
		struct stat st;
		size_t plen = strlen(path) + strlen(names[i]) + 2;
		char *full = malloc(plen);

		if (full == NULL)
			goto oom;
		snprintf(full, plen, "%s/%s", path, names[i]);
		if (stat(full, &st) < 0) {
			fp_error("policies '%s': %s", fp_clamp(full, 200),
			    strerror(errno));
			free(full);
			goto out;
		}
		if (S_ISDIR(st.st_mode))
			ret = read_dir(ps, full, depth + 1);
		else if (S_ISREG(st.st_mode) && has_ext(names[i]))
			ret = read_file(ps, full);
		else
			ret = 0;
		free(full);
		if (ret < 0)
			goto out;
	}
	ret = 0;
	goto out;
oom:
	fp_error("policies '%s': out of memory", fp_clamp(path, 200));
	ret = -1;
out:
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	closedir(d);
	return ret;
}

int
pe_read_path(struct pe_policyset *ps, const char *path)
{
	struct stat st;

	if (record_origin(ps, path) < 0)
		return -1;
	if (strcmp(path, "-") == 0)
		return read_file(ps, path);
	if (stat(path, &st) < 0)
		return fp_error("policies '%s': %s", fp_clamp(path, 200),
		    strerror(errno));
	if (S_ISDIR(st.st_mode))
		return read_dir(ps, path, 0);
	return read_file(ps, path);
}

/* --- release ---------------------------------------------------------- */

const struct pe_entity_more pe_entity_none;

static void
entity_release(struct pe_entity *e)
{
	struct pe_entity_more *x = e->more;
	size_t i;

	free(e->nets);
	if (!e->shared) {
		for (i = 0; i < e->n_ports; i++)
			free(e->ports[i].name);
		free(e->ports);
		free(e->selector);
		free(e->ns_selector);
	}
	if (!e->c_shared) {
		sel_free(e->c_sel);
		if (x != NULL)
			sel_free(x->c_not_sel);
	}
	if (x == NULL)
		return;
	free(x->not_nets);
	if (!e->shared) {
		for (i = 0; i < x->n_not_ports; i++)
			free(x->not_ports[i].name);
		free(x->not_ports);
		free(x->not_selector);
	}
	for (i = 0; i < x->n_sa_names; i++)
		free(x->sa_names[i]);
	free(x->sa_names);
	free(x->sa_selector);
	free(x->svc_name);
	free(x->svc_namespace);
	free(x);
}

static void
rules_release(struct pe_rule *r, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		entity_release(&r[i].src);
		entity_release(&r[i].dst);
	}
	free(r);
}

static void
policy_release(struct pe_policy *p)
{
	free(p->name);
	free(p->namespace);
	free(p->file);
	free(p->tier);
	free(p->selector);
	free(p->ns_selector);
	free(p->sa_selector);
	free(p->staged_action);
	rules_release(p->ingress, p->n_ingress);
	rules_release(p->egress, p->n_egress);
	sel_free(p->c_sel);
	memset(p, 0, sizeof(*p));
}

static void
tier_release(struct pe_tier *t)
{
	free(t->name);
	free(t->file);
}

static void
netset_release(struct pe_netset *s)
{
	free(s->name);
	free(s->namespace);
	free(s->file);
	free(s->nets);
	labels_release(&s->labels);
}

void
pe_policyset_release(struct pe_policyset *ps)
{
	size_t i;

	pe_policyset_release_compiled(ps);
	for (i = 0; i < ps->n_policies; i++)
		policy_release(&ps->policies[i]);
	free(ps->policies);
	for (i = 0; i < ps->n_tiers; i++)
		tier_release(&ps->tiers[i]);
	free(ps->tiers);
	for (i = 0; i < ps->n_netsets; i++)
		netset_release(&ps->netsets[i]);
	free(ps->netsets);
	for (i = 0; i < ps->n_warnings; i++)
		free(ps->warnings[i]);
	free(ps->warnings);
	for (i = 0; i < ps->n_origin_paths; i++)
		free(ps->origin_paths[i]);
	free(ps->origin_paths);
	free(ps->r_uniq);
	pe_intern_free(ps->r_intern, NULL);
	memset(ps, 0, sizeof(*ps));
}

const char *
pe_kind_name(enum pe_kind k)
{
	switch (k) {
	case PE_GNP: return "GlobalNetworkPolicy";
	case PE_SGNP: return "StagedGlobalNetworkPolicy";
	case PE_NP: return "NetworkPolicy";
	case PE_SNP: return "StagedNetworkPolicy";
	case PE_KNP: return "KubernetesNetworkPolicy";
	case PE_KCNP: return "KubernetesClusterNetworkPolicy";
	}
	return "?";
}

int
pe_kind_is_staged(enum pe_kind k)
{
	return k == PE_SGNP || k == PE_SNP;
}

int
pe_kind_is_namespaced(enum pe_kind k)
{
	return k == PE_NP || k == PE_SNP || k == PE_KNP;
}

int
pe_policyset_has_staged(const struct pe_policyset *ps)
{
	size_t i;

	for (i = 0; i < ps->n_policies; i++)
		if (pe_kind_is_staged(ps->policies[i].kind))
			return 1;
	return 0;
}

const char *
pe_action_name(enum pe_action a)
{
	switch (a) {
	case PE_ACT_ALLOW: return "Allow";
	case PE_ACT_DENY: return "Deny";
	case PE_ACT_LOG: return "Log";
	case PE_ACT_PASS: return "Pass";
	}
	return "?";
}

/* --- what other readers in policy/ use (rd.h) ------------------------- */

int
rd_error(struct rd *r, const yaml_node_t *n, const char *ctx,
    const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return rd_err(r, n, ctx, "%s", msg);
}

struct pe_policyset *
rd_policyset(struct rd *r)
{
	return r->ps;
}

const char *
rd_file(struct rd *r)
{
	return r->file;
}

const struct pe_calver *
rd_calver(struct rd *r)
{
	const struct pe_calver *v = pe_calver_get(r->ps->calico_version);

	return v ? v : pe_calver_get(0);
}

int
rd_map_check(struct rd *r, yaml_node_t *n, const char *ctx,
    const char *const *allowed)
{
	return map_check(r, n, ctx, allowed);
}

yaml_node_t *
rd_map_get(struct rd *r, yaml_node_t *n, const char *key)
{
	return map_get(r, n, key);
}

int
rd_get_str(struct rd *r, yaml_node_t *map, const char *ctx, const char *key,
    char **out)
{
	return get_str(r, map, ctx, key, out);
}

int
rd_get_int(struct rd *r, yaml_node_t *map, const char *ctx, const char *key,
    long min, long max, int *out, int *present)
{
	return get_int(r, map, ctx, key, min, max, out, present);
}

int
rd_get_seq(struct rd *r, yaml_node_t *map, const char *ctx, const char *key,
    yaml_node_t **out)
{
	return get_seq(r, map, ctx, key, out);
}

size_t
rd_seq_len(const yaml_node_t *s)
{
	return seq_len(s);
}

yaml_node_t *
rd_seq_at(struct rd *r, yaml_node_t *s, size_t i)
{
	return seq_at(r, s, i);
}

int
rd_get_str_list(struct rd *r, yaml_node_t *map, const char *ctx,
    const char *key, char ***out, size_t *n)
{
	return get_str_list(r, map, ctx, key, out, n);
}

int
rd_get_labels(struct rd *r, yaml_node_t *map, const char *ctx,
    const char *key, struct labels *out)
{
	return get_labels(r, map, ctx, key, out);
}

int
rd_scalar_int(const yaml_node_t *n, long *out)
{
	if (n == NULL || n->type != YAML_SCALAR_NODE)
		return -1;
	if (scalar_kind(n) != SC_INT)
		return 0;
	errno = 0;
	*out = strtol(sval(n), NULL, 10);
	return errno == 0 ? 1 : 0;
}

const char *
rd_scalar(const yaml_node_t *n)
{
	return n != NULL && n->type == YAML_SCALAR_NODE ? sval(n) : NULL;
}

void
rd_mask_net(struct fp_ip *ip, int prefix)
{
	mask_net(ip, prefix);
}

void
rd_ctx_join(char *buf, size_t len, const char *ctx, const char *key)
{
	ctx_join(buf, len, ctx, key);
}

void
rd_ctx_item(char *buf, size_t len, const char *ctx, const char *key, size_t i)
{
	ctx_item(buf, len, ctx, key, i);
}

int
rd_read_meta(struct rd *r, yaml_node_t *doc, int namespaced, char **name,
    char **ns, yaml_node_t **node)
{
	struct meta m = { NULL, NULL, NULL };

	if (read_meta(r, doc, &m, namespaced, NULL) < 0) {
		free(m.name);
		free(m.namespace);
		return -1;
	}
	*name = m.name;
	*ns = m.namespace;
	*node = m.node;
	return 0;
}

struct pe_policy *
rd_policy_add(struct rd *r, yaml_node_t *at)
{
	struct pe_policyset *ps = r->ps;
	struct pe_policy *arr, *p;

	if ((arr = fp_grow(ps->policies, &ps->a_policies, ps->n_policies + 1,
	    sizeof(*arr))) == NULL) {
		rd_err(r, at, NULL, "out of memory");
		return NULL;
	}
	ps->policies = arr;
	p = &arr[ps->n_policies++];
	memset(p, 0, sizeof(*p));
	p->origin = ps->origin;
	return p;
}

void
rd_policy_drop(struct rd *r)
{
	policy_release(&r->ps->policies[--r->ps->n_policies]);
}

int
rd_policy_check_dup(struct rd *r, yaml_node_t *at)
{
	return check_policy_unique(r, &r->ps->policies[r->ps->n_policies - 1],
	    at);
}

int
rd_check_items(struct rd *r, yaml_node_t *at, const char *ctx,
    const char *key, size_t len, size_t max)
{
	const struct pe_calver *v = rd_calver(r);

	if (v->rule_limits && len > max)
		return rd_err(r, at, ctx, "%s: %zu items, Calico %s allows at "
		    "most %zu", key, len, pe_calver_name(v->version), max);
	return 0;
}

int
rd_check_selector_len(struct rd *r, yaml_node_t *at, const char *ctx,
    const char *s)
{
	const struct pe_calver *v = rd_calver(r);
	size_t len = strlen(s);

	if (v->rule_limits && len > RD_MAX_SELECTOR)
		return rd_err(r, at, ctx, "selector of %zu characters, Calico "
		    "%s allows at most %d", len, pe_calver_name(v->version),
		    RD_MAX_SELECTOR);
	return 0;
}

static int
net_cmp(const struct pe_net *a, const struct pe_net *b)
{
	int c;

	if (a->ip.len != b->ip.len)
		return a->ip.len < b->ip.len ? -1 : 1;
	if ((c = memcmp(a->ip.a, b->ip.a, a->ip.len)) != 0)
		return c;
	return a->prefix < b->prefix ? -1 : a->prefix > b->prefix;
}

static int
net_ix_cmp(const void *a, const void *b)
{
	const struct pe_net *const *x = a, *const *y = b;
	int c = net_cmp(*x, *y);

	return c != 0 ? c : *x < *y ? -1 : *x > *y;
}

int
rd_check_net_dups(struct rd *r, yaml_node_t *seq, const char *ctx,
    const char *key, const struct pe_net *nets, size_t n)
{
	const struct pe_net **ix;
	size_t i, dup = n, first = 0;
	char c[256];

	/*
	 * Calico holds nets as a set (x-kubernetes-list-type: set). Sorted
	 * pointers find a repeat in n log n, so a network set of every
	 * node of a 5,000-node cluster costs no more than a rule's 256.
	 */
	if (!rd_calver(r)->rule_limits || n < 2)
		return 0;
	if ((ix = malloc(n * sizeof(*ix))) == NULL)
		return rd_err(r, seq, ctx, "out of memory");
	for (i = 0; i < n; i++)
		ix[i] = &nets[i];
	qsort(ix, n, sizeof(*ix), net_ix_cmp);
	for (i = 1; i < n; i++)
		if (net_cmp(ix[i - 1], ix[i]) == 0 &&
		    (size_t)(ix[i] - nets) < dup) {
			dup = (size_t)(ix[i] - nets);
			first = (size_t)(ix[i - 1] - nets);
		}
	free(ix);
	if (dup == n)
		return 0;
	ctx_item(c, sizeof(c), ctx, key, dup);
	return rd_err(r, seq_at(r, seq, dup), c, "repeats entry %zu (Calico "
	    "%s holds nets as a set)", first,
	    pe_calver_name(rd_calver(r)->version));
}

int
rd_check_http_path(struct rd *r, yaml_node_t *at, const char *ctx,
    const char *path)
{
	if (path[0] != '/' || strpbrk(path, "? #") != NULL)
		return rd_err(r, at, ctx, "invalid path '%s' (must start with "
		    "'/' and not contain '?', '#' or a space)",
		    fp_clamp(path, 64));
	return 0;
}

int
rd_check_annotations(struct rd *r, yaml_node_t *map, const char *ctx)
{
	yaml_node_pair_t *p;
	size_t total = 0;
	char c[300];

	if (map == NULL || map->type != YAML_MAPPING_NODE)
		return 0;
	rd_ctx_join(c, sizeof(c), ctx, "annotations");
	for (p = map->data.mapping.pairs.start;
	    p < map->data.mapping.pairs.top; p++) {
		yaml_node_t *k = node_at(r, p->key), *v = node_at(r, p->value);
		const char *why;
		char *low;
		size_t i;

		if (k == NULL || v == NULL)
			return rd_err(r, map, c, "malformed mapping");
		/* IsQualifiedName(strings.ToLower(k)), as validator.go does */
		if ((low = strdup(sval(k))) == NULL)
			return rd_err(r, k, c, "out of memory");
		for (i = 0; low[i]; i++)
			if (low[i] >= 'A' && low[i] <= 'Z')
				low[i] = (char)(low[i] - 'A' + 'a');
		why = k8s_check_label_key(low);
		free(low);
		if (why != NULL)
			return rd_err(r, k, c, "invalid key '%s': %s",
			    fp_clamp(sval(k), 64), why);
		total += k->data.scalar.length + (v->type == YAML_SCALAR_NODE ?
		    v->data.scalar.length : 0);
	}
	if (total > 256 * 1024)
		return rd_err(r, map, c, "%zu bytes in all, at most 262144",
		    total);
	return 0;
}

int
rd_named_port_outside(struct rd *r, yaml_node_t *at, const char *ctx,
    const char *name)
{
	size_t i, len = strlen(name);

	for (i = 0; i < len; i++)
		if (!((name[i] >= 'a' && name[i] <= 'z') ||
		    (name[i] >= 'A' && name[i] <= 'Z') ||
		    (name[i] >= '0' && name[i] <= '9') || name[i] == '_' ||
		    name[i] == '.' || name[i] == '-'))
			break;
	if (len == 0 || len > 128 || i < len)
		return rd_err(r, at, ctx, "invalid named port '%s' (letters, "
		    "digits, '_', '.' and '-', at most 128)",
		    fp_clamp(name, 64));
	if (pe_policyset_warn(r->ps, "%s:%lu: %s: named port '%s' is not a "
	    "Kubernetes port name (at most 15 lowercase letters, digits and "
	    "'-', with a letter): calicoctl and the Calico API server refuse "
	    "it; read as Felix reads it", fp_clamp(r->file, 256),
	    (unsigned long)at->start_mark.line + 1, ctx,
	    fp_clamp(name, 64)) < 0)
		return rd_err(r, at, ctx, "out of memory");
	return 0;
}

static int
kind_in_release(struct rd *r, yaml_node_t *at, int what, const char *kind)
{
	const struct pe_calver *v = rd_calver(r);

	if ((what == 10 && !v->has_tiers) ||
	    (what < 10 && pe_kind_is_staged((enum pe_kind)what) &&
	    !v->has_staged))
		return rd_err(r, at, "kind", "Calico %s has no %s (--calico-"
		    "version)", pe_calver_name(v->version), kind);
	return 0;
}

int
pe_policyset_warn(struct pe_policyset *ps, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return push_copy(&ps->warnings, &ps->n_warnings, buf);
}
