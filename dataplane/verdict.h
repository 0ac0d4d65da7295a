/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * verdict: the reasons the fast path gives a SIP message, and their names.
 *
 * The names are an interface: they appear in stats, JSON, logs and docs
 * and change only on purpose (docs/COUNTERS.md). New reasons are appended.
 */
#ifndef SIPWARDEN_VERDICT_H
#define SIPWARDEN_VERDICT_H

enum verdict_reason {
	VERDICT_FORWARDED = 0,
	VERDICT_MALFORMED,
	VERDICT_UNKNOWN_SOURCE,
	VERDICT_BANNED_SOURCE,
	VERDICT_SCANNER,
	VERDICT_SUSPENDED,
	VERDICT_BLOCKED_DESTINATION,
	VERDICT_CPS_LIMIT,
	VERDICT_CALL_LIMIT,
	VERDICT_USER_LIMIT,
	VERDICT_BUDGET_EXHAUSTED,
	VERDICT_SIMBOX,
	VERDICT_EMERGENCY,
	VERDICT_TABLE_FULL, /* no room to track the call or registration */
	VERDICT_MAX
};

/* What happens to the packet. */
enum verdict_action {
	ACTION_FORWARD = 0,
	ACTION_DROP,
	ACTION_REPLY,
};

const char *verdict_reason_name(enum verdict_reason r);

#endif
