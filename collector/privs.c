#include <errno.h>
#include <linux/capability.h>
#include <linux/securebits.h>
#include <stdint.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "collector/privs.h"
#include "common/err.h"
#include "common/banned.h"

/* Version 3: two 32-bit words per set, capabilities 0..63. */
struct caps {
	struct __user_cap_header_struct hdr;
	struct __user_cap_data_struct d[2];
};

static int
caps_get(struct caps *c)
{
	memset(c, 0, sizeof(*c));
	c->hdr.version = _LINUX_CAPABILITY_VERSION_3;
	c->hdr.pid = 0;
	return (int)syscall(SYS_capget, &c->hdr, c->d);
}

static int
caps_set(struct caps *c)
{
	c->hdr.version = _LINUX_CAPABILITY_VERSION_3;
	c->hdr.pid = 0;
	return (int)syscall(SYS_capset, &c->hdr, c->d);
}

#define CAP_BIT(c) (1u << ((c) & 31))
#define CAP_WORD(c) ((c) >> 5)

int
privs_have_net_admin(void)
{
	struct caps c;

	if (caps_get(&c) < 0)
		return 0;
	return (c.d[CAP_WORD(CAP_NET_ADMIN)].effective &
	    CAP_BIT(CAP_NET_ADMIN)) != 0;
}

/* Set effective, permitted and inheritable to exactly keep (a bitmask). */
static int
caps_only(uint64_t keep)
{
	struct caps c;
	int i;

	memset(&c, 0, sizeof(c));
	for (i = 0; i < 2; i++) {
		c.d[i].effective = (uint32_t)(keep >> (32 * i));
		c.d[i].permitted = c.d[i].effective;
		c.d[i].inheritable = (uint32_t)(CAP_BIT(CAP_NET_ADMIN) *
		    (CAP_WORD(CAP_NET_ADMIN) == i));
	}
	return caps_set(&c);
}

int
privs_keep_net_admin(void)
{
	const uint64_t net_admin = 1ull << CAP_NET_ADMIN;
	struct caps c;
	int setpcap, cap;

	if (caps_get(&c) < 0)
		return fp_error("capabilities: capget: %s", strerror(errno));
	if (!(c.d[CAP_WORD(CAP_NET_ADMIN)].effective & CAP_BIT(CAP_NET_ADMIN)))
		return fp_error("capabilities: CAP_NET_ADMIN is not in the "
		    "effective set");
	setpcap = (c.d[CAP_WORD(CAP_SETPCAP)].effective &
	    CAP_BIT(CAP_SETPCAP)) != 0;
	/* 1. Only what is needed, plus CAP_SETPCAP for the steps below. */
	if (caps_only(net_admin | (setpcap ? 1ull << CAP_SETPCAP : 0)) < 0)
		return fp_error("capabilities: capset: %s", strerror(errno));
	/* 2. nft, a child without privilege of its own, gets it too. */
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_NET_ADMIN, 0, 0) < 0)
		return fp_error("capabilities: raising the ambient CAP_NET_ADMIN: "
		    "%s", strerror(errno));
	if (setpcap) {
		/* 3. Nothing else can ever come back, even through exec. */
		for (cap = 0; cap < 64; cap++) {
			if (cap == CAP_NET_ADMIN)
				continue;
			if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0) {
				if (errno == EINVAL)
					break;	/* past the kernel's last */
				return fp_error("capabilities: dropping %d from the "
				    "bounding set: %s", cap, strerror(errno));
			}
		}
		if (prctl(PR_SET_SECUREBITS, SECBIT_NOROOT | SECBIT_NOROOT_LOCKED |
		    SECBIT_NO_SETUID_FIXUP | SECBIT_NO_SETUID_FIXUP_LOCKED |
		    SECBIT_KEEP_CAPS_LOCKED | SECBIT_NO_CAP_AMBIENT_RAISE |
		    SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED, 0, 0, 0) < 0)
			return fp_error("capabilities: securebits: %s",
			    strerror(errno));
		/* 4. CAP_SETPCAP goes last. */
		if (caps_only(net_admin) < 0)
			return fp_error("capabilities: capset: %s", strerror(errno));
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return fp_error("capabilities: no_new_privs: %s", strerror(errno));
	return 0;
}
