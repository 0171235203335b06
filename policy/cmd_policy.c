#include <string.h>

#include "commands.h"
#include "common/err.h"
#include "common/banned.h"

int
cmd_selector(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--help") == 0)
		return 0;
	return fp_fail("selector: not implemented yet");
}

int
cmd_explain(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--help") == 0)
		return 0;
	return fp_fail("explain: not implemented yet");
}

int
cmd_diff(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--help") == 0)
		return 0;
	return fp_fail("diff: not implemented yet");
}

