#ifndef FLOWPOL_K8SNAME_H
#define FLOWPOL_K8SNAME_H

#include <stddef.h>

/*
 * Kubernetes naming rules (apimachinery pkg/util/validation). Each returns
 * NULL when s is valid, else a static reason ("longer than 63 characters").
 */
const char *k8s_check_dns_label(const char *s);		/* RFC 1123 label, <= 63 */
const char *k8s_check_dns1035_label(const char *s);	/* starts with a letter */
const char *k8s_check_dns_subdomain(const char *s);	/* <= 253 */
const char *k8s_check_label_key(const char *s);	/* [prefix/]name */
const char *k8s_check_label_value(const char *s);	/* <= 63, may be empty */

#endif
