#ifndef FLOWPOL_EMIT_TARGET_H
#define FLOWPOL_EMIT_TARGET_H

#include "emitter/emit.h"

/*
 * What the target Calico release allows of emit's options: staged kinds
 * (3.30 on), tiers (3.29 on) and a --tier name that is a DNS label and not
 * one of the release's own tiers. 0 or -1 (fp_error).
 */
int emit_check_options(const struct emit_opts *o);

/*
 * Read every rendered document back with the policy reader at the target
 * release (its CRD limits and validator rules). 0 or -1 (fp_error naming
 * the document).
 */
int emit_check_target(const struct emit_result *r, int version);
/* The same for one document (its text; not called for a NULL one). */
int emit_check_doc(const struct emit_doc *d, int version);

#endif
