#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/ipaddr.h"
#include "common/proto.h"
#include "store/store.h"
#include "policy/k8snp.h"
#include "review/explain.h"
#include "common/banned.h"

/* --- resolving endpoints --------------------------------------------- */

static int
set_str(char **dst, const char *s)
{
	free(*dst);
	if ((*dst = strdup(s)) == NULL)
		return fp_error("out of memory");
	return 0;
}

static int
parse_named_port(struct pe_endpoint *ep, const char *v)
{
	char name[64], proto[32];
	int port, p;
	char extra;

	if (sscanf(v, "%63[^/]/%31[^/]/%d%c", name, proto, &port, &extra) != 3
	    || (p = fp_proto_parse(proto)) < 0 || port < 1 || port > 65535)
		return fp_error("'port:%s': want port:NAME/PROTO/NUMBER",
		    fp_clamp(v, 64));
	return pe_endpoint_add_named_port(ep, name, p, port);
}

static int
parse_spec(const char *arg, struct pe_endpoint *ep)
{
	char *copy = strdup(arg), *item, *next;
	int ret = -1;

	if (copy == NULL)
		return fp_error("out of memory");
	ep->kind = PE_EP_POD;
	for (item = copy; item != NULL; item = next) {
		if ((next = strchr(item, ',')) != NULL)
			*next++ = '\0';
		if (*item == '\0')
			continue;
		if (strncmp(item, "ns:", 3) == 0) {
			if (set_str(&ep->namespace, item + 3) < 0)
				goto out;
		} else if (strncmp(item, "sa:", 3) == 0) {
			if (set_str(&ep->service_account, item + 3) < 0)
				goto out;
		} else if (strncmp(item, "ip:", 3) == 0) {
			if (fp_ip_parse(&ep->ip, item + 3) < 0) {
				fp_error("'%s': not an IP address",
				    fp_clamp(item + 3, 64));
				goto out;
			}
			ep->has_ip = 1;
		} else if (strncmp(item, "nslabel:", 8) == 0) {
			if (labels_parse_pair(&ep->ns_labels, item + 8) < 0)
				goto out;
		} else if (strncmp(item, "salabel:", 8) == 0) {
			if (labels_parse_pair(&ep->sa_labels, item + 8) < 0)
				goto out;
		} else if (strncmp(item, "port:", 5) == 0) {
			if (parse_named_port(ep, item + 5) < 0)
				goto out;
		} else if (strchr(item, '=') != NULL) {
			if (labels_parse_pair(&ep->labels, item) < 0)
				goto out;
		} else {
			fp_error("'%s': want ns:, sa:, ip:, nslabel:, salabel:, "
			    "port: or KEY=VALUE", fp_clamp(item, 64));
			goto out;
		}
	}
	if (ep->namespace == NULL || *ep->namespace == '\0') {
		fp_error("a label spec needs ns:NAMESPACE");
		goto out;
	}
	if (set_str(&ep->name, arg) < 0)
		goto out;
	ret = 0;
out:
	free(copy);
	return ret;
}

static int
load_ns_labels(struct store *st, struct pe_endpoint *ep)
{
	sqlite3_stmt *q = NULL;
	int rc, ret = -1;

	if (store_prepare(st, &q, "SELECT labels FROM namespaces "
	    "WHERE name = ?1") < 0)
		return -1;
	sqlite3_bind_text(q, 1, ep->namespace, -1, SQLITE_STATIC);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW) {
		const char *l = (const char *)sqlite3_column_text(q, 0);

		if (l != NULL && labels_parse_lines(&ep->ns_labels, l) < 0) {
			fp_error_prefix("namespace '%s'",
			    fp_clamp(ep->namespace, 64));
			goto out;
		}
	} else if (rc != SQLITE_DONE) {
		store_sqlerr(st, "namespaces");
		goto out;
	}
	ret = 0;
out:
	sqlite3_finalize(q);
	return ret;
}

/* The pod's current (else latest) IP, if any. */
static int
load_pod_ip(struct store *st, const char *uid, struct pe_endpoint *ep)
{
	sqlite3_stmt *q = NULL;
	int rc, ret = -1;

	if (store_prepare(st, &q, "SELECT ip FROM endpoints WHERE "
	    "owner_kind = 'pod' AND owner = ?1 "
	    "ORDER BY valid_to IS NULL DESC, valid_from DESC LIMIT 1") < 0)
		return -1;
	sqlite3_bind_text(q, 1, uid, -1, SQLITE_STATIC);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW) {
		if (fp_ip_from_blob(&ep->ip, sqlite3_column_blob(q, 0),
		    (size_t)sqlite3_column_bytes(q, 0)) == 0)
			ep->has_ip = 1;
	} else if (rc != SQLITE_DONE) {
		store_sqlerr(st, "endpoints");
		goto out;
	}
	ret = 0;
out:
	sqlite3_finalize(q);
	return ret;
}

/*
 * Load one pod row selected by sql (bound with a and b) into ep.
 * Returns 1 found, 0 not found, -1 error.
 */
static int
load_pod(struct store *st, const char *sql, const char *a, const char *b,
    struct pe_endpoint *ep)
{
	sqlite3_stmt *q = NULL;
	int rc, ret = -1;
	char *uid = NULL;

	if (store_prepare(st, &q, sql) < 0)
		return -1;
	sqlite3_bind_text(q, 1, a, -1, SQLITE_STATIC);
	if (b != NULL)
		sqlite3_bind_text(q, 2, b, -1, SQLITE_STATIC);
	rc = sqlite3_step(q);
	if (rc == SQLITE_DONE) {
		ret = 0;
		goto out;
	}
	if (rc != SQLITE_ROW) {
		store_sqlerr(st, "pods");
		goto out;
	}
	/* uid, namespace, name, service_account, labels, host_network */
	if (set_str(&uid, (const char *)sqlite3_column_text(q, 0)) < 0 ||
	    set_str(&ep->namespace, (const char *)sqlite3_column_text(q, 1)) < 0 ||
	    set_str(&ep->name, (const char *)sqlite3_column_text(q, 2)) < 0 ||
	    set_str(&ep->service_account,
	    (const char *)sqlite3_column_text(q, 3)) < 0)
		goto out;
	ep->kind = sqlite3_column_int(q, 5) ? PE_EP_NODE : PE_EP_POD;
	if (labels_parse_lines(&ep->labels,
	    (const char *)sqlite3_column_text(q, 4)) < 0) {
		fp_error_prefix("pod '%s/%s'", fp_clamp(ep->namespace, 64),
		    fp_clamp(ep->name, 64));
		goto out;
	}
	sqlite3_finalize(q);
	q = NULL;
	if (load_ns_labels(st, ep) < 0 || load_pod_ip(st, uid, ep) < 0)
		goto out;
	ret = 1;
out:
	free(uid);
	sqlite3_finalize(q);
	return ret;
}

#define POD_COLS "SELECT uid, namespace, name, service_account, labels, " \
	"host_network FROM pods "

static int
resolve_ip(struct store *st, const char *arg, struct pe_endpoint *ep)
{
	sqlite3_stmt *q = NULL;
	unsigned char blob[16];
	int rc, ret = -1, found;
	char *owner = NULL, *kind = NULL;

	if (fp_ip_parse(&ep->ip, arg) < 0)
		return fp_error("'%s': not an IP address", fp_clamp(arg, 64));
	ep->has_ip = 1;
	ep->kind = PE_EP_EXTERNAL;
	if (set_str(&ep->name, arg) < 0)
		return -1;
	if (st == NULL)
		return 0;
	memcpy(blob, ep->ip.a, ep->ip.len);
	if (store_prepare(st, &q, "SELECT owner_kind, owner FROM endpoints "
	    "WHERE ip = ?1 ORDER BY valid_to IS NULL DESC, valid_from DESC "
	    "LIMIT 1") < 0)
		return -1;
	sqlite3_bind_blob(q, 1, blob, ep->ip.len, SQLITE_STATIC);
	rc = sqlite3_step(q);
	if (rc == SQLITE_DONE) {
		ret = 0;
		goto out;
	}
	if (rc != SQLITE_ROW) {
		store_sqlerr(st, "endpoints");
		goto out;
	}
	if (set_str(&kind, (const char *)sqlite3_column_text(q, 0)) < 0 ||
	    set_str(&owner, (const char *)sqlite3_column_text(q, 1)) < 0)
		goto out;
	sqlite3_finalize(q);
	q = NULL;
	if (strcmp(kind, "node") == 0) {
		ep->kind = PE_EP_NODE;
		ret = set_str(&ep->name, owner);
		goto out;
	}
	found = load_pod(st, POD_COLS "WHERE uid = ?1", owner, NULL, ep);
	if (found < 0)
		goto out;
	/* The IP asked about wins over the pod's latest one. */
	fp_ip_parse(&ep->ip, arg);
	ep->has_ip = 1;
	ret = 0;
out:
	free(owner);
	free(kind);
	sqlite3_finalize(q);
	return ret;
}

int
pe_endpoint_load_pod(struct store *st, const char *uid,
    struct pe_endpoint *ep)
{
	int ret = load_pod(st, POD_COLS "WHERE uid = ?1", uid, NULL, ep);

	if (ret == 1 && pe_endpoint_prepare(ep) < 0)
		return -1;
	return ret;
}

int
pe_resolve_endpoint(struct store *st, const char *arg,
    struct pe_endpoint *ep)
{
	struct fp_ip ip;
	const char *slash;
	int ret;

	if (strncmp(arg, "node:", 5) == 0 || strncmp(arg, "external:", 9) == 0) {
		int node = arg[0] == 'n';
		const char *a = arg + (node ? 5 : 9);

		if (fp_ip_parse(&ep->ip, a) < 0)
			return fp_error("'%s': not an IP address",
			    fp_clamp(a, 64));
		ep->has_ip = 1;
		ep->kind = node ? PE_EP_NODE : PE_EP_EXTERNAL;
		if (set_str(&ep->name, arg) < 0)
			return -1;
		return pe_endpoint_prepare(ep);
	}
	if (fp_ip_parse(&ip, arg) == 0) {
		if (resolve_ip(st, arg, ep) < 0)
			return -1;
		return pe_endpoint_prepare(ep);
	}
	if (strchr(arg, '=') != NULL || strncmp(arg, "ns:", 3) == 0) {
		if (parse_spec(arg, ep) < 0)
			return -1;
		return pe_endpoint_prepare(ep);
	}
	slash = strchr(arg, '/');
	if (slash == NULL || slash == arg || slash[1] == '\0' ||
	    strchr(slash + 1, '/') != NULL)
		return fp_error("'%s': want NAMESPACE/NAME, an IP, node:IP, "
		    "external:IP or a label spec (ns:NAMESPACE,KEY=VALUE,...)",
		    fp_clamp(arg, 128));
	if (st == NULL)
		return fp_error("'%s': naming a workload or pod needs the "
		    "learned database (--db); or give a label spec "
		    "(ns:NAMESPACE,KEY=VALUE,...)", fp_clamp(arg, 128));
	{
		char *ns = strndup(arg, (size_t)(slash - arg));

		if (ns == NULL)
			return fp_error("out of memory");
		/* A workload: its pod with the lowest name stands for it. */
		ret = load_pod(st, POD_COLS "WHERE workload = ?1 "
		    "ORDER BY name LIMIT 1", arg, NULL, ep);
		if (ret == 1) {
			char *wl = strdup(arg);

			if (wl == NULL) {
				free(ns);
				return fp_error("out of memory");
			}
			free(ep->name);
			ep->name = wl;
		}
		if (ret == 0)
			ret = load_pod(st, POD_COLS "WHERE namespace = ?1 AND "
			    "name = ?2", ns, slash + 1, ep);
		free(ns);
	}
	if (ret < 0)
		return -1;
	if (ret == 0)
		return fp_error("'%s': no such workload or pod in '%s'",
		    fp_clamp(arg, 128), fp_clamp(store_path(st), 200));
	return pe_endpoint_prepare(ep);
}

int
pe_parse_proto_port(const char *s, struct pe_flow *f)
{
	char buf[64], *slash, *p2, *end;
	long port, code;
	int proto;

	if (strlen(s) >= sizeof(buf))
		return fp_error("'%s': want PROTO/PORT", fp_clamp(s, 64));
	memcpy(buf, s, strlen(s) + 1);
	if ((slash = strchr(buf, '/')) != NULL)
		*slash++ = '\0';
	if ((proto = fp_proto_parse(buf)) <= 0 && strcasecmp(buf, "udplite"))
		return fp_error("'%s': unknown protocol", fp_clamp(buf, 32));
	if (proto <= 0)
		proto = 136;
	f->proto = proto;
	f->dport = 0;
	f->icmp_type = f->icmp_code = -1;
	if (fp_proto_is_icmp(proto)) {
		if (slash == NULL)
			return 0;
		if ((p2 = strchr(slash, '/')) != NULL)
			*p2++ = '\0';
		errno = 0;
		port = strtol(slash, &end, 10);
		if (*slash == '\0' || *end || errno || port < 0 || port > 255)
			return fp_error("'%s': ICMP type must be 0..255",
			    fp_clamp(s, 64));
		f->icmp_type = (int)port;
		if (p2 != NULL) {
			code = strtol(p2, &end, 10);
			if (*p2 == '\0' || *end || code < 0 || code > 255)
				return fp_error("'%s': ICMP code must be "
				    "0..255", fp_clamp(s, 64));
			f->icmp_code = (int)code;
		}
		return 0;
	}
	if (!fp_proto_has_ports(proto)) {
		if (slash != NULL)
			return fp_error("'%s': protocol %d has no ports",
			    fp_clamp(s, 64), proto);
		return 0;
	}
	if (slash == NULL)
		return fp_error("'%s': want PROTO/PORT", fp_clamp(s, 64));
	errno = 0;
	port = strtol(slash, &end, 10);
	if (*slash == '\0' || *end || errno || port < 1 || port > 65535)
		return fp_error("'%s': port must be 1..65535", fp_clamp(s, 64));
	f->dport = (int)port;
	return 0;
}

/* --- printing --------------------------------------------------------- */

static void
print_endpoint(FILE *out, const struct pe_endpoint *ep)
{
	char buf[FP_IPSTRLEN];

	switch (ep->kind) {
	case PE_EP_POD:
		fprintf(out, "pod %s", ep->name ? ep->name : "?");
		if (ep->name && ep->namespace &&
		    strncmp(ep->name, "ns:", 3) != 0 &&
		    strncmp(ep->name, ep->namespace, strlen(ep->namespace)) != 0)
			fprintf(out, " in namespace %s", ep->namespace);
		break;
	case PE_EP_NODE:
		fprintf(out, "node %s", ep->name ? ep->name : "?");
		break;
	case PE_EP_EXTERNAL:
		fprintf(out, "external %s", ep->name ? ep->name : "?");
		break;
	}
	if (ep->has_ip && (ep->kind == PE_EP_POD || (ep->name &&
	    strcmp(ep->name, fp_ip_format(&ep->ip, buf)) != 0)))
		fprintf(out, " (%s)", fp_ip_format(&ep->ip, buf));
}

static void
print_policy(FILE *out, const char *label, const struct pe_policy *p)
{
	if (p->source_kind != NULL) {
		/* the object the user wrote, then what Calico made of it */
		const char *obj = pe_k8snp_object_name(p);

		fprintf(out, "  %s: %s %s%s%s (%s, %s:%d), as Calico %s %s%s%s\n",
		    label, p->source_kind, p->namespace ? p->namespace : "",
		    p->namespace ? "/" : "", obj, p->kind == PE_KNP ?
		    PE_K8SNP_API : "policy.networking.k8s.io", p->file,
		    p->line, obj == p->name ? pe_kind_name(p->kind) :
		    p->namespace ? "NetworkPolicy" : "GlobalNetworkPolicy",
		    p->namespace ? p->namespace : "", p->namespace ? "/" : "",
		    p->name);
		return;
	}
	fprintf(out, "  %s: %s %s%s%s (%s:%d)\n", label, pe_kind_name(p->kind),
	    p->namespace ? p->namespace : "", p->namespace ? "/" : "",
	    p->name, p->file, p->line);
}

static void
print_rule(FILE *out, const char *label, const struct pe_policy *p,
    int ingress, size_t i)
{
	const struct pe_rule *r = ingress ? &p->ingress[i] : &p->egress[i];
	char *t = pe_rule_format(r);

	fprintf(out, "  %s: %s[%zu] (%s:%d): %s\n", label,
	    ingress ? "ingress" : "egress", i, p->file, r->line,
	    t ? t : "?");
	free(t);
}

static void
print_decision(FILE *out, const char *dir, const struct pe_endpoint *ep,
    const struct pe_decision *d, int ingress)
{
	fprintf(out, "%s: %s\n", dir, d->why == PE_WHY_NO_ENDPOINT ?
	    "not evaluated" : d->allowed ? "allowed" : "denied");
	fputs("  endpoint: ", out);
	print_endpoint(out, ep);
	fputc('\n', out);
	switch (d->why) {
	case PE_WHY_NO_ENDPOINT:
		fputs("  decided by: no Calico endpoint (not a pod)\n", out);
		break;
	case PE_WHY_RULE:
		fputs("  decided by: rule\n", out);
		fprintf(out, "  tier: %s\n", d->tier->name);
		print_policy(out, "policy", d->policy);
		print_rule(out, "rule", d->policy, ingress, d->rule);
		break;
	case PE_WHY_END_OF_TIER:
		fprintf(out, "  decided by: end of tier %s (%zu polic%s "
		    "applied, no rule matched%s)\n", d->tier->name,
		    d->policies_applied, d->policies_applied == 1 ? "y" : "ies",
		    d->tier->valid ? "" : "; the tier does not exist, which "
		    "acts as Deny");
		fprintf(out, "  tier: %s\n", d->tier->name);
		break;
	case PE_WHY_PROFILE:
		fprintf(out, "  decided by: profile kns.%s (allow: %s)\n",
		    ep->namespace ? ep->namespace : "?",
		    d->pass_policy ? "every tier passed" :
		    d->policies_applied ? "every applicable tier has "
		    "defaultAction Pass" : "no policy applies");
		break;
	}
	if (d->pass_policy != NULL) {
		fprintf(out, "  passed in tier: %s\n", d->pass_tier->name);
		print_policy(out, "pass policy", d->pass_policy);
		print_rule(out, "pass rule", d->pass_policy, ingress,
		    d->pass_rule);
	}
	if (d->logs)
		fprintf(out, "  log rules matched: %zu\n", d->logs);
	if (d->uncertain)
		fputs("  note: some rule needed data flowpol does not have "
		    "(source port, named ports, services) or that is not "
		    "modelled (HTTP); the result is approximate\n", out);
}

void
pe_explain_print(FILE *out, const struct pe_flow *f,
    const struct pe_verdict *v)
{
	char pbuf[16];

	fputs("flow: ", out);
	print_endpoint(out, f->src);
	fputs(" -> ", out);
	print_endpoint(out, f->dst);
	fprintf(out, " %s", fp_proto_name(f->proto, pbuf, sizeof(pbuf)));
	if (fp_proto_is_icmp(f->proto) && f->icmp_type >= 0) {
		fprintf(out, "/%d", f->icmp_type);
		if (f->icmp_code >= 0)
			fprintf(out, "/%d", f->icmp_code);
	} else if (f->dport > 0) {
		fprintf(out, "/%d", f->dport);
	}
	fputc('\n', out);
	fprintf(out, "verdict: %s\n", v->allowed ? "allowed" : "denied");
	print_decision(out, "egress", f->src, &v->egress, 0);
	print_decision(out, "ingress", f->dst, &v->ingress, 1);
}
