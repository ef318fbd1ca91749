#include <jansson.h>
#include <stdlib.h>

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

static json_t *str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

static json_t *neighbor_json(const struct lldpn_neighbor *n)
{
	json_t *tlvs = json_array();
	for (size_t i = 0; i < n->ntlvs; i++)
		json_array_append_new(tlvs, json_pack("{s:i, s:s, s:s}", "type", n->tlvs[i].type, "name",
						      n->tlvs[i].name, "value", n->tlvs[i].value));
	return json_pack("{s:s, s:s, s:o, s:s, s:o, s:s, s:o, s:o, s:o, s:i, s:o}", "protocol",
			 n->proto == LLDPN_CDP ? "cdp" : "lldp", "source_mac", n->src_mac, "chassis_id",
			 str_or_null(n->chassis_id), "chassis_id_subtype",
			 n->chassis_subtype ? n->chassis_subtype : "", "port_id", str_or_null(n->port_id),
			 "port_id_subtype", n->port_subtype ? n->port_subtype : "", "port_description",
			 str_or_null(n->port_desc), "system_name", str_or_null(n->sys_name),
			 "system_description", str_or_null(n->sys_desc), "ttl", n->ttl, "tlvs", tlvs);
}

void lldpn_show_json(FILE *out, const char *ifname, const struct lldpn_neighbor *n,
		     const struct lldpn_naming *naming, const char *error)
{
	json_t *o = json_object();
	json_object_set_new(o, "interface", str_or_null(ifname));
	json_object_set_new(o, "neighbor", n ? neighbor_json(n) : json_null());
	if (naming && naming->section) {
		json_object_set_new(o, "rule", json_pack("{s:s, s:i}", "section", naming->section, "line",
							 naming->line));
		json_object_set_new(o, "port", str_or_null(naming->port));
		json_object_set_new(o, "source", json_string(naming->source == LLDPN_SRC_PORTDESC ? "portdesc"
												      : "portid"));
		json_object_set_new(o, "index", naming->index >= 0 ? json_integer(naming->index) : json_null());
	}
	json_object_set_new(o, "hostname", naming ? str_or_null(naming->hostname) : json_null());
	if (error)
		json_object_set_new(o, "error", json_string(error));
	char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (!s)
		die(1, "cannot format JSON");
	fprintf(out, "%s\n", s);
	free(s);
	json_decref(o);
}
