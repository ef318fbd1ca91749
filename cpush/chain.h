/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * chain — cpush's broadcast mode: the head sends every byte once. Over the
 * SSH session cpush opens to each node it starts ctrelay (uploading its own
 * copy over SFTP into a private directory when the node lacks the same
 * version; that copy removes itself), hands it the transfer key, then links
 * the relays into K chains by address and port. The head feeds the first
 * node of each chain over TCP (lib/relay/relayio); each node lands and forwards.
 *
 * A relay whose session ends before it reports the end of the stream, that
 * takes nothing from its predecessor (or the head) for RELAY_STALL_SECONDS,
 * whose predecessor reports it cannot reach or feed it, or that holds
 * back the end for CPCHAIN_STALL seconds after its predecessor finished, is
 * cut out: its predecessor re-feeds its successor from what
 * that one holds, and the node is marked failed ("relay lost ...").
 *
 * The chain carries files and directories; the caller then plays the whole
 * plan in direct mode on the nodes left FANOUT_PENDING (cpsend: symlinks,
 * --delete, directory modes and times; the files are found unchanged).
 * A plan of files only, without --delete, needs no direct pass: nodes where
 * every file landed are FANOUT_OK at once.
 */
#ifndef CPUSH_CHAIN_H
#define CPUSH_CHAIN_H

#include <stddef.h>
#include <stdint.h>

#include "fanout.h"
#include "plan.h"
#include "relayctl.h"

#define CPCHAIN_MIN_NODES 4
#define CPCHAIN_MIN_BYTES (8u << 20)
#define CPCHAIN_STALL     RELAY_STALL_SECONDS /* lib/relay/relayctl.h: the end held back this long after the predecessor's */
#define CPCHAIN_SETTLE    3.0  /* seconds to gather "stalled" reports before naming the culprit */

enum cpchain_mode { CPCHAIN_AUTO, CPCHAIN_CHAIN, CPCHAIN_DIRECT };

struct cpchain_opts {
	int blind;
	int delete;              /* --delete: the direct pass runs after the chain */
	int chains;              /* K parallel chains (>= 1) */
	const char *relay_net;   /* --relay-net CIDR or NULL: the address the head reached */
	int quiet;
	/* filled per node (by index) when not NULL: files the chain wrote, and their bytes */
	unsigned long *sent;
	uint64_t *bytes;
};

/* The rule: chain for at least CPCHAIN_MIN_NODES nodes and CPCHAIN_MIN_BYTES bytes of files. */
int cpchain_pays(const struct cpplan *plan, size_t nnodes);
/* Why MODE resolves to the chain or not, for -n: "chain (32 nodes, 16.0 MiB: ...)". Static storage. */
const char *cpchain_explain(enum cpchain_mode mode, const struct cpplan *plan, size_t nnodes, int *chain);
/* Can the plan go through the chain (paths short enough, the head's ctrelay found)? NULL, or why not. */
const char *cpchain_usable(const struct cpplan *plan);

/*
 * Send the plan's files and directories to NODES through the chain. Nodes
 * lost on the way are left FANOUT_FAILED with their error; the others
 * FANOUT_OK (done) or FANOUT_PENDING (for the direct pass). Returns FANOUT_COMPLETE or
 * FANOUT_INTERRUPTED (SIGINT or SIGTERM: every relay was stopped).
 */
int cpchain_run(const struct cpplan *plan, struct fanout_node *nodes, size_t n, const struct fanout_opts *fo,
		const struct cpchain_opts *o);

#endif
