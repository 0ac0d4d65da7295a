/* SPDX-License-Identifier: BSD-3-Clause */
/* json_internal: what the JSON reader and writer share; not an API. */
#ifndef SIPWARDEN_JSON_INTERNAL_H
#define SIPWARDEN_JSON_INTERNAL_H

#include <stddef.h>

/*
 * Length of the well-formed UTF-8 sequence at s (n bytes available), or 0:
 * no overlong forms, no surrogates, nothing past U+10FFFF.
 */
size_t json_utf8_sequence(const unsigned char *s, size_t n);

#endif
