#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "common/ipaddr.h"
#include "common/banned.h"

int
fp_ip_parse(struct fp_ip *ip, const char *s)
{
	memset(ip, 0, sizeof(*ip));
	if (inet_pton(AF_INET, s, ip->a) == 1) {
		ip->len = 4;
		return 0;
	}
	if (inet_pton(AF_INET6, s, ip->a) == 1) {
		ip->len = 16;
		return 0;
	}
	return -1;
}

int
fp_ip_from_blob(struct fp_ip *ip, const void *blob, size_t len)
{
	memset(ip, 0, sizeof(*ip));
	if ((len != 4 && len != 16) || blob == NULL)
		return -1;
	memcpy(ip->a, blob, len);
	ip->len = (uint8_t)len;
	return 0;
}

const char *
fp_ip_format(const struct fp_ip *ip, char *buf)
{
	if (inet_ntop(ip->len == 4 ? AF_INET : AF_INET6, ip->a, buf,
	    FP_IPSTRLEN) == NULL) {
		buf[0] = '?';
		buf[1] = '\0';
	}
	return buf;
}

int
fp_ip_cmp(const struct fp_ip *a, const struct fp_ip *b)
{
	if (a->len != b->len)
		return a->len < b->len ? -1 : 1;
	return memcmp(a->a, b->a, a->len);
}

int
fp_ip_in_net(const struct fp_ip *ip, const struct fp_ip *net, int prefix)
{
	int full, rem;

	if (ip->len != net->len || prefix < 0 || prefix > ip->len * 8)
		return 0;
	full = prefix / 8;
	rem = prefix % 8;
	if (memcmp(ip->a, net->a, (size_t)full) != 0)
		return 0;
	if (rem == 0)
		return 1;
	return ((ip->a[full] ^ net->a[full]) & (0xff << (8 - rem)) & 0xff) == 0;
}

int
fp_cidr_parse(struct fp_ip *net, int *prefix, const char *s)
{
	char buf[64];
	const char *slash = strchr(s, '/');
	size_t n = slash ? (size_t)(slash - s) : strlen(s);
	char *end;
	long p;

	if (n >= sizeof(buf))
		return -1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (fp_ip_parse(net, buf) < 0)
		return -1;
	if (slash == NULL) {
		*prefix = net->len * 8;
		return 0;
	}
	if (slash[1] < '0' || slash[1] > '9')
		return -1;
	p = strtol(slash + 1, &end, 10);
	if (*end != '\0' || p < 0 || p > net->len * 8)
		return -1;
	*prefix = (int)p;
	return 0;
}
