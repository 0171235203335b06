#include <string.h>

#include "commands.h"
#include "common/err.h"
#include "common/banned.h"

int
cmd_emit(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--help") == 0)
		return 0;
	return fp_fail("emit: not implemented yet");
}

int
cmd_report(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--help") == 0)
		return 0;
	return fp_fail("report: not implemented yet");
}

