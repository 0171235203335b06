#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/k8sname.h"
#include "emitter/emit.h"
#include "emitter/target.h"
#include "policy/calver.h"
#include "policy/reader.h"
#include "common/banned.h"

/*
 * The Calico release emit writes for (--calico-version, recorded in each
 * file's second line) and the tier of flowpol's own (--tier).
 */

static int
cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * The version line among the header comment of one generated file (the
 * third line as emit writes it): 1 found, 0 not ours or no such line, -1
 * a version flowpol does not know.
 */
static int
file_version(const char *path, int *version)
{
	char *line = NULL;
	size_t cap = 0;
	FILE *f;
	int r = 0, n = 0;

	if ((f = fopen(path, "r")) == NULL)
		return 0;
	if (getline(&line, &cap, f) < 0 ||
	    strncmp(line, EMIT_HEADER_MARK, strlen(EMIT_HEADER_MARK)) != 0)
		goto out;
	while (n++ < 8 && getline(&line, &cap, f) >= 0 && line[0] == '#') {
		char *v, *dot;

		if (strncmp(line, EMIT_VERSION_MARK,
		    strlen(EMIT_VERSION_MARK)) != 0)
			continue;
		/* "3.33.\n": drop the full stop and the newline */
		v = line + strlen(EMIT_VERSION_MARK);
		if ((dot = strrchr(v, '.')) != NULL)
			*dot = '\0';
		r = pe_calver_parse(v, version) == 0 ? 1 : -1;
		break;
	}
out:
	free(line);
	fclose(f);
	return r;
}

int
emit_recorded_version(const char *dir, int *version)
{
	struct dirent *de;
	char **names = NULL, path[4096];
	size_t n = 0, i;
	int ret = -1, v, first = 0;
	DIR *d;

	*version = 0;
	if ((d = opendir(dir)) == NULL)
		return 0;	/* no directory yet: nothing recorded */
	while ((de = readdir(d)) != NULL) {
		char **nn;

		if (!emit_is_yaml_name(de->d_name))
			continue;
		if ((nn = realloc(names, (n + 1) * sizeof(*nn))) == NULL ||
		    (nn[n] = strdup(de->d_name)) == NULL) {
			if (nn != NULL)
				names = nn;
			fp_error("emit: out of memory");
			goto out;
		}
		names = nn;
		n++;
	}
	if (n > 0)
		qsort(names, n, sizeof(*names), cmp_name);
	for (i = 0; i < n; i++) {
		int r;

		if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir,
		    names[i]) >= sizeof(path))
			continue;
		if ((r = file_version(path, &v)) < 0) {
			fp_error("emit: '%s': line 2: unknown Calico version",
			    fp_clamp(path, 256));
			goto out;
		}
		if (r == 0)
			continue;
		if (*version != 0 && v != *version) {
			fp_error("emit: '%s' records Calico %s, '%s' Calico %s: "
			    "give --calico-version", fp_clamp(names[first], 128),
			    pe_calver_name(*version), fp_clamp(names[i], 128),
			    pe_calver_name(v));
			goto out;
		}
		if (*version == 0)
			first = (int)i;
		*version = v;
	}
	ret = 0;
out:
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	closedir(d);
	if (ret < 0)
		*version = 0;
	return ret;
}

int
emit_check_options(const struct emit_opts *o)
{
	const struct pe_calver *v = pe_calver_get(o->calico_version);
	const char *why;

	if (v == NULL)
		return fp_error("emit: unknown Calico version %d",
		    o->calico_version);
	if ((o->staged || o->nenforce > 0) && !v->has_staged)
		return fp_error("emit: Calico %s has no staged policies "
		    "(--staged, --enforce-namespace need 3.30 or later)",
		    pe_calver_name(v->version));
	if (o->tier == NULL)
		return 0;
	if (!v->has_tiers)
		return fp_error("emit: Calico %s has no tiers (--tier needs "
		    "3.29 or later)", pe_calver_name(v->version));
	if ((why = k8s_check_dns_label(o->tier)) != NULL)
		return fp_error("emit: --tier '%s': %s", fp_clamp(o->tier, 64),
		    why);
	if (strcmp(o->tier, "default") == 0 ||
	    (v->admin_tier && strcmp(o->tier, v->admin_tier) == 0) ||
	    (v->baseline_tier && strcmp(o->tier, v->baseline_tier) == 0))
		return fp_error("emit: --tier '%s': a tier Calico %s creates "
		    "itself", o->tier, pe_calver_name(v->version));
	return 0;
}

int
emit_check_doc(const struct emit_doc *d, int version)
{
	struct pe_policyset ps = PE_POLICYSET_INIT;
	int ret = 0;

	/*
	 * Every document must read back under the target release's
	 * validation (the reader checks its limits): emit never writes
	 * what that release refuses. One document at a time: the names of a
	 * set are distinct by construction (finish_names_orders), so reading
	 * them together checks nothing more, and holding the parsed set
	 * would double the peak.
	 */
	ps.calico_version = version;
	if (pe_read_buffer(&ps, d->file, d->text, d->len) < 0)
		ret = fp_error_prefix("emit: not valid for Calico %s",
		    pe_calver_name(version));
	pe_policyset_release(&ps);
	return ret;
}

int
emit_check_target(const struct emit_result *r, int version)
{
	size_t i;

	for (i = 0; i < r->ndocs; i++)
		if (r->docs[i].text != NULL &&
		    emit_check_doc(&r->docs[i], version) < 0)
			return -1;
	return 0;
}
