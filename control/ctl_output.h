/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctl_output: how sipwardenctl shows a result to people. Generic, so a new
 * daemon command needs nothing here: an object prints as `key: value`
 * lines (nested objects as dotted keys), an array of objects as an aligned
 * table, anything else as compact JSON. Text from the daemon is made
 * terminal-safe (control characters as \xNN) wherever it is printed.
 */
#ifndef SIPWARDEN_CTL_OUTPUT_H
#define SIPWARDEN_CTL_OUTPUT_H

#include <stddef.h>
#include <stdio.h>

#include "json.h"

void put_safe(FILE *f, const char *s, size_t len);
void put_compact(FILE *f, const struct json_value *v); /* one line */
void print_human(const struct json_value *result);     /* to stdout */

#endif
