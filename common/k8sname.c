#include <ctype.h>
#include <string.h>

#include "common/k8sname.h"
#include "common/banned.h"

static int
is_lower_alnum(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static int
is_alnum(int c)
{
	return is_lower_alnum(c) || (c >= 'A' && c <= 'Z');
}

/* [a-z0-9]([-a-z0-9]*[a-z0-9])? of length n. */
static const char *
label_chars(const char *s, size_t n)
{
	size_t i;

	if (n == 0)
		return "empty";
	if (!is_lower_alnum((unsigned char)s[0]) ||
	    !is_lower_alnum((unsigned char)s[n - 1]))
		return "must start and end with a lower-case letter or digit";
	for (i = 0; i < n; i++)
		if (!is_lower_alnum((unsigned char)s[i]) && s[i] != '-')
			return "only lower-case letters, digits and '-' are allowed";
	return NULL;
}

const char *
k8s_check_dns_label(const char *s)
{
	size_t n = strlen(s);

	if (n > 63)
		return "longer than 63 characters";
	return label_chars(s, n);
}

const char *
k8s_check_dns1035_label(const char *s)
{
	const char *r = k8s_check_dns_label(s);

	if (r == NULL && !(s[0] >= 'a' && s[0] <= 'z'))
		return "must start with a lower-case letter";
	return r;
}

const char *
k8s_check_dns_subdomain(const char *s)
{
	size_t n = strlen(s);
	const char *p = s, *dot, *r;

	if (n == 0)
		return "empty";
	if (n > 253)
		return "longer than 253 characters";
	for (;;) {
		dot = strchr(p, '.');
		if ((r = label_chars(p, dot ? (size_t)(dot - p) : strlen(p))) != NULL)
			return r;
		if (dot == NULL)
			return NULL;
		p = dot + 1;
	}
}

/* ([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9], at most 63. */
static const char *
qualified_part(const char *s, size_t n)
{
	size_t i;

	if (n > 63)
		return "longer than 63 characters";
	if (n == 0)
		return "empty";
	if (!is_alnum((unsigned char)s[0]) || !is_alnum((unsigned char)s[n - 1]))
		return "must start and end with a letter or digit";
	for (i = 0; i < n; i++)
		if (!is_alnum((unsigned char)s[i]) && s[i] != '-' && s[i] != '_' &&
		    s[i] != '.')
			return "only letters, digits, '-', '_' and '.' are allowed";
	return NULL;
}

const char *
k8s_check_label_key(const char *s)
{
	const char *slash = strchr(s, '/');
	char prefix[256];
	size_t n;

	if (slash == NULL)
		return qualified_part(s, strlen(s));
	n = (size_t)(slash - s);
	if (n == 0 || n > 253)
		return "prefix must be a DNS subdomain of 1 to 253 characters";
	memcpy(prefix, s, n);
	prefix[n] = '\0';
	if (k8s_check_dns_subdomain(prefix) != NULL)
		return "prefix is not a valid DNS subdomain";
	if (strchr(slash + 1, '/') != NULL)
		return "more than one '/'";
	return qualified_part(slash + 1, strlen(slash + 1));
}

const char *
k8s_check_label_value(const char *s)
{
	size_t n = strlen(s);

	if (n == 0)
		return NULL;
	return qualified_part(s, n);
}

/* IANA_SVC_NAME (apimachinery IsValidPortName): what a named port may be. */
const char *
k8s_check_port_name(const char *s)
{
	size_t i, n = strlen(s);
	int letter = 0;

	if (n == 0)
		return "empty";
	if (n > 15)
		return "longer than 15 characters";
	if (s[0] == '-' || s[n - 1] == '-')
		return "must start and end with a lower-case letter or digit";
	for (i = 0; i < n; i++) {
		if (s[i] >= 'a' && s[i] <= 'z')
			letter = 1;
		else if (s[i] == '-' && s[i + 1] == '-')
			return "must not contain '--'";
		else if (!(s[i] >= '0' && s[i] <= '9') && s[i] != '-')
			return "only lower-case letters, digits and '-' are allowed";
	}
	return letter ? NULL : "must contain a letter";
}

const char *
calico_check_policy_name(const char *s, int namespaced)
{
	size_t n = strlen(s);
	const char *dot = strchr(s, '.'), *r;

	if (n == 0)
		return "empty";
	if (n > 253)
		return "longer than 253 characters";
	if (namespaced && (strncmp(s, "knp.default.", 12) == 0 ||
	    strncmp(s, "ossg.default.", 13) == 0))
		return NULL;
	if (dot == NULL)
		return label_chars(s, n);
	if (strchr(dot + 1, '.') != NULL)
		return "more than one '.'";
	if ((r = label_chars(s, (size_t)(dot - s))) != NULL)
		return r;
	return label_chars(dot + 1, strlen(dot + 1));
}
