/* SPDX-License-Identifier: BSD-3-Clause */
#include <jansson.h>
#include <stdlib.h>

#include "jsonl.h"
#include "log.h"
#include "show.h"

static const char *proto_name(const struct lldpn_neighbor *n)
{
	return n->proto == LLDPN_CDP ? "CDP" : "LLDP";
}

void lldpn_show_text(FILE *out, const char *ifname, const struct lldpn_neighbor *n)
{
	fprintf(out, "Interface: %s, via %s%s%s\n", ifname, proto_name(n), *n->src_mac ? " from " : "",
		n->src_mac);
	for (size_t i = 0; i < n->ntlvs; i++)
		fprintf(out, "  %s: %s\n", n->tlvs[i].name, n->tlvs[i].value);
}

static json_t *neighbor_json(const struct lldpn_neighbor *n)
{
	json_t *tlvs = json_array();
	for (size_t i = 0; i < n->ntlvs; i++) {
		json_t *t = json_object();
		json_object_set_new(t, "type", json_integer(n->tlvs[i].type));
		jsonl_set_str(t, "name", n->tlvs[i].name);
		jsonl_set_str(t, "value", n->tlvs[i].value);
		json_array_append_new(tlvs, t);
	}
	json_t *o = json_object();
	jsonl_set_str(o, "protocol", n->proto == LLDPN_CDP ? "cdp" : "lldp");
	jsonl_set_str(o, "source_mac", n->src_mac);
	jsonl_set_str(o, "chassis_id", n->chassis_id);
	jsonl_set_str(o, "chassis_id_subtype", n->chassis_subtype ? n->chassis_subtype : "");
	jsonl_set_str(o, "port_id", n->port_id);
	jsonl_set_str(o, "port_id_subtype", n->port_subtype ? n->port_subtype : "");
	jsonl_set_str(o, "port_description", n->port_desc);
	jsonl_set_str(o, "system_name", n->sys_name);
	jsonl_set_str(o, "system_description", n->sys_desc);
	json_object_set_new(o, "ttl", json_integer(n->ttl));
	json_object_set_new(o, "tlvs", tlvs);
	return o;
}

void lldpn_show_json(FILE *out, int exit, const char *error, const char *ifname, const struct lldpn_neighbor *n,
		     const struct lldpn_naming *naming)
{
	json_t *o = jsonl_result(exit, error);
	jsonl_set_str(o, "interface", ifname);
	json_object_set_new(o, "neighbor", n ? neighbor_json(n) : json_null());
	if (naming && naming->section) {
		json_t *rule = json_object();
		jsonl_set_str(rule, "section", naming->section);
		json_object_set_new(rule, "line", json_integer(naming->line));
		json_object_set_new(o, "rule", rule);
		jsonl_set_str(o, "port", naming->port);
		jsonl_set_str(o, "source", naming->source == LLDPN_SRC_PORTDESC ? "portdesc" : "portid");
		json_object_set_new(o, "index", naming->index >= 0 ? json_integer(naming->index) : json_null());
	}
	jsonl_set_str(o, "hostname", naming ? naming->hostname : NULL);
	jsonl_emit(out, o);
}
