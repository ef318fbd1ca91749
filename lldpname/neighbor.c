/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "neighbor.h"
#include "xalloc.h"

void lldpn_neighbor_init(struct lldpn_neighbor *n)
{
	memset(n, 0, sizeof *n);
}

void lldpn_neighbor_free(struct lldpn_neighbor *n)
{
	for (size_t i = 0; i < n->ntlvs; i++) {
		free(n->tlvs[i].name);
		free(n->tlvs[i].value);
	}
	free(n->tlvs);
	free(n->chassis_id);
	free(n->port_id);
	free(n->port_desc);
	free(n->sys_name);
	free(n->sys_desc);
	lldpn_neighbor_init(n);
}

void lldpn_tlv_add(struct lldpn_neighbor *n, int type, const char *name, char *value)
{
	n->tlvs = xgrowarray(n->tlvs, n->ntlvs, sizeof *n->tlvs);
	n->tlvs[n->ntlvs].type = type;
	n->tlvs[n->ntlvs].name = xstrdup(name);
	n->tlvs[n->ntlvs].value = value;
	n->ntlvs++;
}

char *lldpn_printable(const uint8_t *p, size_t len)
{
	char *s = xmalloc(len * 4 + 1), *o = s;
	for (size_t i = 0; i < len; i++) {
		if (p[i] == '\\') {
			*o++ = '\\';
			*o++ = '\\';
		} else if (p[i] >= 0x20 && p[i] < 0x7f) {
			*o++ = (char)p[i];
		} else {
			o += sprintf(o, "\\x%02x", p[i]);
		}
	}
	*o = '\0';
	return s;
}

char *lldpn_hex(const uint8_t *p, size_t len, const char *sep)
{
	size_t seplen = strlen(sep);
	char *s = xmalloc(len * (2 + seplen) + 1), *o = s;
	for (size_t i = 0; i < len; i++) {
		if (i)
			o = stpcpy(o, sep);
		o += sprintf(o, "%02x", p[i]);
	}
	*o = '\0';
	return s;
}

int lldpn_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}
