#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/proto.h"
#include "common/banned.h"

/*
 * The one protocol-name table. name: how flowpol's command line and output
 * say it (parsed in any case); calico: the spelling Calico's policy API
 * accepts, case-sensitive (doc/calico-semantics.md, "Protocols").
 */
static const struct {
	int num;
	const char *name, *calico;
} names[] = {
	{ FP_PROTO_ICMP, "icmp", "ICMP" },
	{ FP_PROTO_TCP, "tcp", "TCP" },
	{ FP_PROTO_UDP, "udp", "UDP" },
	{ FP_PROTO_ICMPV6, "icmpv6", "ICMPv6" },
	{ FP_PROTO_SCTP, "sctp", "SCTP" },
	{ FP_PROTO_UDPLITE, "udplite", "UDPLite" },
};
#define NNAMES (sizeof(names) / sizeof(names[0]))

const char *
fp_proto_name(int proto, char *buf, size_t len)
{
	size_t i;

	for (i = 0; i < NNAMES; i++)
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

	for (i = 0; i < NNAMES; i++)
		if (strcasecmp(s, names[i].name) == 0)
			return names[i].num;
	if (*s < '0' || *s > '9')
		return -1;
	v = strtol(s, &end, 10);
	if (*end != '\0' || v < 0 || v > 255)
		return -1;
	return (int)v;
}

const char *
fp_proto_calico_name(int proto)
{
	size_t i;

	for (i = 0; i < NNAMES; i++)
		if (names[i].num == proto)
			return names[i].calico;
	return NULL;
}

int
fp_proto_calico_parse(const char *s)
{
	size_t i;

	for (i = 0; i < NNAMES; i++)
		if (strcmp(s, names[i].calico) == 0)
			return names[i].num;
	return -1;
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
