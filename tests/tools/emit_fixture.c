/*
 * Test tool: build a flowpol store for the emitter's script tests.
 *   emit_fixture DB FILE.sql...        create DB, run each SQL file
 *   emit_fixture --generate SEED DB [ROLLOUT]
 *                                      create DB with a generated cluster;
 *                                      ROLLOUT > 0: the same cluster after
 *                                      a rollout (new pods, same workloads)
 * Exit 0 on success, 2 on error (message on stderr).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/fileio.h"
#include "store/store.h"
#include "tests/emitter_gen.h"
#include "common/banned.h"

int
main(int argc, char **argv)
{
	struct store *st = NULL;
	char *sql = NULL;
	size_t len;
	int i, ret = 2;

	if (argc >= 4 && strcmp(argv[1], "--generate") == 0) {
		if (store_open(&st, argv[3], STORE_CREATE) < 0 ||
		    gen_cluster_rollout(st, (unsigned)strtoul(argv[2], NULL, 10),
		    argc > 4 ? atoi(argv[4]) : 0, NULL) < 0)
			goto out;
		ret = 0;
		goto out;
	}
	if (argc < 2) {
		fprintf(stderr, "usage: emit_fixture DB FILE.sql... | --generate SEED DB [ROLLOUT]\n");
		return 2;
	}
	if (store_open(&st, argv[1], STORE_CREATE) < 0)
		goto out;
	for (i = 2; i < argc; i++) {
		free(sql);
		sql = NULL;
		if (fp_read_file(argv[i], 16 << 20, &sql, &len) < 0 ||
		    store_exec(st, sql) < 0)
			goto out;
	}
	ret = 0;
out:
	if (ret != 0)
		fp_report();
	free(sql);
	store_free(st);
	return ret;
}
