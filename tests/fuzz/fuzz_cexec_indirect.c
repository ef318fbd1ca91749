/* SPDX-License-Identifier: BSD-3-Clause */
/* libFuzzer target: result lines an indirect cluster's gateway sends back (cexec/indirect). */
#include <stdint.h>
#include <stdlib.h>

#include "../../cexec/indirect.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cexec_remote_result r;
	if (size > 65536)
		return 0;
	if (cexec_indirect_parse((const char *)data, size, &r) == 0)
		cexec_remote_result_free(&r);
	return 0;
}
