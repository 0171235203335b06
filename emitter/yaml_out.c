#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "emitter/names.h"
#include "emitter/emit.h"
#include "emitter/policyset.h"
#include "common/err.h"
#include "common/proto.h"
#include "common/banned.h"

/* A growable byte buffer, the emitter's output. */
struct sbuf {
	char *p;
	size_t len, cap;
	int oom;
};

static void
sb_add(struct sbuf *b, const void *data, size_t n)
{
	char *np;
	size_t ncap;

	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		ncap = b->cap ? b->cap : 1024;
		while (ncap < b->len + n + 1)
			ncap *= 2;
		if ((np = realloc(b->p, ncap)) == NULL) {
			b->oom = 1;
			return;
		}
		b->p = np;
		b->cap = ncap;
	}
	memcpy(b->p + b->len, data, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void
sb_str(struct sbuf *b, const char *s)
{
	sb_add(b, s, strlen(s));
}

/* Untrusted text in a comment: a newline would end the comment. */
static void
sb_comment_text(struct sbuf *b, const char *s)
{
	char c;

	for (; *s != '\0'; s++) {
		c = (unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s;
		sb_add(b, &c, 1);
	}
}

static int
yaml_sink(void *data, unsigned char *buf, size_t size)
{
	struct sbuf *b = data;

	sb_add(b, buf, size);
	return !b->oom;
}

void
pset_rule_release(struct pset_rule *r)
{
	struct pset_entity *e[2] = { &r->src, &r->dst };
	size_t i, j;

	for (i = 0; i < 2; i++) {
		free(e[i]->ns_selector);
		free(e[i]->selector);
		for (j = 0; j < e[i]->nnets; j++)
			free(e[i]->nets[j]);
		free(e[i]->nets);
		for (j = 0; j < e[i]->nnot_nets; j++)
			free(e[i]->not_nets[j]);
		free(e[i]->not_nets);
		free(e[i]->svc_ns);
		free(e[i]->svc_name);
		free(e[i]->ports);
	}
	free(r->evidence);
	free(r->summary);
	memset(r, 0, sizeof(*r));
}

void
pset_policy_release(struct pset_policy *p)
{
	size_t i;

	for (i = 0; i < p->ningress; i++)
		pset_rule_release(&p->ingress[i]);
	for (i = 0; i < p->negress; i++)
		pset_rule_release(&p->egress[i]);
	free(p->ingress);
	free(p->egress);
	free(p->name);
	free(p->selector);
	free(p->about);
	memset(p, 0, sizeof(*p));
}

/* --- libyaml event helpers; each returns 0 or -1 ----------------------- */

struct ye {
	yaml_emitter_t em;
	int failed;
};

static void
ye_emit(struct ye *y, yaml_event_t *ev, int ok)
{
	if (y->failed)
		return;
	if (!ok || !yaml_emitter_emit(&y->em, ev))
		y->failed = 1;
}

static void
ye_scalar(struct ye *y, const char *s, yaml_scalar_style_t style)
{
	yaml_event_t ev;
	int ok;

	if (y->failed)
		return;
	ok = yaml_scalar_event_initialize(&ev, NULL, NULL,
	    (yaml_char_t *)(uintptr_t)s, (int)strlen(s), 1, 1, style);
	ye_emit(y, &ev, ok);
}

/* Plain: keys, names, enums, numbers. */
static void
ye_plain(struct ye *y, const char *s)
{
	ye_scalar(y, s, YAML_PLAIN_SCALAR_STYLE);
}

/* Data strings that must stay strings (selectors, annotation values). */
static void
ye_quoted(struct ye *y, const char *s)
{
	ye_scalar(y, s, YAML_DOUBLE_QUOTED_SCALAR_STYLE);
}

static void
ye_int(struct ye *y, long v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%ld", v);
	ye_plain(y, buf);
}

static void
ye_map(struct ye *y, int start)
{
	yaml_event_t ev;
	int ok;

	if (y->failed)
		return;
	ok = start ? yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1,
	    YAML_BLOCK_MAPPING_STYLE) : yaml_mapping_end_event_initialize(&ev);
	ye_emit(y, &ev, ok);
}

static void
ye_seq(struct ye *y, int start)
{
	yaml_event_t ev;
	int ok;

	if (y->failed)
		return;
	ok = start ? yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1,
	    YAML_BLOCK_SEQUENCE_STYLE) : yaml_sequence_end_event_initialize(&ev);
	ye_emit(y, &ev, ok);
}

static void
emit_entity(struct ye *y, const char *key, const struct pset_entity *e)
{
	char buf[32];
	size_t i;

	if (e->nnets == 0 && e->ns_selector == NULL && e->selector == NULL &&
	    e->nports == 0 && e->svc_name == NULL)
		return;
	ye_plain(y, key);
	ye_map(y, 1);
	if (e->nnets > 0) {
		ye_plain(y, "nets");
		ye_seq(y, 1);
		for (i = 0; i < e->nnets; i++)
			ye_scalar(y, e->nets[i], YAML_ANY_SCALAR_STYLE);
		ye_seq(y, 0);
	}
	if (e->nnot_nets > 0) {
		ye_plain(y, "notNets");
		ye_seq(y, 1);
		for (i = 0; i < e->nnot_nets; i++)
			ye_scalar(y, e->not_nets[i], YAML_ANY_SCALAR_STYLE);
		ye_seq(y, 0);
	}
	if (e->svc_name != NULL) {
		ye_plain(y, "services");
		ye_map(y, 1);
		ye_plain(y, "name");
		ye_plain(y, e->svc_name);
		ye_plain(y, "namespace");
		ye_plain(y, e->svc_ns);
		ye_map(y, 0);
	}
	if (e->ns_selector != NULL) {
		ye_plain(y, "namespaceSelector");
		ye_quoted(y, e->ns_selector);
	}
	if (e->selector != NULL) {
		ye_plain(y, "selector");
		ye_quoted(y, e->selector);
	}
	if (e->nports > 0) {
		ye_plain(y, "ports");
		ye_seq(y, 1);
		for (i = 0; i < e->nports; i++) {
			if (e->ports[i].lo == e->ports[i].hi) {
				ye_int(y, e->ports[i].lo);
			} else {
				/* "lo:hi" quoted: YAML 1.1 reads some a:b as base 60 */
				snprintf(buf, sizeof(buf), "%d:%d", e->ports[i].lo,
				    e->ports[i].hi);
				ye_quoted(y, buf);
			}
		}
		ye_seq(y, 0);
	}
	ye_map(y, 0);
}

static void
emit_rule(struct ye *y, const struct pset_rule *r)
{
	const char *pn;

	ye_map(y, 1);
	ye_plain(y, "action");
	ye_plain(y, "Allow");
	if (r->proto != 0) {
		ye_plain(y, "protocol");
		if ((pn = fp_proto_calico_name(r->proto)) != NULL)
			ye_plain(y, pn);
		else
			ye_int(y, r->proto);
	}
	if (r->ip_version != 0) {
		ye_plain(y, "ipVersion");
		ye_int(y, r->ip_version);
	}
	if (r->icmp_type >= 0) {
		ye_plain(y, "icmp");
		ye_map(y, 1);
		ye_plain(y, "type");
		ye_int(y, r->icmp_type);
		if (r->icmp_code >= 0) {
			ye_plain(y, "code");
			ye_int(y, r->icmp_code);
		}
		ye_map(y, 0);
	}
	emit_entity(y, "source", &r->src);
	emit_entity(y, "destination", &r->dst);
	if (r->evidence != NULL) {
		ye_plain(y, "metadata");
		ye_map(y, 1);
		ye_plain(y, "annotations");
		ye_map(y, 1);
		ye_plain(y, "flowpol/learned-from");
		ye_quoted(y, r->evidence);
		ye_map(y, 0);
		ye_map(y, 0);
	}
	ye_map(y, 0);
}

static void
order_text(long centi, char *buf, size_t len)
{
	if (centi % 100 == 0)
		snprintf(buf, len, "%ld", centi / 100);
	else if (centi % 10 == 0)
		snprintf(buf, len, "%ld.%ld", centi / 100, (centi % 100) / 10);
	else
		snprintf(buf, len, "%ld.%02ld", centi / 100, centi % 100);
}

static void
header(struct sbuf *b, const struct pset_policy *p, const char *kind)
{
	char order[32], dig[40];
	uint64_t h;
	size_t i, n = 0;
	const size_t maxlines = 40;
	const struct pset_rule *r;

	/* The digest covers what decides matching: kind, selector, rules. */
	h = fp_fnv1a64(kind, strlen(kind));
	h ^= fp_fnv1a64(p->selector, strlen(p->selector)) * 31;
	for (i = 0; i < p->ningress + p->negress; i++) {
		r = i < p->ningress ? &p->ingress[i] : &p->egress[i - p->ningress];
		h = h * 1099511628211ULL ^ fp_fnv1a64(r->summary, strlen(r->summary));
	}
	snprintf(dig, sizeof(dig), "%016llx", (unsigned long long)h);
	order_text(p->order_centi, order, sizeof(order));

	sb_str(b, EMIT_HEADER_MARK " Do not edit: the next run rewrites it.\n");
	sb_str(b, "# ");
	sb_str(b, kind);
	sb_str(b, " ");
	sb_comment_text(b, p->name);
	sb_str(b, ", order ");
	sb_str(b, order);
	sb_str(b, ": ");
	sb_comment_text(b, p->about);
	sb_str(b, "\n# Allows (digest fnv1a64:");
	sb_str(b, dig);
	sb_str(b, p->staged ? "; staged, nothing enforced):\n" : "):\n");
	for (i = 0; i < p->ningress + p->negress; i++) {
		r = i < p->ningress ? &p->ingress[i] : &p->egress[i - p->ningress];
		if (n++ == maxlines) {
			char more[64];

			snprintf(more, sizeof(more), "#   ... and %zu more rules\n",
			    p->ningress + p->negress - maxlines);
			sb_str(b, more);
			break;
		}
		sb_str(b, "#   ");
		sb_comment_text(b, r->summary);
		sb_str(b, "\n");
	}
	if (p->ningress + p->negress == 0)
		sb_str(b, "#   nothing (what no other policy allows is dropped)\n");
}

/* Start a one-document YAML stream into b (after its header comment). */
static int
doc_begin(struct ye *y, struct sbuf *b)
{
	yaml_event_t ev;

	if (!yaml_emitter_initialize(&y->em)) {
		free(b->p);
		return fp_error("emit: out of memory");
	}
	yaml_emitter_set_output(&y->em, yaml_sink, b);
	yaml_emitter_set_width(&y->em, -1);	/* never fold long selectors */
	yaml_emitter_set_unicode(&y->em, 1);
	yaml_emitter_set_indent(&y->em, 2);
	ye_emit(y, &ev, yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING));
	ye_emit(y, &ev, yaml_document_start_event_initialize(&ev, NULL, NULL,
	    NULL, 1));
	return 0;
}

/* End the document and stream, hand b's text out (what names it in errors). */
static int
doc_end(struct ye *y, struct sbuf *b, const char *what, const char *name,
    char **text, size_t *len)
{
	yaml_event_t ev;
	int ret = -1;

	ye_emit(y, &ev, yaml_document_end_event_initialize(&ev, 1));
	ye_emit(y, &ev, yaml_stream_end_event_initialize(&ev));
	if (!y->failed && !yaml_emitter_flush(&y->em))
		y->failed = 1;
	if (y->failed || b->oom) {
		fp_error("emit: %s '%s': %s", what, fp_clamp(name, 64),
		    b->oom ? "out of memory" : y->em.problem != NULL ?
		    y->em.problem : "yaml emitter failed");
		goto out;
	}
	if (emit_seal(&b->p, &b->len) < 0)
		goto out;
	*text = b->p;
	*len = b->len;
	b->p = NULL;
	ret = 0;
out:
	yaml_emitter_delete(&y->em);
	free(b->p);
	return ret;
}

int
pset_render(const struct pset_policy *p, char **text, size_t *len)
{
	struct sbuf b = { 0 };
	struct ye y;
	const char *kind = p->staged ? "StagedGlobalNetworkPolicy" :
	    "GlobalNetworkPolicy";
	char order[32];
	size_t i;

	memset(&y, 0, sizeof(y));
	header(&b, p, kind);
	if (doc_begin(&y, &b) < 0)
		return -1;
	ye_map(&y, 1);
	ye_plain(&y, "apiVersion");
	ye_plain(&y, "projectcalico.org/v3");
	ye_plain(&y, "kind");
	ye_plain(&y, kind);
	ye_plain(&y, "metadata");
	ye_map(&y, 1);
	ye_plain(&y, "name");
	ye_plain(&y, p->name);
	ye_map(&y, 0);
	ye_plain(&y, "spec");
	ye_map(&y, 1);
	ye_plain(&y, "order");
	order_text(p->order_centi, order, sizeof(order));
	ye_plain(&y, order);
	ye_plain(&y, "selector");
	ye_quoted(&y, p->selector);
	ye_plain(&y, "types");
	ye_seq(&y, 1);
	if (p->types & PSET_INGRESS)
		ye_plain(&y, "Ingress");
	if (p->types & PSET_EGRESS)
		ye_plain(&y, "Egress");
	ye_seq(&y, 0);
	if (p->ningress > 0) {
		ye_plain(&y, "ingress");
		ye_seq(&y, 1);
		for (i = 0; i < p->ningress; i++)
			emit_rule(&y, &p->ingress[i]);
		ye_seq(&y, 0);
	}
	if (p->negress > 0) {
		ye_plain(&y, "egress");
		ye_seq(&y, 1);
		for (i = 0; i < p->negress; i++)
			emit_rule(&y, &p->egress[i]);
		ye_seq(&y, 0);
	}
	ye_map(&y, 0);	/* spec */
	ye_map(&y, 0);	/* document */
	return doc_end(&y, &b, "policy", p->name, text, len);
}

int
pset_render_netset(const char *name, const char *label_key,
    const char *label_value, char *const *nets, size_t nnets,
    const char *about, char **text, size_t *len)
{
	struct sbuf b = { 0 };
	struct ye y;
	size_t i;

	memset(&y, 0, sizeof(y));
	sb_str(&b, EMIT_HEADER_MARK " Do not edit: the next run rewrites it.\n");
	sb_str(&b, "# GlobalNetworkSet ");
	sb_comment_text(&b, name);
	sb_str(&b, ": ");
	sb_comment_text(&b, about);
	sb_str(&b, "\n");
	if (doc_begin(&y, &b) < 0)
		return -1;
	ye_map(&y, 1);
	ye_plain(&y, "apiVersion");
	ye_plain(&y, "projectcalico.org/v3");
	ye_plain(&y, "kind");
	ye_plain(&y, "GlobalNetworkSet");
	ye_plain(&y, "metadata");
	ye_map(&y, 1);
	ye_plain(&y, "name");
	ye_plain(&y, name);
	ye_plain(&y, "labels");
	ye_map(&y, 1);
	ye_plain(&y, label_key);
	ye_quoted(&y, label_value);
	ye_map(&y, 0);
	ye_map(&y, 0);
	ye_plain(&y, "spec");
	ye_map(&y, 1);
	ye_plain(&y, "nets");
	ye_seq(&y, 1);
	for (i = 0; i < nnets; i++)
		ye_scalar(&y, nets[i], YAML_ANY_SCALAR_STYLE);
	ye_seq(&y, 0);
	ye_map(&y, 0);	/* spec */
	ye_map(&y, 0);	/* document */
	return doc_end(&y, &b, "network set", name, text, len);
}
