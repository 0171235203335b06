/*
 * fptraffic: test traffic for the collector's end-to-end tests and
 * benchmarks, in known numbers, between network namespaces the test made.
 *
 *   fptraffic serve tcp|udp ADDR PORT      listen until killed; prints "ready"
 *   fptraffic tcp ADDR PORT COUNT          COUNT TCP connections, one by one
 *   fptraffic udp ADDR PORT COUNT          COUNT datagrams, each from its own
 *                                          socket (own source port): COUNT
 *                                          new conntrack entries
 *   fptraffic ping ADDR COUNT              COUNT ICMP/ICMPv6 echo requests,
 *                                          each with its own identifier
 *   fptraffic flood ADDR RATE SECONDS      new UDP 5-tuples at RATE per second
 *   fptraffic count GROUP SECONDS          bare NFLOG reader: events and losses
 *   fptraffic genpcap FILE EVENTS FLOWS    synthetic LINKTYPE_NFLOG capture
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <libnetfilter_log/libnetfilter_log.h>

static void
die(const char *what)
{
	fprintf(stderr, "fptraffic: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void
dief(const char *msg)
{
	fprintf(stderr, "fptraffic: %s\n", msg);
	exit(2);
}

static long
num(const char *s)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (*s == '\0' || *end != '\0' || v < 0)
		dief("bad number");
	return v;
}

static socklen_t
addr(const char *host, long port, struct sockaddr_storage *ss)
{
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, host, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		return sizeof(*s4);
	}
	if (inet_pton(AF_INET6, host, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		return sizeof(*s6);
	}
	dief("bad address");
	return 0;
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int
serve(const char *proto, const char *host, long port)
{
	struct sockaddr_storage ss;
	socklen_t sl = addr(host, port, &ss);
	int tcp = strcmp(proto, "tcp") == 0, fd, c, one = 1;
	char buf[2048];

	signal(SIGPIPE, SIG_IGN);
	if ((fd = socket(ss.ss_family, tcp ? SOCK_STREAM : SOCK_DGRAM, 0)) < 0)
		die("socket");
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, sl) < 0)
		die("bind");
	if (tcp && listen(fd, 128) < 0)
		die("listen");
	printf("ready\n");
	fflush(stdout);
	for (;;) {
		if (!tcp) {
			if (recv(fd, buf, sizeof(buf), 0) < 0 && errno != EINTR)
				die("recv");
			continue;
		}
		if ((c = accept(fd, NULL, NULL)) < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			die("accept");
		}
		/* Read the request until the client half-closes, answer, close. */
		while (read(c, buf, sizeof(buf)) > 0)
			;
		(void)!write(c, "ok\n", 3);
		close(c);
	}
	return 0;
}

static int
tcp_clients(const char *host, long port, long count)
{
	struct sockaddr_storage ss;
	socklen_t sl = addr(host, port, &ss);
	char buf[64];
	long i;
	int fd;

	signal(SIGPIPE, SIG_IGN);
	for (i = 0; i < count; i++) {
		if ((fd = socket(ss.ss_family, SOCK_STREAM, 0)) < 0)
			die("socket");
		if (connect(fd, (struct sockaddr *)&ss, sl) < 0)
			die("connect");
		if (write(fd, "GET / HTTP/1.0\r\n\r\n", 18) != 18)
			die("write");
		shutdown(fd, SHUT_WR);
		while (read(fd, buf, sizeof(buf)) > 0)
			;
		close(fd);
	}
	return 0;
}

static int
udp_clients(const char *host, long port, long count)
{
	struct sockaddr_storage ss;
	socklen_t sl = addr(host, port, &ss);
	struct rlimit rl;
	int *fds;
	long i;

	/* All sockets stay open to the end so no source port is reused. */
	rl.rlim_cur = rl.rlim_max = (rlim_t)count + 64;
	if ((rlim_t)count + 64 > 1024)
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	if ((fds = calloc((size_t)count + 1, sizeof(*fds))) == NULL)
		die("calloc");
	for (i = 0; i < count; i++) {
		if ((fds[i] = socket(ss.ss_family, SOCK_DGRAM, 0)) < 0)
			die("socket");
		if (sendto(fds[i], "q", 1, 0, (struct sockaddr *)&ss, sl) != 1)
			die("sendto");
	}
	for (i = 0; i < count; i++)
		close(fds[i]);
	free(fds);
	return 0;
}

static uint16_t
csum(const uint8_t *p, size_t n)
{
	uint32_t s = 0;
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		s += (uint32_t)p[n - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

static int
ping(const char *host, long count)
{
	struct sockaddr_storage ss;
	socklen_t sl = addr(host, 0, &ss);
	int v6 = ss.ss_family == AF_INET6, fd;
	uint8_t pkt[16];
	uint16_t c;
	long i;

	/* Raw sockets (we are root): the kernel fills in the ICMPv6 checksum. */
	if ((fd = socket(ss.ss_family, SOCK_RAW, v6 ? IPPROTO_ICMPV6 :
	    IPPROTO_ICMP)) < 0)
		die("socket");
	for (i = 0; i < count; i++) {
		memset(pkt, 0, sizeof(pkt));
		pkt[0] = v6 ? 128 : 8;
		pkt[4] = (uint8_t)((0x4000 + i) >> 8);	/* identifier */
		pkt[5] = (uint8_t)(0x4000 + i);
		pkt[7] = 1;				/* sequence */
		if (!v6) {
			c = csum(pkt, sizeof(pkt));
			pkt[2] = (uint8_t)(c >> 8);
			pkt[3] = (uint8_t)c;
		}
		if (sendto(fd, pkt, sizeof(pkt), 0, (struct sockaddr *)&ss, sl) !=
		    (ssize_t)sizeof(pkt))
			die("sendto");
	}
	close(fd);
	return 0;
}

/*
 * New connections at a steady rate: one UDP datagram per new 5-tuple,
 * cycling destination ports 1024..65535 over 16 source sockets (1,032,192
 * distinct tuples; give the netns a short UDP conntrack timeout).
 */
static int
flood(const char *host, long rate, long seconds)
{
	struct sockaddr_storage ss;
	socklen_t sl = addr(host, 1024, &ss);
	int fds[16], k;
	long sent = 0, total = rate * seconds, port = 1024;
	double t0 = now(), due;

	for (k = 0; k < 16; k++)
		if ((fds[k] = socket(ss.ss_family, SOCK_DGRAM, 0)) < 0)
			die("socket");
	k = 0;
	while (sent < total) {
		due = t0 + (double)sent / (double)rate;
		while (now() < due)
			;
		if (ss.ss_family == AF_INET)
			((struct sockaddr_in *)&ss)->sin_port = htons((uint16_t)port);
		else
			((struct sockaddr_in6 *)&ss)->sin6_port = htons((uint16_t)port);
		(void)sendto(fds[k], "f", 1, 0, (struct sockaddr *)&ss, sl);
		sent++;
		if (++port > 65535) {
			port = 1024;
			k = (k + 1) % 16;
		}
	}
	printf("sent %ld in %.3f s\n", sent, now() - t0);
	return 0;
}

/* The bare reader: the same group settings as the collector, no decoding. */
static volatile sig_atomic_t stop;
static uint64_t events, lost, next_seq;

static int
count_cb(struct nflog_g_handle *gh, struct nfgenmsg *nfmsg,
    struct nflog_data *nfa, void *data)
{
	uint32_t seq;

	(void)gh;
	(void)nfmsg;
	(void)data;
	events++;
	if (nflog_get_seq(nfa, &seq) == 0) {
		if (seq != next_seq && (uint32_t)(seq - next_seq) < 0x80000000u)
			lost += (uint32_t)(seq - next_seq);
		next_seq = (uint64_t)seq + 1;
	}
	return 0;
}

static void
on_stop(int sig)
{
	(void)sig;
	stop = 1;
}

static int
count(long group, long seconds)
{
	struct nflog_handle *h;
	struct nflog_g_handle *gh;
	static char buf[256 * 1024];
	struct pollfd pfd;
	uint64_t enobufs = 0;
	double end;
	int fd, v = 16 * 1024 * 1024;
	ssize_t n;

	signal(SIGTERM, on_stop);
	signal(SIGINT, on_stop);
	if ((h = nflog_open()) == NULL)
		die("nflog_open");
	if ((gh = nflog_bind_group(h, (uint16_t)group)) == NULL)
		die("nflog_bind_group");
	if (nflog_set_mode(gh, NFULNL_COPY_PACKET, 128) < 0 ||
	    nflog_set_nlbufsiz(gh, 64 * 1024) < 0 ||
	    nflog_set_qthresh(gh, 64) < 0 || nflog_set_timeout(gh, 5) < 0 ||
	    nflog_set_flags(gh, NFULNL_CFG_F_SEQ) < 0)
		die("nflog config");
	nflog_callback_register(gh, count_cb, NULL);
	fd = nflog_fd(h);
	setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &v, sizeof(v));
	printf("ready\n");
	fflush(stdout);
	end = now() + (double)seconds;
	while (!stop && now() < end) {
		pfd.fd = fd;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, 100) <= 0)
			continue;
		while ((n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT)) != 0) {
			if (n < 0) {
				if (errno == ENOBUFS) {
					enobufs++;
					continue;
				}
				break;
			}
			nflog_handle_packet(h, buf, (int)n);
		}
	}
	printf("events %llu lost %llu enobufs %llu\n", (unsigned long long)events,
	    (unsigned long long)lost, (unsigned long long)enobufs);
	nflog_unbind_group(gh);
	nflog_close(h);
	return 0;
}

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void
put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

/*
 * A capture as tcpdump writes it (native byte order, NFLOG TLVs: packet
 * header, timestamp, sequence, a 40-byte IPv4/TCP payload). Event i belongs
 * to flow i % FLOWS; flows differ in source address and port, all inside
 * one 600-second window.
 */
static int
genpcap(const char *path, long nevents, long nflows)
{
	FILE *f = fopen(path, "wb");
	uint32_t gh[6] = { 0xa1b2c3d4, 0x00040002, 0, 0, 262144, 239 };
	uint8_t rec[16 + 4 + 8 + 20 + 8 + 44];
	uint32_t base = 1764151200;	/* 2025-11-26T10:00:00Z, a window start */
	uint32_t sec, usec, hdr[4];
	uint16_t tl[2];
	long i, fl;
	size_t o;

	if (f == NULL)
		die(path);
	fwrite(gh, sizeof(gh), 1, f);
	for (i = 0; i < nevents; i++) {
		fl = i % (nflows > 0 ? nflows : 1);
		sec = base + (uint32_t)((i * 500LL) / (nevents > 0 ? nevents : 1));
		usec = (uint32_t)(i % 1000000);
		o = 0;
		rec[o++] = 2; rec[o++] = 0; put16(rec + o, 5); o += 2;	/* nfgenmsg */
		tl[0] = 8; tl[1] = 1; memcpy(rec + o, tl, 4); o += 4;	/* PACKET_HDR */
		put16(rec + o, 0x0800); rec[o + 2] = 1; rec[o + 3] = 0; o += 4;
		tl[0] = 20; tl[1] = 3; memcpy(rec + o, tl, 4); o += 4;	/* TIMESTAMP */
		put32(rec + o, 0); put32(rec + o + 4, sec);
		put32(rec + o + 8, 0); put32(rec + o + 12, usec); o += 16;
		tl[0] = 8; tl[1] = 12; memcpy(rec + o, tl, 4); o += 4;	/* SEQ */
		put32(rec + o, (uint32_t)i); o += 4;
		tl[0] = 44; tl[1] = 9; memcpy(rec + o, tl, 4); o += 4;	/* PAYLOAD */
		memset(rec + o, 0, 40);
		rec[o] = 0x45; put16(rec + o + 2, 40); rec[o + 8] = 64;
		rec[o + 9] = 6;
		put32(rec + o + 12, 0x0a000000u + (uint32_t)(fl / 64));
		put32(rec + o + 16, 0x0a800001u);
		put16(rec + o + 20, 40000);
		put16(rec + o + 22, (uint16_t)(1 + fl % 64));
		rec[o + 32] = 0x50; rec[o + 33] = 0x02;
		o += 40;
		hdr[0] = sec; hdr[1] = usec; hdr[2] = hdr[3] = (uint32_t)o;
		if (fwrite(hdr, sizeof(hdr), 1, f) != 1 || fwrite(rec, o, 1, f) != 1)
			die(path);
	}
	if (fclose(f) != 0)
		die(path);
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc == 5 && strcmp(argv[1], "serve") == 0)
		return serve(argv[2], argv[3], num(argv[4]));
	if (argc == 5 && strcmp(argv[1], "tcp") == 0)
		return tcp_clients(argv[2], num(argv[3]), num(argv[4]));
	if (argc == 5 && strcmp(argv[1], "udp") == 0)
		return udp_clients(argv[2], num(argv[3]), num(argv[4]));
	if (argc == 4 && strcmp(argv[1], "ping") == 0)
		return ping(argv[2], num(argv[3]));
	if (argc == 5 && strcmp(argv[1], "flood") == 0)
		return flood(argv[2], num(argv[3]), num(argv[4]));
	if (argc == 4 && strcmp(argv[1], "count") == 0)
		return count(num(argv[2]), num(argv[3]));
	if (argc == 5 && strcmp(argv[1], "genpcap") == 0)
		return genpcap(argv[2], num(argv[3]), num(argv[4]));
	fputs("usage: fptraffic serve tcp|udp ADDR PORT | tcp ADDR PORT COUNT |\n"
	    "       udp ADDR PORT COUNT | ping ADDR COUNT | flood ADDR RATE SECONDS |\n"
	    "       count GROUP SECONDS | genpcap FILE EVENTS FLOWS\n", stderr);
	return 2;
}
