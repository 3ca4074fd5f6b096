/* SPDX-License-Identifier: GPL-2.0 */
/* Whether the caller may load BPF programs, asked the same way by both tools. */
#ifndef __DMABUFSTAT_PERM_H
#define __DMABUFSTAT_PERM_H

#include <stdbool.h>

#include "libdmabufstat.h"

/*
 * The backends in o need BPF and the caller may not load it: says so
 * (one line, the same in both tools) and returns false. AUTO would
 * otherwise fall back quietly to /proc and show only the caller's own
 * processes; a non-BPF backend asked for by name is fine.
 */
bool cli_bpf_permitted(const struct dmabufstat_opts *o);

#endif /* __DMABUFSTAT_PERM_H */
