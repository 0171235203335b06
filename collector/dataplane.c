#include <dirent.h>
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>

#include "common/err.h"
#include "collector/dataplane.h"
#include "common/banned.h"

static const char *const bpf_devices[] = { "bpfin.cali", "bpfout.cali" };

int
dp_calico_bpf(const char *bpf_globals, char *evidence, size_t len)
{
	struct dirent *de;
	DIR *d;
	size_t i;
	int found = 0;

	for (i = 0; i < sizeof(bpf_devices) / sizeof(bpf_devices[0]); i++) {
		if (if_nametoindex(bpf_devices[i]) != 0) {
			snprintf(evidence, len, "device '%s'", bpf_devices[i]);
			return 1;
		}
		if (errno != ENODEV && errno != ENXIO)
			return fp_error("collect: looking for device '%s': %s",
			    bpf_devices[i], strerror(errno));
	}
	if (bpf_globals == NULL || (d = opendir(bpf_globals)) == NULL)
		return 0;	/* no BPF filesystem here: nothing pinned to see */
	while (!found && (de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, "cali_", 5) == 0) {
			snprintf(evidence, len, "pinned map '%s/%.64s'",
			    bpf_globals, de->d_name);
			found = 1;
		}
	}
	closedir(d);
	return found;
}
