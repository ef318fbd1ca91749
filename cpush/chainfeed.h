/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * chainfeed — the head's end of cpush's chain: the plan's files and
 * directories as relay entries (with each file's SHA-256, read once up
 * front), each signed with a key pair made for this transfer alone (the
 * relays get its public key), and one feeder thread per chain that connects to the chain's
 * first live node, learns what it holds and sends the rest. Re-targeting a
 * feeder (its first node was lost) cuts the old connection and resumes on
 * the new one from what that node holds.
 */
#ifndef CPUSH_CHAINFEED_H
#define CPUSH_CHAINFEED_H

#include <stdint.h>

#include "plan.h"
#include "relay.h"

struct cpentries;
struct cpfeed;

/* Entries of PLAN (files and directories, in order), signed. NULL with ERR when a file cannot be read. */
struct cpentries *cpentries_new(const struct cpplan *plan, int blind, char *err, size_t errlen);
/* The public key the entries are signed with (RELAY_PUB_LEN bytes). */
const unsigned char *cpentries_pub(const struct cpentries *en);
uint32_t cpentries_count(const struct cpentries *en);
/* Target path of entry I. */
const char *cpentries_path(const struct cpentries *en, uint32_t i);
/* Size of entry I, UINT64_MAX for a directory. */
uint64_t cpentries_size(const struct cpentries *en, uint32_t i);
void cpentries_free(struct cpentries *en);

/* A feeder thread for one chain (idle until cpfeed_target). */
struct cpfeed *cpfeed_new(const struct cpentries *en, const struct relay_key *k);
/*
 * Feed HOST:PORT from what it holds (cuts the current connection),
 * connecting from SRC (NULL: any). The connect gives up after
 * RELAY_CONNECT_MS, or at once when re-targeted or freed; a write the node
 * takes nothing of for RELAY_STALL_SECONDS fails with ETIMEDOUT.
 */
void cpfeed_target(struct cpfeed *f, const char *host, int port, const char *src);
/* A source file changed since it was hashed: nothing more can be sent (cpfeed_error says which). */
int cpfeed_changed(struct cpfeed *f);
/* Everything, END included, went to the current target. */
int cpfeed_done(struct cpfeed *f);
/* The last failure ("" if none). Copied into BUF. */
void cpfeed_error(struct cpfeed *f, char *buf, size_t len);
/* Data bytes sent so far (a re-fed stretch counts again). */
uint64_t cpfeed_fed(struct cpfeed *f);
/* Stop the thread and free. */
void cpfeed_free(struct cpfeed *f);

#endif
