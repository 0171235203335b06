#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "collector/decode.h"
#include "collector/pcap.h"
#include "common/err.h"
#include "common/hash.h"
#include "common/sha256.h"
#include "common/banned.h"

#define PCAP_MAGIC_US 0xa1b2c3d4u
#define PCAP_MAGIC_NS 0xa1b23c4du
#define PCAPNG_MAGIC 0x0a0d0d0au
#define PCAP_FILEHDR 24
/*
 * Pages already read are given back every this many bytes, so a large
 * capture does not count against the collector's memory (its RSS).
 */
#define PCAP_RELEASE_CHUNK (8u * 1024 * 1024)
/* A record larger than this is corruption, whatever the snaplen claims. */
#define PCAP_MAX_RECORD (256 * 1024)

struct pcap_reader {
	char *path;
	const uint8_t *map;
	size_t size;
	size_t off;
	size_t dropped;		/* bytes before this are released from memory */
	int swapped;		/* file byte order differs from ours */
	int nanosec;
};

static uint32_t
rd32(const struct pcap_reader *r, const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return r->swapped ? __builtin_bswap32(v) : v;
}

const char *
pcap_path(const struct pcap_reader *r)
{
	return r->path;
}

#define PCAP_FINGERPRINT_SAMPLE ((size_t)1 << 20)

uint64_t
pcap_fingerprint_v1(const struct pcap_reader *r)
{
	size_t n = r->size < PCAP_FINGERPRINT_SAMPLE ? r->size :
	    PCAP_FINGERPRINT_SAMPLE;
	uint64_t h = fp_fnv1a64(r->map, n);

	if (r->size > PCAP_FINGERPRINT_SAMPLE)
		h = fp_fnv1a64_add(h, r->map + r->size - PCAP_FINGERPRINT_SAMPLE,
		    PCAP_FINGERPRINT_SAMPLE);
	return h;
}

void
pcap_fingerprint(const struct pcap_reader *r, char hex[SHA256_HEXLEN])
{
	struct sha256 c;
	uint8_t d[SHA256_LEN];
	size_t off, n;

	sha256_init(&c);
	for (off = 0; off < r->size; off += n) {
		n = r->size - off < PCAP_FINGERPRINT_SAMPLE ? r->size - off :
		    PCAP_FINGERPRINT_SAMPLE;
		sha256_update(&c, r->map + off, n);
	}
	sha256_final(&c, d);
	sha256_tohex(d, hex);
}

size_t
pcap_size(const struct pcap_reader *r)
{
	return r->size;
}

int
pcap_decode_flags(const struct pcap_reader *r)
{
	return r->swapped ? DECODE_SWAP_TLV : 0;
}

void
pcap_free(struct pcap_reader *r)
{
	if (r == NULL)
		return;
	if (r->map != NULL && r->size > 0)
		munmap((void *)r->map, r->size);
	free(r->path);
	free(r);
}

static int
check_header(struct pcap_reader *r)
{
	uint32_t magic, linktype;
	uint16_t major;

	if (r->size < PCAP_FILEHDR)
		return fp_error("pcap '%s': byte offset 0: file header truncated "
		    "(%zu of 24 bytes)", r->path, r->size);
	memcpy(&magic, r->map, 4);
	if (magic == PCAP_MAGIC_US || magic == PCAP_MAGIC_NS) {
		r->swapped = 0;
	} else if (__builtin_bswap32(magic) == PCAP_MAGIC_US ||
	    __builtin_bswap32(magic) == PCAP_MAGIC_NS) {
		r->swapped = 1;
		magic = __builtin_bswap32(magic);
	} else if (magic == PCAPNG_MAGIC) {
		return fp_error("pcap '%s': byte offset 0: pcapng is not "
		    "supported; write classic pcap (tcpdump -w)", r->path);
	} else {
		return fp_error("pcap '%s': byte offset 0: not a pcap file "
		    "(magic 0x%08x)", r->path, magic);
	}
	r->nanosec = magic == PCAP_MAGIC_NS;
	memcpy(&major, r->map + 4, 2);
	if (r->swapped)
		major = __builtin_bswap16(major);
	if (major != 2)
		return fp_error("pcap '%s': byte offset 4: unsupported pcap "
		    "version %u", r->path, major);
	/* The upper bits of the link type field carry FCS information. */
	linktype = rd32(r, r->map + 20) & 0x0fffffff;
	if (linktype != PCAP_LINKTYPE_NFLOG)
		return fp_error("pcap '%s': byte offset 20: link type %u is not "
		    "LINKTYPE_NFLOG (239); capture with tcpdump -i nflog:GROUP",
		    r->path, linktype);
	r->off = PCAP_FILEHDR;
	return 0;
}

int
pcap_open(struct pcap_reader **out, const char *path)
{
	struct pcap_reader *r = NULL;
	struct stat sb;
	void *m;
	int fd = -1, ret = -1;

	if ((r = calloc(1, sizeof(*r))) == NULL ||
	    (r->path = strdup(path)) == NULL) {
		fp_error("pcap '%s': out of memory", path);
		goto out;
	}
	/* O_NONBLOCK: opening a FIFO must not wait for a writer. */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) < 0 ||
	    fstat(fd, &sb) < 0) {
		fp_error("pcap '%s': %s", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(sb.st_mode)) {
		fp_error("pcap '%s': not a regular file (%s): captures are "
		    "mapped into memory; write it to a file first", path,
		    S_ISFIFO(sb.st_mode) ? "a FIFO" : S_ISDIR(sb.st_mode) ?
		    "a directory" : S_ISCHR(sb.st_mode) ? "a device" : "special");
		goto out;
	}
	r->size = (size_t)sb.st_size;
	if (r->size > 0) {
		m = mmap(NULL, r->size, PROT_READ, MAP_PRIVATE, fd, 0);
		if (m == MAP_FAILED) {
			fp_error("pcap '%s': %s", path, strerror(errno));
			r->size = 0;
			goto out;
		}
		r->map = m;
		/* One pass front to back: let the kernel read ahead. */
		madvise(m, r->size, MADV_SEQUENTIAL);
	}
	if (check_header(r) < 0)
		goto out;
	*out = r;
	r = NULL;
	ret = 0;
out:
	if (fd >= 0)
		close(fd);
	pcap_free(r);
	return ret;
}

int
pcap_next(struct pcap_reader *r, const uint8_t **data, size_t *len,
    int64_t *ts_us, size_t *offset)
{
	const uint8_t *h;
	uint32_t sec, frac, incl, orig;
	size_t left = r->size - r->off;

	if (left == 0)
		return 0;
	*offset = r->off;
	if (left < PCAP_RECHDR)
		return fp_error("pcap '%s': byte offset %zu: record header "
		    "truncated (%zu of 16 bytes)", r->path, r->off, left);
	h = r->map + r->off;
	sec = rd32(r, h);
	frac = rd32(r, h + 4);
	incl = rd32(r, h + 8);
	orig = rd32(r, h + 12);
	if (frac >= (r->nanosec ? 1000000000u : 1000000u))
		return fp_error("pcap '%s': byte offset %zu: corrupt record: "
		    "timestamp fraction %u out of range", r->path, r->off + 4,
		    frac);
	if (incl > PCAP_MAX_RECORD || incl > orig)
		return fp_error("pcap '%s': byte offset %zu: corrupt record: "
		    "captured length %u (original %u)", r->path, r->off + 8,
		    incl, orig);
	if (incl > left - PCAP_RECHDR)
		return fp_error("pcap '%s': byte offset %zu: record truncated "
		    "(%zu of %u bytes)", r->path, r->off + PCAP_RECHDR,
		    left - PCAP_RECHDR, incl);
	*data = h + PCAP_RECHDR;
	*len = incl;
	*ts_us = (int64_t)sec * 1000000 +
	    (r->nanosec ? (int64_t)(frac / 1000) : (int64_t)frac);
	r->off += PCAP_RECHDR + incl;
	if (r->off - r->dropped >= 2 * PCAP_RELEASE_CHUNK) {
		/* Read-only file pages: dropping them loses nothing. */
		(void)madvise((void *)(r->map + r->dropped), PCAP_RELEASE_CHUNK,
		    MADV_DONTNEED);
		r->dropped += PCAP_RELEASE_CHUNK;
	}
	return 1;
}
