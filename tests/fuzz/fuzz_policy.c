/*
 * libFuzzer harness for the policy reader (policy/reader.c): YAML/JSON
 * bytes as a policy file. A set that reads is also prepared and evaluated
 * against a few fixed flows, so the compiler and evaluator see whatever
 * the reader accepts. Built by fp_fuzz_harness (tests/CMakeLists.txt).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "policy/evaluate.h"
#include "review/explain.h"
#include "policy/reader.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
flow(struct pe_policyset *ps, const char *a, const char *b, const char *pp)
{
	struct pe_endpoint s, d;
	struct pe_flow f;
	struct pe_verdict v;

	pe_endpoint_init(&s);
	pe_endpoint_init(&d);
	memset(&f, 0, sizeof(f));
	if (pe_resolve_endpoint(NULL, a, &s) == 0 &&
	    pe_resolve_endpoint(NULL, b, &d) == 0 &&
	    pe_parse_proto_port(pp, &f) == 0) {
		f.src = &s;
		f.dst = &d;
		if (pe_evaluate(ps, &f, 0, &v) == 0 &&
		    v.allowed != (v.egress.allowed && v.ingress.allowed))
			abort();
		(void)pe_evaluate(ps, &f, PE_EVAL_STAGED, &v);
	}
	pe_endpoint_release(&s);
	pe_endpoint_release(&d);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pe_policyset ps = PE_POLICYSET_INIT;
	size_t i, j;

	if (size > 65536)
		return 0;
	if (pe_read_buffer(&ps, "fuzz.yaml", (const char *)data, size) == 0 &&
	    pe_policyset_prepare(&ps, PE_TYPES_API) == 0) {
		flow(&ps, "ns:a,app=web,ip:10.0.0.1", "ns:b,app=db,ip:10.0.0.2,"
		    "port:http/tcp/80", "tcp/80");
		flow(&ps, "ns:a,nslabel:env=prod,sa:api", "external:198.51.100.7",
		    "udp/53");
		flow(&ps, "external:fd00::1", "ns:b,ip:fd00::2", "icmpv6/128/0");
		for (i = 0; i < ps.n_policies; i++)
			for (j = 0; j < ps.policies[i].n_ingress; j++)
				free(pe_rule_format(&ps.policies[i].ingress[j]));
	}
	pe_policyset_release(&ps);
	fp_error_clear();
	return 0;
}

