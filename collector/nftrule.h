#ifndef FLOWPOL_NFTRULE_H
#define FLOWPOL_NFTRULE_H

#include <stddef.h>

/*
 * Learn mode's own log rule: an nftables table (NFTRULE_FAMILY
 * NFTRULE_TABLE, nobody else's) whose base chains log the first packet of
 * each new connection on pod interfaces to an NFLOG group, ahead of Calico's
 * filter chains. Installed by `flowpol collect --install-rule`, removed when
 * it stops.
 */

#define NFTRULE_FAMILY "inet"
#define NFTRULE_TABLE "flowpol"
/* Interface globs per run; far more than any CNI mix needs. */
#define NFTRULE_MAX_GLOBS 16
/* Worst-case script: the fixed part plus three rules per glob. */
#define NFTRULE_SCRIPT_MAX 8192

struct nftrule;

/*
 * Check an interface glob: 1 to 15 characters from [A-Za-z0-9_.-] (what
 * interface names use), optionally ending in '*' with at least one
 * character before it. The glob ends up in an nft script, hence the
 * allow-list. 0, or -1 (fp_error naming the glob and the byte offset).
 */
int nftrule_glob_check(const char *glob);

/*
 * Write the nft script that installs the table into buf (size bytes). With
 * replace, an existing table of that name is deleted in the same
 * transaction; without, the transaction fails if one exists. Globs must
 * have passed nftrule_glob_check. 0, or -1 (fp_error) if buf is too small
 * or the arguments are out of range.
 */
int nftrule_script(char *buf, size_t size, int group,
    const char *const *globs, size_t nglobs, int replace);

/*
 * Install the table (one nft transaction: all of it or nothing). If the
 * table exists and !replace, fails naming it and the fix. On success *out
 * is a handle the caller removes with nftrule_remove and frees with
 * nftrule_free. 0, or -1 (fp_error); on -1 nothing was installed.
 */
int nftrule_install(struct nftrule **out, int group,
    const char *const *globs, size_t nglobs, int replace);

/*
 * Delete the table if this handle installed it (flush, then delete, in one
 * transaction). Only the first call does anything, so an exit path may
 * call it again. 0, or -1 (fp_error, with the command that removes it by
 * hand) when the table could not be deleted; a table someone else already
 * deleted is not an error. NULL does nothing.
 */
int nftrule_remove(struct nftrule *r);

/* Free the handle (does not remove the table); NULL does nothing. */
void nftrule_free(struct nftrule *r);

#endif
