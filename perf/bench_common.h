/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench_common: what the benchmarks share: realistic SDP bodies, a
 * configuration of many tenants, and the EAL start.
 *
 * Tenant t of bench_tenant_config() owns 198.18.0.0/15's /29 number t
 * (BENCH_TENANT_BASE + 8 t) and is named "t%05u"; up to 16,320 tenants
 * stay clear of 198.19.255.0/24, the SBC side of the benchmarks.
 */
#ifndef SIPWARDEN_BENCH_COMMON_H
#define SIPWARDEN_BENCH_COMMON_H

#include <stdint.h>

struct config;

/* 198.18.0.0, host order */
#define BENCH_TENANT_BASE ((198u << 24) | (18u << 16))

/* A desk phone's offer and an SBC's answer, as on the wire. */
#define SDP_OFFER                                                              \
	"v=0\r\n"                                                              \
	"o=- 3894120117 3894120117 IN IP4 198.51.100.23\r\n"                   \
	"s=-\r\n"                                                              \
	"c=IN IP4 198.51.100.23\r\n"                                           \
	"t=0 0\r\n"                                                            \
	"m=audio 11780 RTP/AVP 9 0 8 18 101\r\n"                               \
	"a=rtpmap:9 G722/8000\r\n"                                             \
	"a=rtpmap:0 PCMU/8000\r\n"                                             \
	"a=rtpmap:8 PCMA/8000\r\n"                                             \
	"a=rtpmap:18 G729/8000\r\n"                                            \
	"a=fmtp:18 annexb=no\r\n"                                              \
	"a=ptime:20\r\n"                                                       \
	"a=sendrecv\r\n"                                                       \
	"a=rtpmap:101 telephone-event/8000\r\n"                                \
	"a=fmtp:101 0-15\r\n"

#define SDP_ANSWER                                                             \
	"v=0\r\n"                                                              \
	"o=sbc 1680000001 1680000002 IN IP4 203.0.113.10\r\n"                  \
	"s=SBC\r\n"                                                            \
	"c=IN IP4 203.0.113.10\r\n"                                            \
	"t=0 0\r\n"                                                            \
	"m=audio 40112 RTP/AVP 9 101\r\n"                                      \
	"a=rtpmap:9 G722/8000\r\n"                                             \
	"a=rtpmap:101 telephone-event/8000\r\n"                                \
	"a=fmtp:101 0-15\r\n"                                                  \
	"a=ptime:20\r\n"                                                       \
	"a=sendrecv\r\n"

/*
 * `head` (YAML keys other than tenants, "inside_networks: [...]\n" and
 * the like) followed by `tenants` generated tenants; NULL with the
 * loader's errors on stderr if it does not load.
 */
struct config *bench_tenant_config(const char *head, uint32_t tenants);

/*
 * EAL as replay has it (no hugepages, devices or shared files; lcore 0),
 * with a file prefix of `name` and the pid so runs never meet.
 */
int bench_eal_init(char *prog, const char *name);

#endif
