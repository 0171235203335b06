#ifndef FLOWPOL_PROTO_H
#define FLOWPOL_PROTO_H

#include <stddef.h>

#define FP_PROTO_ICMP 1
#define FP_PROTO_TCP 6
#define FP_PROTO_UDP 17
#define FP_PROTO_ICMPV6 58
#define FP_PROTO_SCTP 132
#define FP_PROTO_UDPLITE 136

/*
 * "tcp", "udp", "sctp", "icmp", "icmpv6", "udplite", else the number as text
 * in buf.
 */
const char *fp_proto_name(int proto, char *buf, size_t len);
/* Accepts those names (any case) or a number 0..255; -1 if neither. */
int fp_proto_parse(const char *s);
/*
 * Calico's case-sensitive names in policy: "TCP", "UDP", "ICMP", "ICMPv6",
 * "SCTP", "UDPLite" (doc/calico-semantics.md). The name, or NULL where
 * Calico has none (write the number); the number, or -1 if s is not one.
 */
const char *fp_proto_calico_name(int proto);
int fp_proto_calico_parse(const char *s);
/* Whether the protocol has ports (TCP, UDP, SCTP, UDPLite). */
int fp_proto_has_ports(int proto);
int fp_proto_is_icmp(int proto);
/* The port column as users read it: "80", "8/0" for ICMP, "" for others. */
const char *fp_port_format(int proto, int port, char *buf, size_t len);

#endif
