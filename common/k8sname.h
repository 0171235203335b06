#ifndef FLOWPOL_K8SNAME_H
#define FLOWPOL_K8SNAME_H

#include <stddef.h>

/*
 * Kubernetes naming rules (apimachinery pkg/util/validation) and Calico's
 * policy names: the one module for them. Each returns
 * NULL when s is valid, else a static reason ("longer than 63 characters").
 */
const char *k8s_check_dns_label(const char *s);		/* RFC 1123 label, <= 63 */
const char *k8s_check_dns1035_label(const char *s);	/* starts with a letter */
const char *k8s_check_dns_subdomain(const char *s);	/* <= 253 */
const char *k8s_check_label_key(const char *s);	/* [prefix/]name */
const char *k8s_check_label_value(const char *s);	/* <= 63, may be empty */
const char *k8s_check_port_name(const char *s);	/* IANA_SVC_NAME, <= 15 */

/*
 * Calico's policy names (doc/calico-semantics.md, "Policy names"): at most
 * 253 bytes, one or two lower-case DNS labels joined by a dot, no 63-byte
 * limit per label; a namespaced (Staged)NetworkPolicy may also be named
 * knp.default.* or ossg.default.*.
 */
const char *calico_check_policy_name(const char *s, int namespaced);

#endif
