#ifndef FLOWPOL_NFLOG_H
#define FLOWPOL_NFLOG_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

/*
 * The live source: one NFLOG group bound with libnetfilter_log. The library
 * sets the group up (bind, copy range, batching, sequence numbers); the
 * messages are read from its socket here and handed on raw, so that live
 * events and pcap records go through the same decoder.
 */

struct nflog_reader;

/*
 * Bytes of each packet asked for: enough for the IPv4 header with options
 * (60) and a TCP header, or IPv6 with a few extension headers; the decoder
 * needs no more. Also the snaplen of the log rule --install-rule writes.
 */
#define NFLOG_COPY_RANGE 128

struct nflog_stats {
	uint64_t datagrams;	/* netlink datagrams read */
	uint64_t events;	/* NFLOG packet messages handed on */
	uint64_t enobufs;	/* times the socket buffer overflowed */
};

/*
 * Called for each NFLOG packet message; msg starts at the nfgenmsg header
 * and lives only for the call. recv_us is when it was read (unix µs), the
 * event time when the kernel sent no timestamp. Returns 0 or -1 to stop.
 */
typedef int (*nflog_event_fn)(void *arg, const uint8_t *msg, size_t len,
    int64_t recv_us);

/* The socket receive buffer asked for when rcvbuf is 0 (bytes). */
#define NFLOG_RCVBUF_DEFAULT (16 * 1024 * 1024)

/*
 * Bind group (0..65535) with a receive buffer of rcvbuf bytes (0: the
 * default). 0 or -1 (fp_error: held by another process, ...).
 */
int nflog_reader_open(struct nflog_reader **out, int group, int rcvbuf);

/*
 * Read and dispatch events until deadline_us (unix µs) passes or *stop is
 * set by a SIGINT/SIGTERM handler (those two signals are blocked except
 * while waiting, so a stop is never missed). 0 or -1 (fp_error).
 */
int nflog_reader_run(struct nflog_reader *r, nflog_event_fn fn, void *arg,
    int64_t deadline_us, volatile sig_atomic_t *stop);

/*
 * After a stop: dispatch what the kernel still batches and what is left in
 * the socket. 0 or -1 (fp_error).
 */
int nflog_reader_drain(struct nflog_reader *r, nflog_event_fn fn, void *arg);

void nflog_reader_stats(const struct nflog_reader *r, struct nflog_stats *out);

/* Unbind, close, free; NULL does nothing. */
void nflog_reader_free(struct nflog_reader *r);

#endif
