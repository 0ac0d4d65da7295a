/* SPDX-License-Identifier: BSD-3-Clause */
typedef int sw_placeholder_t;
