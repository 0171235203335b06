#ifndef FLOWPOL_IPADDR_H
#define FLOWPOL_IPADDR_H

#include <stddef.h>
#include <stdint.h>

/* An IPv4 or IPv6 address in network order; len is 4 or 16. */
struct fp_ip {
	uint8_t len;
	uint8_t a[16];
};

#define FP_IPSTRLEN 46	/* INET6_ADDRSTRLEN */

/* Parse dotted IPv4 or IPv6 text; 0 or -1 (not recorded). */
int fp_ip_parse(struct fp_ip *ip, const char *s);
/* Set from a 4- or 16-byte blob; 0 or -1 for any other length. */
int fp_ip_from_blob(struct fp_ip *ip, const void *blob, size_t len);
/* Canonical text (inet_ntop); buf must hold FP_IPSTRLEN bytes. */
const char *fp_ip_format(const struct fp_ip *ip, char *buf);
int fp_ip_cmp(const struct fp_ip *a, const struct fp_ip *b);
/* Whether ip lies in net/prefix (same family only). */
int fp_ip_in_net(const struct fp_ip *ip, const struct fp_ip *net, int prefix);
/* Parse "ADDR" or "ADDR/PREFIX"; a bare address gets the full prefix. */
int fp_cidr_parse(struct fp_ip *net, int *prefix, const char *s);

#endif
