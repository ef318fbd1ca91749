/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * relayctl — the one definition of how cpush drives ctrelay: the control
 * lines cpush writes on a relay's stdin (over the SSH session that started
 * it), the report lines the relay answers on stdout, the version line both
 * check, and the chain's clock. cpush/chain.c and ctrelay use nothing else.
 *
 * Control (cpush -> relay), one per line:
 *   start SECRET PUBKEY TAG ADDR   transfer key and the head's public signing key
 *                            (both hex), temp-name tag, address to listen on
 *   from ADDR                accept upstream only from ADDR (its predecessor, or the head);
 *                            before the first one, any peer may try the handshake
 *   next ADDR PORT           (re)connect downstream; re-feed it from what it holds
 *   last                     no successor
 *   quit                     leave (so does end of stdin, SIGTERM, SIGHUP)
 * Reports (relay -> cpush):
 *   ready ADDR PORT          listening
 *   ok I | skip I | err I MESSAGE   what it did with entry I
 *   end                      everything received and passed on
 *   linked ADDR PORT         the successor answered and was re-fed
 *   stalled downstream       the successor took nothing for RELAY_STALL_SECONDS
 *   fail down ADDR PORT MESSAGE   the successor could not be reached or fed (it is to blame)
 *   fail MESSAGE             anything else (upstream closed, a bad control line)
 *   refused I MESSAGE        entry I (or the end of the stream) was not what the head
 *                            signed, or a file this node holds changed since: nothing of
 *                            it written or passed on; cpush fails this node and cuts it out
 *   closed ADDR MESSAGE      a connection was dropped in or before its handshake (not
 *                            from the announced address, too slow, too many, or without
 *                            the key): only shown, it never fails a node, since anyone
 *                            who reaches the port can cause it
 */
#ifndef CT_RELAYCTL_H
#define CT_RELAYCTL_H

#include "relay.h"

#define RELAYCTL_STR_(x) #x
#define RELAYCTL_STR(x) RELAYCTL_STR_(x)
/* What "ctrelay -V" prints; cpush runs a node's relay only when it says exactly this. */
#define RELAYCTL_VERSION_LINE "ctrelay " CT_VERSION " proto " RELAYCTL_STR(RELAY_PROTO)

#define RELAYCTL_START   "start"
#define RELAYCTL_FROM    "from"
#define RELAYCTL_NEXT    "next"
#define RELAYCTL_LAST    "last"
#define RELAYCTL_QUIT    "quit"
#define RELAYCTL_READY   "ready"
#define RELAYCTL_OK      "ok"
#define RELAYCTL_SKIP    "skip"
#define RELAYCTL_ERR     "err"
#define RELAYCTL_END     "end"
#define RELAYCTL_LINKED  "linked"
#define RELAYCTL_STALLED "stalled downstream"
#define RELAYCTL_FAIL    "fail"
#define RELAYCTL_DOWN    "down" /* second word of "fail down" */
#define RELAYCTL_REFUSED "refused"
#define RELAYCTL_CLOSED  "closed"

/*
 * The clock. A node or the head that could write nothing to its successor
 * for RELAY_STALL_SECONDS says so; a connection must prove the key within
 * RELAY_HANDSHAKE_MS of being accepted; connects give up after
 * RELAY_CONNECT_MS (two SYN retransmissions); at most RELAY_PENDING_MAX
 * connections may be in their handshake at once.
 */
#define RELAY_STALL_SECONDS 20
#define RELAY_STALL_TEXT    RELAYCTL_STR(RELAY_STALL_SECONDS) " s"
#define RELAY_HANDSHAKE_MS  2000
#define RELAY_CONNECT_MS    5000
#define RELAY_PENDING_MAX   4

enum relayctl {
	RCTL_UNKNOWN, RCTL_START, RCTL_FROM, RCTL_NEXT, RCTL_LAST, RCTL_QUIT, RCTL_READY, RCTL_OK, RCTL_SKIP,
	RCTL_ERR, RCTL_END, RCTL_LINKED, RCTL_STALLED, RCTL_FAIL_DOWN, RCTL_FAIL, RCTL_REFUSED, RCTL_CLOSED,
};

/*
 * Which line LINE is, and its words after the keyword: at most MAXW go into
 * W (*NW of them), the last one keeping the rest of the line with its
 * spaces (a message). RCTL_UNKNOWN for an unknown keyword or fewer words
 * than the line needs. LINE is split in place.
 */
enum relayctl relayctl_parse(char *line, char **w, int maxw, int *nw);

#endif
