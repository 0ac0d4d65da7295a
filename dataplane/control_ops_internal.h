/* SPDX-License-Identifier: BSD-3-Clause */
/* control_ops_internal: what control_ops.c and control_reads.c share. */
#ifndef SIPWARDEN_CONTROL_OPS_INTERNAL_H
#define SIPWARDEN_CONTROL_OPS_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "control_ops.h"

/* From now on reports of `slot` start from zero. */
void control_ops_rebase(struct control_ops *c, uint32_t slot);

/* The reading commands (control_reads.c). */
int cmd_calls_list(void *ctx, const struct json_value *args,
		   struct json_writer *w, char *err, size_t errlen);
int cmd_regs_list(void *ctx, const struct json_value *args,
		  struct json_writer *w, char *err, size_t errlen);
int cmd_stats(void *ctx, const struct json_value *args, struct json_writer *w,
	      char *err, size_t errlen);
int cmd_stats_reset(void *ctx, const struct json_value *args,
		    struct json_writer *w, char *err, size_t errlen);

/* The event stream (control_events.c): `events`, and the announcement of
 * every change a command made (the `after` of the changing commands). */
int cmd_events(void *ctx, const struct json_value *args,
	       struct json_writer *w, char *err, size_t errlen);
void control_ops_announce(void *ctx, const char *cmd,
			  const struct json_value *args, const char *result,
			  size_t result_len);

#endif
