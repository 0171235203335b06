#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <linux/netlink.h>
#include <linux/netfilter/nfnetlink.h>
#include <libnetfilter_log/libnetfilter_log.h>

#include "collector/nflog.h"
#include "collector/privs.h"
#include "common/err.h"
#include "common/timeutil.h"
#include "common/banned.h"

/* Kernel-side batching: a datagram per 64 events or per 50 ms. */
#define NFLOG_QTHRESH 64
#define NFLOG_TIMEOUT_CS 5
#define NFLOG_NLBUFSIZ (64 * 1024)
/* Room for bursts while we write to SQLite: 16 MiB of socket buffer. */
#define NFLOG_READBUF (256 * 1024)
/* Datagrams read per wakeup before the deadline and stop are rechecked. */
#define NFLOG_BATCH 256

#define NFULNL_MSG_PACKET_TYPE ((NFNL_SUBSYS_ULOG << 8) | 0)

struct nflog_reader {
	struct nflog_handle *h;
	struct nflog_g_handle *gh;
	int fd;
	int group;
	int warned_enobufs;
	struct nflog_stats st;
	uint8_t *buf;
};

static int
bind_error(int group, int err)
{
	/* The kernel says EPERM both for "not yours" and "not allowed". */
	if (err == EPERM && !privs_have_net_admin())
		return fp_error("nflog group %d: operation not permitted: this "
		    "process lacks CAP_NET_ADMIN (run as root with it, or give "
		    "the container the NET_ADMIN capability)", group);
	if (err == EBUSY || err == EPERM || err == EEXIST)
		return fp_error("nflog group %d: held by another process (one "
		    "listener per group and network namespace; find it with "
		    "'cat /proc/net/netfilter/nfnetlink_log')", group);
	return fp_error("nflog group %d: cannot bind: %s", group,
	    strerror(err));
}

int
nflog_reader_open(struct nflog_reader **out, int group, int rcvbuf)
{
	struct nflog_reader *r;
	int v, ret = -1;

	if ((r = calloc(1, sizeof(*r))) == NULL ||
	    (r->buf = malloc(NFLOG_READBUF)) == NULL) {
		if (r)
			free(r);
		return fp_error("nflog: out of memory");
	}
	r->fd = -1;
	r->group = group;
	if ((r->h = nflog_open()) == NULL) {
		fp_error("nflog: cannot open a netfilter netlink socket: %s%s",
		    strerror(errno), errno == EPERM ? " (needs CAP_NET_ADMIN)" :
		    "");
		goto out;
	}
	if ((r->gh = nflog_bind_group(r->h, (uint16_t)group)) == NULL) {
		bind_error(group, errno);
		goto out;
	}
	if (nflog_set_mode(r->gh, NFULNL_COPY_PACKET, NFLOG_COPY_RANGE) < 0 ||
	    nflog_set_nlbufsiz(r->gh, NFLOG_NLBUFSIZ) < 0 ||
	    nflog_set_qthresh(r->gh, NFLOG_QTHRESH) < 0 ||
	    nflog_set_timeout(r->gh, NFLOG_TIMEOUT_CS) < 0 ||
	    nflog_set_flags(r->gh, NFULNL_CFG_F_SEQ) < 0) {
		fp_error("nflog group %d: cannot configure: %s", group,
		    strerror(errno));
		goto out;
	}
	r->fd = nflog_fd(r->h);
	/* Past rmem_max only with CAP_NET_ADMIN; fall back to what is allowed. */
	v = rcvbuf > 0 ? rcvbuf : NFLOG_RCVBUF_DEFAULT;
	if (setsockopt(r->fd, SOL_SOCKET, SO_RCVBUFFORCE, &v, sizeof(v)) < 0)
		(void)setsockopt(r->fd, SOL_SOCKET, SO_RCVBUF, &v, sizeof(v));
	/*
	 * Any socket asking for timestamps turns on the kernel's receive
	 * timestamps, so that NFLOG carries NFULA_TIMESTAMP: the packet's own
	 * time, which a parallel tcpdump capture sees identically.
	 */
	v = 1;
	(void)setsockopt(r->fd, SOL_SOCKET, SO_TIMESTAMP, &v, sizeof(v));
	*out = r;
	r = NULL;
	ret = 0;
out:
	nflog_reader_free(r);
	return ret;
}

void
nflog_reader_stats(const struct nflog_reader *r, struct nflog_stats *out)
{
	*out = r->st;
}

/* Hand on every NFLOG packet message of one datagram. */
static int
dispatch(struct nflog_reader *r, size_t n, nflog_event_fn fn, void *arg)
{
	const uint8_t *p = r->buf;
	struct nlmsghdr nlh;
	int64_t now = fp_now_us();
	size_t step;

	while (n >= sizeof(nlh)) {
		memcpy(&nlh, p, sizeof(nlh));
		if (nlh.nlmsg_len < sizeof(nlh) || nlh.nlmsg_len > n)
			break;	/* the kernel does not send this; stop reading */
		if (nlh.nlmsg_type == NFULNL_MSG_PACKET_TYPE) {
			r->st.events++;
			if (fn(arg, p + NLMSG_HDRLEN, nlh.nlmsg_len - NLMSG_HDRLEN,
			    now) < 0)
				return -1;
		}
		step = NLMSG_ALIGN(nlh.nlmsg_len);
		if (step >= n)
			break;
		p += step;
		n -= step;
	}
	return 0;
}

/* Read what is queued without waiting. 1 if more may be queued, 0, -1. */
static int
read_some(struct nflog_reader *r, nflog_event_fn fn, void *arg)
{
	ssize_t n;
	int i;

	for (i = 0; i < NFLOG_BATCH; i++) {
		n = recv(r->fd, r->buf, NFLOG_READBUF, MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return 0;
			if (errno == EINTR)
				return 1;
			if (errno == ENOBUFS) {
				/*
				 * The kernel dropped events: the sequence numbers
				 * show how many. Warn once, with the fix, and go on.
				 */
				r->st.enobufs++;
				if (!r->warned_enobufs) {
					fp_warn("nflog group %d: receive buffer "
					    "overflowed, events lost (counted from "
					    "sequence numbers in the health table); "
					    "run as root or raise net.core.rmem_max, "
					    "and keep the store on a fast disk",
					    r->group);
					r->warned_enobufs = 1;
				}
				continue;
			}
			return fp_error("nflog group %d: read: %s", r->group,
			    strerror(errno));
		}
		r->st.datagrams++;
		if (dispatch(r, (size_t)n, fn, arg) < 0)
			return -1;
	}
	return 1;
}

int
nflog_reader_run(struct nflog_reader *r, nflog_event_fn fn, void *arg,
    int64_t deadline_us, volatile sig_atomic_t *stop)
{
	struct pollfd pfd;
	struct timespec ts;
	sigset_t block, old;
	int64_t left;
	int rc, ret = -1;

	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, &old);
	while (!*stop) {
		left = deadline_us - fp_now_us();
		if (left <= 0)
			break;
		ts.tv_sec = (time_t)(left / 1000000);
		ts.tv_nsec = (long)(left % 1000000) * 1000;
		pfd.fd = r->fd;
		pfd.events = POLLIN;
		/* Signals are let in only here, so none slips past the check. */
		rc = ppoll(&pfd, 1, &ts, &old);
		if (rc < 0) {
			if (errno == EINTR)
				continue;
			fp_error("nflog group %d: poll: %s", r->group,
			    strerror(errno));
			goto out;
		}
		if (rc == 0)
			break;
		while ((rc = read_some(r, fn, arg)) > 0 && !*stop &&
		    fp_now_us() < deadline_us)
			;
		if (rc < 0)
			goto out;
	}
	ret = 0;
out:
	sigprocmask(SIG_SETMASK, &old, NULL);
	return ret;
}

int
nflog_reader_drain(struct nflog_reader *r, nflog_event_fn fn, void *arg)
{
	volatile sig_atomic_t never = 0;

	/*
	 * Not by unbinding: libnetfilter_log waits for the acknowledgement by
	 * reading the socket and would throw queued events away. The kernel
	 * sends a partial batch after NFLOG_TIMEOUT_CS, so wait three times that.
	 */
	return nflog_reader_run(r, fn, arg,
	    fp_now_us() + 3 * NFLOG_TIMEOUT_CS * 10000, &never);
}

void
nflog_reader_free(struct nflog_reader *r)
{
	if (r == NULL)
		return;
	if (r->gh != NULL)
		nflog_unbind_group(r->gh);
	if (r->h != NULL)
		nflog_close(r->h);
	free(r->buf);
	free(r);
}
