#ifndef FLOWPOL_SCHEMA_H
#define FLOWPOL_SCHEMA_H

/*
 * The schema, as forward-only migrations: fp_migrations[i] takes a database
 * from user_version i to i + 1. Never edit a migration that has shipped; add
 * one, and with it the database the release before it wrote, as a fixture
 * under tests/data/store/ (doc/architecture.md, "The store is the
 * contract"). Each part owns its section of the first migration.
 *
 * Conventions for every table:
 * - IP addresses are BLOBs of 4 (IPv4) or 16 (IPv6) bytes in network order,
 *   so ORDER BY sorts numerically within a family.
 * - Times are INTEGER unix microseconds (UTC) unless a column says seconds.
 * - proto is the IP protocol number; port is the destination port for
 *   TCP/UDP/SCTP, type * 256 + code for ICMP/ICMPv6, 0 for anything else.
 */

extern const char *const fp_migrations[];
extern const int fp_migration_count;

#endif
