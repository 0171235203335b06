/*
 * libFuzzer harness for the pcap reader: the input is a whole capture file
 * (handed over through a memfd, since the reader maps a path), every record
 * goes through the decoder as the collector's replay does.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "collector/decode.h"
#include "collector/pcap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pcap_reader *r = NULL;
	struct decode_event ev;
	const uint8_t *rec;
	const char *why;
	size_t len, off, where, last = 0;
	int64_t ts;
	char path[64];
	int fd, n;

	if ((fd = memfd_create("fuzz.pcap", 0)) < 0)
		abort();
	if (size > 0 && write(fd, data, size) != (ssize_t)size)
		abort();
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if (pcap_open(&r, path) == 0) {
		while ((n = pcap_next(r, &rec, &len, &ts, &off)) > 0) {
			if (off < last || off + PCAP_RECHDR + len > size)
				abort();	/* offsets advance, records lie inside */
			last = off + 1;
			(void)decode_nflog(rec, len, pcap_decode_flags(r), &ev, &why,
			    &where);
		}
		pcap_free(r);
	}
	close(fd);
	return 0;
}
