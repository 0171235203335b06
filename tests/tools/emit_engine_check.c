/*
 * Test tool: the least-privilege proof through the policy engine.
 *
 *   emit_engine_check ENDPOINTS.tsv PROBES.tsv POLICYPATH...
 *
 * Reads the emitted policies with the engine's reader (which parses every
 * selector with the engine's selector parser and rejects what Calico's
 * validator would), then evaluates every probe written by emit_proof.py
 * (src, dst, family, proto, port, expected allow/deny) with pe_evaluate and
 * reports each verdict that differs from the expectation, or that the
 * engine could not decide exactly. Exit 0 all agree, 1 a counterexample,
 * 2 an error.
 *
 * ENDPOINTS.tsv: key, kind (pod|node|external), namespace, ip,
 * labels "k=v,k=v", namespace labels "k=v,...", and optionally the pod's
 * named ports "name/proto/port,..." (then they count as known).
 *
 * "-V VERSION" first reads and evaluates for that Calico release
 * (policy/calver.h), as the peer suites do.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/ipaddr.h"
#include "policy/calver.h"
#include "policy/evaluate.h"
#include "policy/reader.h"
#include "common/banned.h"

struct ep {
	char *key;
	struct pe_endpoint e;
};

static struct ep *eps;
static size_t neps;

/* Split s at tabs in place; returns the field count (at most max). */
static size_t
split(char *s, char **f, size_t max, int sep)
{
	size_t n = 0;

	f[n++] = s;
	while (n < max && (s = strchr(s, sep)) != NULL) {
		*s++ = '\0';
		f[n++] = s;
	}
	return n;
}

static int
add_labels(struct labels *l, char *text)
{
	char *f[256];
	size_t n, i;

	if (*text == '\0')
		return 0;
	n = split(text, f, 256, ',');
	for (i = 0; i < n; i++)
		if (labels_parse_pair(l, f[i]) < 0)
			return -1;
	return 0;
}

/* "name/proto/port,...": the pod's named ports, now known. */
static int
add_named_ports(struct pe_endpoint *e, char *text)
{
	char *f[256], *p[3];
	size_t n, i;

	e->named_ports_known = 1;
	if (*text == '\0')
		return 0;
	n = split(text, f, 256, ',');
	for (i = 0; i < n; i++)
		if (split(f[i], p, 3, '/') != 3 ||
		    pe_endpoint_add_named_port(e, p[0], atoi(p[1]),
		    atoi(p[2])) < 0)
			return fp_error("bad named port '%s'", f[i]);
	return 0;
}

static struct pe_endpoint *
find(const char *key)
{
	size_t i;

	for (i = 0; i < neps; i++)
		if (strcmp(eps[i].key, key) == 0)
			return &eps[i].e;
	return NULL;
}

static int
read_endpoints(const char *path)
{
	char line[8192], *f[7];
	FILE *fp = fopen(path, "r");
	size_t nf;
	struct ep *v;
	int ret = -1;

	if (fp == NULL)
		return fp_error("'%s': cannot open", path);
	while (fgets(line, sizeof(line), fp) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		if ((nf = split(line, f, 7, '\t')) < 6) {
			fp_error("'%s': bad line", path);
			goto out;
		}
		if ((v = realloc(eps, (neps + 1) * sizeof(*v))) == NULL)
			goto out;
		eps = v;
		v = &eps[neps++];
		memset(v, 0, sizeof(*v));
		pe_endpoint_init(&v->e);
		v->key = strdup(f[0]);
		if (strcmp(f[1], "pod") == 0) {
			v->e.kind = PE_EP_POD;
			v->e.namespace = strdup(f[2]);
			v->e.name = strdup(f[0]);
			if (add_labels(&v->e.labels, f[4]) < 0 ||
			    add_labels(&v->e.ns_labels, f[5]) < 0 ||
			    (nf == 7 && add_named_ports(&v->e, f[6]) < 0))
				goto out;
		} else {
			v->e.kind = strcmp(f[1], "node") == 0 ? PE_EP_NODE :
			    PE_EP_EXTERNAL;
			v->e.name = strdup(f[0]);
			if (fp_ip_parse(&v->e.ip, f[3]) < 0) {
				fp_error("'%s': bad ip '%s'", path, f[3]);
				goto out;
			}
			v->e.has_ip = 1;
		}
		if (pe_endpoint_prepare(&v->e) < 0)
			goto out;
	}
	ret = 0;
out:
	fclose(fp);
	return ret;
}

int
main(int argc, char **argv)
{
	struct pe_policyset ps = PE_POLICYSET_INIT;
	struct pe_verdict v;
	struct pe_flow fl;
	char line[1024], *f[6];
	FILE *fp = NULL;
	size_t n = 0, bad = 0, unsure = 0, i;
	int k, ret = 2, want, proto, port;

	if (argc > 2 && strcmp(argv[1], "-V") == 0) {
		if (pe_calver_parse(argv[2], &ps.calico_version) < 0) {
			fp_report();
			return 2;
		}
		argv += 2;
		argc -= 2;
	}
	if (argc < 4) {
		fprintf(stderr, "usage: emit_engine_check [-V VERSION] ENDPOINTS "
		    "PROBES POLICYPATH...\n");
		return 2;
	}
	for (k = 3; k < argc; k++)
		if (pe_read_path(&ps, argv[k]) < 0)
			goto out;
	if (pe_policyset_prepare(&ps, PE_TYPES_API) < 0 ||
	    read_endpoints(argv[1]) < 0)
		goto out;
	if ((fp = fopen(argv[2], "r")) == NULL) {
		fp_error("'%s': cannot open", argv[2]);
		goto out;
	}
	while (fgets(line, sizeof(line), fp) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		if (split(line, f, 6, '\t') != 6) {
			fp_error("'%s': bad probe line", argv[2]);
			goto out;
		}
		memset(&fl, 0, sizeof(fl));
		if ((fl.src = find(f[0])) == NULL || (fl.dst = find(f[1])) == NULL) {
			fp_error("'%s': unknown endpoint in probe", argv[2]);
			goto out;
		}
		fl.family = atoi(f[2]);
		proto = atoi(f[3]);
		port = atoi(f[4]);
		want = strcmp(f[5], "allow") == 0;
		fl.proto = proto;
		fl.icmp_type = fl.icmp_code = -1;
		if (proto == 1 || proto == 58) {
			fl.icmp_type = port >> 8;
			fl.icmp_code = port & 0xff;
		} else if (proto == 6 || proto == 17 || proto == 132 || proto == 136) {
			fl.dport = port;
		}
		if (pe_evaluate(&ps, &fl, 0, &v) < 0)
			goto out;
		n++;
		if (v.egress.uncertain || v.ingress.uncertain) {
			if (unsure++ < 20)
				printf("undecided: %s -> %s proto %d port %d\n", f[0],
				    f[1], proto, port);
		}
		if (v.allowed != want) {
			if (bad++ < 20)
				printf("counterexample: %s -> %s proto %d port %d: want %s, "
				    "engine says %s (egress %s%s, ingress %s%s)\n", f[0], f[1],
				    proto, port, want ? "allow" : "deny",
				    v.allowed ? "allow" : "deny",
				    v.egress.allowed ? "allow" : "deny",
				    v.egress.policy ? v.egress.policy->name : "",
				    v.ingress.allowed ? "allow" : "deny",
				    v.ingress.policy ? v.ingress.policy->name : "");
		}
	}
	printf("emit_engine_check: %zu probes, %zu policies, %zu counterexamples, "
	    "%zu undecided\n", n, ps.n_policies, bad, unsure);
	ret = bad || unsure || n == 0 ? 1 : 0;
out:
	if (ret == 2)
		fp_report();
	if (fp != NULL)
		fclose(fp);
	for (i = 0; i < neps; i++) {
		free(eps[i].key);
		pe_endpoint_release(&eps[i].e);
	}
	free(eps);
	pe_policyset_release(&ps);
	return ret;
}
