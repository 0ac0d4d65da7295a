/* SPDX-License-Identifier: BSD-3-Clause */
/* libFuzzer: the SIP scanner, then the header iterator over what it took. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sip_scan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* an exact-size copy, so ASan sees any read past the end */
	char *buf = malloc(size ? size : 1);
	struct sip_msg m;

	memcpy(buf, data, size);
	if (sip_scan(buf, size, &m) == SIP_SCAN_OK) {
		struct sip_header_iter it;
		struct sip_header h;
		unsigned int n = 0;

		sip_header_iter_init(&it, buf, &m);
		while (sip_header_next(&it, &h))
			n++;
		if (n != m.header_count)
			abort();
		if (m.header_len > size || m.body_len > size - m.header_len)
			abort();
	}
	free(buf);
	return 0;
}
