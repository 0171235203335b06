/*
 * libFuzzer harness for the NFLOG/IP decoder: any bytes as one NFLOG event,
 * in both attribute byte orders. The first byte picks the order so that
 * the corpus can hold both.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "collector/decode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct decode_event ev;
	const char *why = NULL;
	size_t where = 0;
	enum decode_result r;

	if (size < 1)
		return 0;
	r = decode_nflog(data + 1, size - 1, (data[0] & 1) ? DECODE_SWAP_TLV : 0,
	    &ev, &why, &where);
	if (r == DECODE_MALFORMED && (why == NULL || where > size - 1))
		abort();	/* a reason and an offset inside the input, always */
	if (r == DECODE_OK && ev.family != 4 && ev.family != 6)
		abort();
	r = decode_packet(data + 1, size - 1, &ev, &why, &where);
	if (r == DECODE_MALFORMED && (why == NULL || where > size - 1))
		abort();
	return 0;
}
