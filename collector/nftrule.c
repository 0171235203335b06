#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "collector/nflog.h"
#include "collector/nftrule.h"
#include "common/err.h"
#include "common/banned.h"

/*
 * How we talk to nftables: we run `nft -f -` and feed it a generated
 * script. nftables is already what the tests and the image
 * (samples/deploy/Dockerfile) ship, the script is one atomic transaction
 * (all of the table or nothing), and nft's own error messages are the ones
 * operators know. Building the netlink messages ourselves (libnftnl) would
 * add a library and a second, less tested, encoding of the same rules.
 * Nothing untrusted reaches the script: the group is a checked number and
 * the interface globs pass an allow-list first.
 */

#define IFNAMSIZ_ 16
/* nft's output we keep for an error message. */
#define NFT_OUTMAX 2048

struct nftrule {
	int installed;
	/*
	 * The kernel's handle of the table we created (0: unknown). Removal
	 * deletes by handle, so a collector that stops after another one
	 * replaced its table (--replace-rule) never deletes the newcomer's.
	 */
	unsigned long handle;
};

int
nftrule_glob_check(const char *glob)
{
	size_t i, n = strlen(glob);
	unsigned char c;

	if (n == 0)
		return fp_error("option --interfaces: empty interface glob");
	for (i = 0; i < n; i++) {
		c = (unsigned char)glob[i];
		if (c == '*' && i == n - 1 && i > 0)
			break;
		if (c == '*')
			return fp_error("option --interfaces: glob '%s': byte offset "
			    "%zu: '*' only as the last character, after a prefix "
			    "such as 'cali*'", fp_clamp(glob, 64), i);
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-'))
			return fp_error("option --interfaces: glob '%s': byte offset "
			    "%zu: character not allowed in an interface name (use "
			    "letters, digits, '_', '.', '-' and a final '*')",
			    fp_clamp(glob, 64), i);
	}
	if (n - (glob[n - 1] == '*') > IFNAMSIZ_ - 1)
		return fp_error("option --interfaces: glob '%s': longer than an "
		    "interface name (15 characters)", fp_clamp(glob, 64));
	return 0;
}

struct buf {
	char *p;
	size_t size, len;
	int overflow;
};

static void __attribute__((format(printf, 2, 3)))
buf_add(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->overflow)
		return;
	va_start(ap, fmt);
	n = vsnprintf(b->p + b->len, b->size - b->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= b->size - b->len)
		b->overflow = 1;
	else
		b->len += (size_t)n;
}

/* One rule per glob: a packet matching several globs is logged once. */
static void
add_matches(struct buf *b, const char *dir, const char *const *globs,
    size_t nglobs)
{
	size_t i;

	for (i = 0; i < nglobs; i++)
		buf_add(b, "\t\tct state new %s \"%s\" goto log_new\n", dir,
		    globs[i]);
}

int
nftrule_script(char *out, size_t size, int group, const char *const *globs,
    size_t nglobs, int replace)
{
	struct buf b = { out, size, 0, 0 };
	const char *t = NFTRULE_FAMILY " " NFTRULE_TABLE;
	size_t i;

	if (group < 0 || group > 65535)
		return fp_error("nft rule: nflog group %d out of range", group);
	if (nglobs == 0 || nglobs > NFTRULE_MAX_GLOBS)
		return fp_error("option --interfaces: give 1 to %d globs",
		    NFTRULE_MAX_GLOBS);
	for (i = 0; i < nglobs; i++)
		if (nftrule_glob_check(globs[i]) < 0)
			return -1;
	if (size == 0)
		return fp_error("nft rule: no room for the script");
	out[0] = '\0';
	/*
	 * Replacing: "add" the table (a no-op if it exists) so that "delete"
	 * cannot fail, then delete it, all in the same transaction as the new
	 * table. Otherwise "create" fails the whole transaction if a table of
	 * that name exists: it is never silently reused or merged into.
	 */
	if (replace)
		buf_add(&b, "add table %s\ndelete table %s\n", t, t);
	buf_add(&b, "create table %s\n", t);
	buf_add(&b, "table %s {\n", t);
	/*
	 * Reached only by goto from the base chains, so each packet is logged
	 * at most once, and control then returns to the base chain's policy
	 * (accept: the packet goes on to the next table's chains). The snaplen
	 * is the reader's copy range: headers only.
	 */
	buf_add(&b, "\tchain log_new {\n\t\tlog group %d snaplen %d\n\t}\n",
	    group, NFLOG_COPY_RANGE);
	/*
	 * Priority filter - 10 (-10): base chains on one hook run in order of
	 * priority, and Calico's (table ip/ip6 calico in nftables mode; the
	 * iptables-nft filter table in iptables mode) sit at filter (0). A drop
	 * there ends the packet for every later chain, so we must come first
	 * to see connections a policy denies. It is still after conntrack
	 * (-200), so ct state is known, and after destination NAT (-100), so
	 * the tuple is the post-DNAT one (backend pod IP and targetPort) that
	 * Calico's policy sees. Our chains only log, never drop: policy accept.
	 *
	 * forward: pod to pod on this node, and pod to and from other nodes.
	 * input: pod to this node. output: this node to a pod (such as kubelet
	 * probes, which Calico's policy chains never see).
	 */
	buf_add(&b, "\tchain forward {\n\t\ttype filter hook forward priority "
	    "filter - 10; policy accept;\n");
	add_matches(&b, "iifname", globs, nglobs);
	add_matches(&b, "oifname", globs, nglobs);
	buf_add(&b, "\t}\n");
	buf_add(&b, "\tchain input {\n\t\ttype filter hook input priority "
	    "filter - 10; policy accept;\n");
	add_matches(&b, "iifname", globs, nglobs);
	buf_add(&b, "\t}\n");
	buf_add(&b, "\tchain output {\n\t\ttype filter hook output priority "
	    "filter - 10; policy accept;\n");
	add_matches(&b, "oifname", globs, nglobs);
	buf_add(&b, "\t}\n}\n");
	if (b.overflow)
		return fp_error("nft rule: script longer than %zu bytes", size);
	return 0;
}

/*
 * Run `nft -f -` with script on its standard input (with echo, `nft -e -a
 * -f -`: nft prints what it created, with handles). out gets nft's
 * (combined stdout and stderr) output, truncated to outsz - 1 bytes. 0 with
 * *ok = 1 if nft exited 0, *ok = 0 if it ran and failed; -1 (fp_error) if
 * it could not be run at all.
 */
static int
nft_run(const char *script, int echo, char *out, size_t outsz, int *ok)
{
	static const char *const paths[] = { "/usr/sbin/nft", "/sbin/nft" };
	char *const argv_plain[] = { "nft", "-f", "-", NULL };
	char *const argv_echo[] = { "nft", "-e", "-a", "-f", "-", NULL };
	char *const *argv = echo ? argv_echo : argv_plain;
	struct sigaction ign, oldpipe;
	int in[2] = { -1, -1 }, res[2] = { -1, -1 };
	size_t len = strlen(script), off = 0, got = 0;
	char tmp[512];
	sigset_t none;
	ssize_t n;
	pid_t pid = -1;
	int status, ret = -1, pipe_saved = 0;
	size_t i;

	*ok = 0;
	out[0] = '\0';
	if (pipe2(in, O_CLOEXEC) < 0 || pipe2(res, O_CLOEXEC) < 0) {
		fp_error("nft: pipe: %s", strerror(errno));
		goto out;
	}
	if ((pid = fork()) < 0) {
		fp_error("nft: fork: %s", strerror(errno));
		goto out;
	}
	if (pid == 0) {
		/*
		 * Its own process group: a Ctrl-C on the terminal reaches only
		 * the collector, which then removes the table; it must not kill
		 * nft halfway. Signals blocked in the parent are unblocked.
		 */
		(void)setpgid(0, 0);
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		if (dup2(in[0], 0) < 0 || dup2(res[1], 1) < 0 ||
		    dup2(res[1], 2) < 0)
			_exit(127);
		execvp("nft", argv);
		/* PATH may lack the sbin directories (a minimal container). */
		for (i = 0; errno == ENOENT && i < sizeof(paths) / sizeof(paths[0]);
		    i++)
			execv(paths[i], argv);
		dprintf(2, "cannot run nft: %s (install nftables)\n",
		    strerror(errno));
		_exit(127);
	}
	close(in[0]);
	close(res[1]);
	in[0] = res[1] = -1;
	/* nft may exit before reading everything: an error, not a signal. */
	memset(&ign, 0, sizeof(ign));
	ign.sa_handler = SIG_IGN;
	sigemptyset(&ign.sa_mask);
	if (sigaction(SIGPIPE, &ign, &oldpipe) == 0)
		pipe_saved = 1;
	while (off < len) {
		n = write(in[1], script + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;	/* nft's exit status and output say why */
		off += (size_t)n;
	}
	close(in[1]);
	in[1] = -1;
	for (;;) {
		n = read(res[0], tmp, sizeof(tmp));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (got < outsz - 1) {
			size_t k = (size_t)n < outsz - 1 - got ? (size_t)n :
			    outsz - 1 - got;

			memcpy(out + got, tmp, k);
			got += k;
		}
	}
	out[got] = '\0';
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			fp_error("nft: waitpid: %s", strerror(errno));
			pid = -1;
			goto out;
		}
	}
	pid = -1;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 127 &&
	    strncmp(out, "cannot run nft", 14) == 0) {
		out[strcspn(out, "\n")] = '\0';
		fp_error("nft: %s", out);
		goto out;
	}
	if (WIFSIGNALED(status)) {
		fp_error("nft: killed by signal %d", WTERMSIG(status));
		goto out;
	}
	*ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
	ret = 0;
out:
	if (pipe_saved)
		sigaction(SIGPIPE, &oldpipe, NULL);
	if (pid > 0)
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
	for (i = 0; i < 2; i++) {
		if (in[i] >= 0)
			close(in[i]);
		if (res[i] >= 0)
			close(res[i]);
	}
	return ret;
}

/* nft's first error line (the "Error: ..." one), for a message. */
static const char *
nft_reason(char *out)
{
	char *p = strstr(out, "Error: ");

	if (p == NULL)
		p = out;
	else
		p += 7;
	p[strcspn(p, "\n")] = '\0';
	return *p ? fp_clamp(p, 200) : "failed without a message";
}

/*
 * The handle in nft's echo of our "create table" line, or 0 if it is not
 * there (removal then goes by name).
 */
static unsigned long
created_handle(const char *echo)
{
	static const char line[] = "create table " NFTRULE_FAMILY " "
	    NFTRULE_TABLE " # handle ";
	const char *p = strstr(echo, line);
	unsigned long h = 0;

	if (p == NULL)
		return 0;
	for (p += sizeof(line) - 1; *p >= '0' && *p <= '9'; p++) {
		if (h > 0xffffffffUL)
			return 0;
		h = h * 10 + (unsigned long)(*p - '0');
	}
	return *p == '\n' || *p == '\0' ? h : 0;
}

/* 1 if the table exists, 0 if not, -1 (fp_error) if nft cannot tell. */
static int
table_exists(void)
{
	char out[NFT_OUTMAX];
	int ok;

	if (nft_run("list table " NFTRULE_FAMILY " " NFTRULE_TABLE "\n", 0, out,
	    sizeof(out), &ok) < 0)
		return -1;
	if (ok)
		return 1;
	if (strstr(out, "No such file or directory") != NULL)
		return 0;
	return fp_error("nft: list table %s %s: %s", NFTRULE_FAMILY,
	    NFTRULE_TABLE, nft_reason(out));
}

int
nftrule_install(struct nftrule **out, int group, const char *const *globs,
    size_t nglobs, int replace)
{
	struct nftrule *r = NULL;
	char *script = NULL, res[NFT_OUTMAX];
	int ok, ret = -1;

	if ((r = calloc(1, sizeof(*r))) == NULL ||
	    (script = malloc(NFTRULE_SCRIPT_MAX)) == NULL) {
		fp_error("nft rule: out of memory");
		goto out;
	}
	if (nftrule_script(script, NFTRULE_SCRIPT_MAX, group, globs, nglobs,
	    replace) < 0 || nft_run(script, 1, res, sizeof(res), &ok) < 0)
		goto out;
	if (!ok) {
		/*
		 * nft's "File exists" alone is vague: ask whether our table is
		 * what is in the way, and if so say whose it is and what to do.
		 */
		if (!replace && table_exists() == 1)
			fp_error("nft table '%s %s' already exists (left by a "
			    "collector that did not stop cleanly, or another one is "
			    "running on this node); remove it with 'nft delete table "
			    "%s %s', or give --replace-rule", NFTRULE_FAMILY,
			    NFTRULE_TABLE, NFTRULE_FAMILY, NFTRULE_TABLE);
		else
			fp_error("nft: installing table '%s %s': %s%s", NFTRULE_FAMILY,
			    NFTRULE_TABLE, nft_reason(res),
			    strstr(res, "Operation not permitted") ?
			    " (needs CAP_NET_ADMIN)" : "");
		goto out;
	}
	r->installed = 1;
	r->handle = created_handle(res);
	*out = r;
	r = NULL;
	ret = 0;
out:
	free(script);
	free(r);
	return ret;
}

int
nftrule_remove(struct nftrule *r)
{
	char script[256], res[NFT_OUTMAX];
	int ok;

	if (r == NULL || !r->installed)
		return 0;
	r->installed = 0;
	if (r->handle != 0)
		snprintf(script, sizeof(script), "flush table %s %s\n"
		    "delete table %s handle %lu\n", NFTRULE_FAMILY, NFTRULE_TABLE,
		    NFTRULE_FAMILY, r->handle);
	else
		snprintf(script, sizeof(script), "flush table %s %s\n"
		    "delete table %s %s\n", NFTRULE_FAMILY, NFTRULE_TABLE,
		    NFTRULE_FAMILY, NFTRULE_TABLE);
	if (nft_run(script, 0, res, sizeof(res), &ok) < 0)
		goto failed;
	if (!ok) {
		/*
		 * Gone, or replaced by another collector's (our handle is not
		 * there): either way nothing of ours is left, and the other
		 * table is not ours to delete.
		 */
		if (strstr(res, "No such file or directory") != NULL) {
			switch (table_exists()) {
			case 0:
				return 0;
			case 1:
				fp_warn("nft table '%s %s' was replaced by another "
				    "collector's; left in place", NFTRULE_FAMILY,
				    NFTRULE_TABLE);
				return 0;
			default:
				goto failed;
			}
		}
		fp_error("nft: %s", nft_reason(res));
		goto failed;
	}
	return 0;
failed:
	return fp_error_prefix("removing nft table '%s %s' (remove it with "
	    "'nft delete table %s %s')", NFTRULE_FAMILY, NFTRULE_TABLE,
	    NFTRULE_FAMILY, NFTRULE_TABLE);
}

void
nftrule_free(struct nftrule *r)
{
	free(r);
}
