/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * capture — where frames come from: libpcap live capture on one or more
 * interfaces (kernel BPF filter for LLDP and CDP, immediate delivery, the
 * LLDP and CDP multicast addresses joined so no promiscuous mode is needed),
 * or a capture file (pcap or pcapng). One poll(2) loop over every
 * interface with a deadline.
 */
#ifndef LLDPNAME_CAPTURE_H
#define LLDPNAME_CAPTURE_H

#include <stddef.h>
#include <stdint.h>

#include "clock.h"

/* The kernel filter: LLDP, and CDP (SNAP OUI 00:00:0c PID 0x2000) to 01:00:0c:cc:cc:cc. */
#define LLDPN_BPF_FILTER                                                                          \
	"ether proto 0x88cc or (ether dst 01:00:0c:cc:cc:cc and ether[14:4] = 0xaaaa0300 and "    \
	"ether[18:4] = 0x000c2000)"

struct lldpn_capture;

struct lldpn_frame {
	const char *ifname;   /* interface, or the file name */
	int link;             /* pcap link type (DLT_EN10MB, ...) */
	const uint8_t *data;  /* valid until the next call */
	size_t len;
};

/*
 * Listen on the NIFS interfaces IFS; with none, on every up Ethernet
 * interface (bridges, bonds and VLAN devices excluded). NULL with ERR.
 */
struct lldpn_capture *lldpn_capture_live(char **ifs, size_t nifs, char *err, size_t errlen);
/* Read frames from capture file PATH. NULL with ERR. */
struct lldpn_capture *lldpn_capture_file(const char *path, char *err, size_t errlen);

/*
 * The next frame, waiting at most until DEADLINE (seconds on
 * CLOCK_MONOTONIC). 1 with F filled, 0 at the deadline or the end of the
 * file, -1 on a capture error (ERR).
 */
int lldpn_capture_next(struct lldpn_capture *c, double deadline, struct lldpn_frame *f, char *err, size_t errlen);

/* "eth0, eth1" or the file name, for messages. */
const char *lldpn_capture_what(const struct lldpn_capture *c);
int lldpn_capture_is_file(const struct lldpn_capture *c);
void lldpn_capture_close(struct lldpn_capture *c);

/* Transitional: lldpname/main.c's name for now_monotonic(). */

#endif
