/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <ifaddrs.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <pcap/pcap.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "capture.h"
#include "log.h"
#include "neighbor.h"
#include "xalloc.h"

struct source {
	pcap_t *p;
	char *name;
	int fd;
};

struct lldpn_capture {
	struct source *src;
	size_t n;
	size_t next;     /* round robin: the source read first next time */
	int file;
	char *what;
};

static void add_source(struct lldpn_capture *c, pcap_t *p, const char *name, int fd)
{
	c->src = xgrowarray(c->src, c->n, sizeof *c->src);
	c->src[c->n++] = (struct source){.p = p, .name = xstrdup(name), .fd = fd};
	char *what = c->what ? xasprintf("%s, %s", c->what, name) : xstrdup(name);
	free(c->what);
	c->what = what;
}

/* Join the multicast groups LLDP and CDP are sent to, on the capture socket. */
static void join_groups(int fd, const char *ifname)
{
	static const uint8_t groups[][6] = {
		{0x01, 0x80, 0xc2, 0x00, 0x00, 0x0e}, /* nearest bridge */
		{0x01, 0x80, 0xc2, 0x00, 0x00, 0x03}, /* nearest non-TPMR bridge */
		{0x01, 0x80, 0xc2, 0x00, 0x00, 0x00}, /* nearest customer bridge */
		{0x01, 0x00, 0x0c, 0xcc, 0xcc, 0xcc}, /* CDP */
	};
	for (size_t i = 0; i < sizeof groups / sizeof *groups; i++) {
		struct packet_mreq mr = {.mr_ifindex = (int)if_nametoindex(ifname),
					 .mr_type = PACKET_MR_MULTICAST,
					 .mr_alen = 6};
		memcpy(mr.mr_address, groups[i], 6);
		if (setsockopt(fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mr, sizeof mr) < 0)
			verbose("%s: cannot join multicast group %zu: %s", ifname, i, strerror(errno));
	}
}

static int set_filter(pcap_t *p, const char *name, char *err, size_t errlen)
{
	struct bpf_program prog;
	if (pcap_compile(p, &prog, LLDPN_BPF_FILTER, 1, PCAP_NETMASK_UNKNOWN) < 0)
		return lldpn_err(err, errlen, "%s: BPF filter: %s", name, pcap_geterr(p));
	int rc = pcap_setfilter(p, &prog);
	pcap_freecode(&prog);
	if (rc < 0)
		return lldpn_err(err, errlen, "%s: BPF filter: %s", name, pcap_geterr(p));
	return 0;
}

/* Has IFNAME a link (IFF_RUNNING)? 1 if it cannot be told. (libpcap refuses interfaces that are down.) */
static int has_carrier(const char *ifname)
{
	struct ifreq ifr = {0};
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return 1;
	snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", ifname);
	int rc = ioctl(s, SIOCGIFFLAGS, &ifr);
	close(s);
	return rc < 0 || (ifr.ifr_flags & IFF_RUNNING);
}

static int open_one(struct lldpn_capture *c, const char *ifname, char *err, size_t errlen)
{
	char ebuf[PCAP_ERRBUF_SIZE] = "";
	pcap_t *p = pcap_create(ifname, ebuf);
	if (!p)
		return lldpn_err(err, errlen, "%s: %s", ifname, ebuf);
	pcap_set_snaplen(p, 2048);
	pcap_set_promisc(p, 0);
	pcap_set_immediate_mode(p, 1);
	pcap_set_timeout(p, 100);
	int rc = pcap_activate(p);
	if (rc < 0) {
		lldpn_err(err, errlen, "%s: %s", ifname, rc == PCAP_ERROR ? pcap_geterr(p) : pcap_statustostr(rc));
		pcap_close(p);
		return -1;
	}
	if (pcap_datalink(p) != DLT_EN10MB) {
		lldpn_err(err, errlen, "%s: not an Ethernet interface", ifname);
		pcap_close(p);
		return -1;
	}
	/* frames this host sends (its own lldpd) must not name it */
	if (pcap_setdirection(p, PCAP_D_IN) < 0)
		verbose("%s: cannot capture incoming frames only: %s", ifname, pcap_geterr(p));
	if (set_filter(p, ifname, err, errlen) < 0 || pcap_setnonblock(p, 1, ebuf) < 0) {
		if (!*err)
			lldpn_err(err, errlen, "%s: %s", ifname, ebuf);
		pcap_close(p);
		return -1;
	}
	int fd = pcap_get_selectable_fd(p);
	join_groups(fd, ifname);
	if (!has_carrier(ifname) && log_verbosity() >= LOG_NORMAL)
		warnmsg("%s has no carrier (cable unplugged?): no frame will arrive on it", ifname);
	add_source(c, p, ifname, fd);
	return 0;
}

/* Is IFNAME a bridge, bond or VLAN device (LLDP arrives on the ports under it)? */
static int is_virtual_upper(const char *ifname)
{
	static const char *const marks[] = {"bridge", "bonding", "team"};
	char path[300];
	struct stat st;
	for (size_t i = 0; i < sizeof marks / sizeof *marks; i++) {
		snprintf(path, sizeof path, "/sys/class/net/%s/%s", ifname, marks[i]);
		if (stat(path, &st) == 0)
			return 1;
	}
	snprintf(path, sizeof path, "/proc/net/vlan/%s", ifname);
	return stat(path, &st) == 0;
}

/* Every up Ethernet interface (AF_PACKET entries of getifaddrs). */
static int open_default(struct lldpn_capture *c, char *err, size_t errlen)
{
	struct ifaddrs *ifa, *i;
	if (getifaddrs(&ifa) < 0)
		return lldpn_err(err, errlen, "getifaddrs: %s", strerror(errno));
	char why[300] = "";
	size_t candidates = 0;
	for (i = ifa; i; i = i->ifa_next) {
		if (!i->ifa_addr || i->ifa_addr->sa_family != AF_PACKET || !(i->ifa_flags & IFF_UP) ||
		    (i->ifa_flags & IFF_LOOPBACK))
			continue;
		const struct sockaddr_ll *ll = (const struct sockaddr_ll *)(const void *)i->ifa_addr;
		if (ll->sll_hatype != ARPHRD_ETHER || is_virtual_upper(i->ifa_name))
			continue;
		candidates++;
		if (open_one(c, i->ifa_name, why, sizeof why) < 0 && log_verbosity() >= LOG_NORMAL)
			warnmsg("%s", why);
	}
	freeifaddrs(ifa);
	if (c->n == 0 && candidates)
		return lldpn_err(err, errlen, "cannot listen on any up Ethernet interface");
	if (c->n == 0)
		return lldpn_err(err, errlen, "no up Ethernet interface to listen on (use -i IF)");
	return 0;
}

struct lldpn_capture *lldpn_capture_live(char **ifs, size_t nifs, char *err, size_t errlen)
{
	struct lldpn_capture *c = xcalloc(1, sizeof *c);
	int rc = 0;
	for (size_t i = 0; i < nifs && rc == 0; i++)
		rc = open_one(c, ifs[i], err, errlen);
	if (nifs == 0)
		rc = open_default(c, err, errlen);
	if (rc < 0) {
		lldpn_capture_close(c);
		return NULL;
	}
	verbose("listening on %s", c->what);
	return c;
}

struct lldpn_capture *lldpn_capture_file(const char *path, char *err, size_t errlen)
{
	char ebuf[PCAP_ERRBUF_SIZE] = "";
	pcap_t *p = pcap_open_offline(path, ebuf);
	if (!p) {
		lldpn_err(err, errlen, "%s", ebuf);
		return NULL;
	}
	struct lldpn_capture *c = xcalloc(1, sizeof *c);
	c->file = 1;
	add_source(c, p, path, -1);
	return c;
}

/* One frame from source S without waiting: 1, 0 none yet (or end of file), -1 error. */
static int read_one(struct lldpn_capture *c, struct source *s, struct lldpn_frame *f, char *err, size_t errlen)
{
	struct pcap_pkthdr *h;
	const u_char *data;
	int rc = pcap_next_ex(s->p, &h, &data);
	if (rc == 1) {
		*f = (struct lldpn_frame){.ifname = s->name, .link = pcap_datalink(s->p), .data = data,
					  .len = h->caplen};
		return 1;
	}
	if (rc == 0 || (rc == PCAP_ERROR_BREAK && c->file))
		return 0;
	return lldpn_err(err, errlen, "%s: %s", s->name, pcap_geterr(s->p));
}

int lldpn_capture_next(struct lldpn_capture *c, double deadline, struct lldpn_frame *f, char *err, size_t errlen)
{
	if (c->file)
		return read_one(c, &c->src[0], f, err, errlen);
	struct pollfd *pfd = xcalloc(c->n, sizeof *pfd);
	int rc = 0;
	for (;;) {
		for (size_t k = 0; k < c->n; k++) {
			struct source *s = &c->src[(c->next + k) % c->n];
			rc = read_one(c, s, f, err, errlen);
			if (rc != 0) {
				c->next = (c->next + k + 1) % c->n;
				goto out;
			}
		}
		double left = deadline - now_monotonic();
		if (left <= 0)
			break;
		for (size_t k = 0; k < c->n; k++)
			pfd[k] = (struct pollfd){.fd = c->src[k].fd, .events = POLLIN};
		if (poll(pfd, c->n, (int)(left * 1000) + 1) < 0 && errno != EINTR) {
			rc = lldpn_err(err, errlen, "poll: %s", strerror(errno));
			break;
		}
	}
out:
	free(pfd);
	return rc;
}

const char *lldpn_capture_what(const struct lldpn_capture *c) { return c->what ? c->what : ""; }
int lldpn_capture_is_file(const struct lldpn_capture *c) { return c->file; }

void lldpn_capture_close(struct lldpn_capture *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n; i++) {
		pcap_close(c->src[i].p);
		free(c->src[i].name);
	}
	free(c->src);
	free(c->what);
	free(c);
}
