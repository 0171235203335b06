#ifndef FLOWPOL_PRIVS_H
#define FLOWPOL_PRIVS_H

/*
 * The live collector's privileges. It needs CAP_NET_ADMIN to bind an NFLOG
 * group, to size its receive buffer past rmem_max and for nft (its table);
 * nothing else. Raw capget/capset/prctl (linux/capability.h), no libcap.
 */

/* 1 if CAP_NET_ADMIN is in the effective set, 0 if not. */
int privs_have_net_admin(void);

/*
 * Keep only CAP_NET_ADMIN, for good: effective, permitted and inheritable
 * reduced to it, and raised as an ambient capability so that the nft child
 * gets it although it runs without privilege otherwise; with CAP_SETPCAP
 * (root) also the bounding set reduced to it and the securebits that stop
 * a uid-0 process from regaining capabilities on exec (SECBIT_NOROOT,
 * SECBIT_NO_SETUID_FIXUP, SECBIT_KEEP_CAPS off, ambient raise refused),
 * all locked; then no_new_privs. 0 or -1 (fp_error).
 */
int privs_keep_net_admin(void);

#endif
