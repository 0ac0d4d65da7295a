/* SPDX-License-Identifier: BSD-3-Clause */
#include "verdict.h"

static const char *const verdict_names[VERDICT_MAX] = {
	[VERDICT_FORWARDED] = "forwarded",
	[VERDICT_MALFORMED] = "malformed",
	[VERDICT_UNKNOWN_SOURCE] = "unknown_source",
	[VERDICT_BANNED_SOURCE] = "banned_source",
	[VERDICT_SCANNER] = "scanner",
	[VERDICT_SUSPENDED] = "suspended",
	[VERDICT_BLOCKED_DESTINATION] = "blocked_destination",
	[VERDICT_CPS_LIMIT] = "cps_limit",
	[VERDICT_CALL_LIMIT] = "call_limit",
	[VERDICT_USER_LIMIT] = "user_limit",
	[VERDICT_BUDGET_EXHAUSTED] = "budget_exhausted",
	[VERDICT_SIMBOX] = "simbox",
	[VERDICT_EMERGENCY] = "emergency",
	[VERDICT_TABLE_FULL] = "table_full",
};

const char *verdict_reason_name(enum verdict_reason r)
{
	return (unsigned int)r < VERDICT_MAX ? verdict_names[r] : "unknown";
}
