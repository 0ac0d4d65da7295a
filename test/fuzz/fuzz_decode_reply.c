/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer: a frame through decode, the scanner and the reply builder,
 * as the fast path does for a refused request.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "reply.h"
#include "sip_scan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t key[REPLY_TAG_KEY_LEN] = "fuzz-reply-key!";
	uint8_t *frame = malloc(size ? size : 1);
	uint8_t out[2048];
	struct pkt_info pi;
	struct sip_msg m;

	memcpy(frame, data, size);
	if (decode_frame(frame, size, &pi) == DECODE_OK &&
	    (pi.l4 == PKT_L4_UDP || pi.l4 == PKT_L4_TCP) &&
	    (size_t)pi.payload_off + pi.payload_len <= size &&
	    sip_scan((const char *)frame + pi.payload_off, pi.payload_len,
		     &m) == SIP_SCAN_OK) {
		struct reply_spec spec = {
			.status = 503,
			.cause = "call_limit",
			.retry_after = 5,
			.tag_key = key,
			.tag_code = 8,
		};
		size_t n = reply_build(frame, size, &pi,
				       (const char *)frame + pi.payload_off,
				       &m, &spec, out, sizeof(out));

		if (n > sizeof(out))
			abort();
		/* what we send must parse as what it is */
		if (n != 0) {
			struct pkt_info rpi;
			struct sip_msg rm;

			if (decode_frame(out, n, &rpi) != DECODE_OK ||
			    sip_scan((const char *)out + rpi.payload_off,
				     rpi.payload_len, &rm) != SIP_SCAN_OK ||
			    rm.is_request || rm.status != 503)
				abort();
		}
	}
	free(frame);
	return 0;
}
