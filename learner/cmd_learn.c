#include <string.h>

#include "commands.h"
#include "common/err.h"
#include "common/banned.h"

int
cmd_inventory(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--help") == 0)
		return 0;
	return fp_fail("inventory: not implemented yet");
}

int
cmd_learn(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--help") == 0)
		return 0;
	return fp_fail("learn: not implemented yet");
}

int
cmd_workloads(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--help") == 0)
		return 0;
	return fp_fail("workloads: not implemented yet");
}

int
cmd_edges(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--help") == 0)
		return 0;
	return fp_fail("edges: not implemented yet");
}

int
cmd_status(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--help") == 0)
		return 0;
	return fp_fail("status: not implemented yet");
}

