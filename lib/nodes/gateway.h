/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * gateway — the nodes of C3 indirect clusters (cluster x { :gateway }) for
 * the tools that reach every node themselves (cpush, cget, imgsync; cexec
 * runs a cexec on the gateway instead). The gateway's own c3.conf, read
 * over ssh ("cat ${C3_CONF:-/etc/c3.conf}"), says which nodes its
 * definition names; each node is then reached through the gateway's sshd
 * as a jump host (ProxyJump, sshproxy.h): nothing of ours runs there.
 */
#ifndef CT_GATEWAY_H
#define CT_GATEWAY_H

#include <stddef.h>

#include "c3conf.h"
#include "ssh.h"

/*
 * Replace each target of SEL that has a forward_def by the nodes it names
 * on its gateway (cluster: the indirect cluster's name; via: "user@gateway"
 * or "gateway"). O: the ssh options for the gateways (user: the target's).
 * 0, or -1 with ERR ("cluster remote: gateway gw01: ...").
 */
int gateway_expand(struct c3_selection *sel, const struct ssh_opts *o, char *err, size_t errlen);

#endif
