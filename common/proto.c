#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

#include "common/proto.h"
#include "common/banned.h"

static const struct {
	int num;
	const char *name;
} names[] = {
	{ FP_PROTO_ICMP, "icmp" },
	{ FP_PROTO_TCP, "tcp" },
	{ FP_PROTO_UDP, "udp" },
	{ FP_PROTO_ICMPV6, "icmpv6" },
	{ FP_PROTO_SCTP, "sctp" },
};

const char *
fp_proto_name(int proto, char *buf, size_t len)
{
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].num == proto)
			return names[i].name;
	snprintf(buf, len, "%d", proto);
	return buf;
}

int
fp_proto_parse(const char *s)
{
	size_t i;
	char *end;
	long v;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcasecmp(s, names[i].name) == 0)
			return names[i].num;
	if (*s < '0' || *s > '9')
		return -1;
	v = strtol(s, &end, 10);
	if (*end != '\0' || v < 0 || v > 255)
		return -1;
	return (int)v;
}

int
fp_proto_has_ports(int proto)
{
	return proto == FP_PROTO_TCP || proto == FP_PROTO_UDP ||
	    proto == FP_PROTO_SCTP || proto == FP_PROTO_UDPLITE;
}

int
fp_proto_is_icmp(int proto)
{
	return proto == FP_PROTO_ICMP || proto == FP_PROTO_ICMPV6;
}

const char *
fp_port_format(int proto, int port, char *buf, size_t len)
{
	if (fp_proto_is_icmp(proto))
		snprintf(buf, len, "%d/%d", (port >> 8) & 0xff, port & 0xff);
	else if (fp_proto_has_ports(proto))
		snprintf(buf, len, "%d", port);
	else
		snprintf(buf, len, "%s", "");
	return buf;
}
