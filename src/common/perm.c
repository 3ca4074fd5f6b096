// SPDX-License-Identifier: GPL-2.0
/* The one refusal of both tools when BPF is not permitted (perm.h). */
#include <stdio.h>
#include <unistd.h>

#include "cli.h"
#include "perm.h"

/* Is capability cap in our effective set (/proc/self/status CapEff)? */
static bool have_cap(int cap)
{
	unsigned long long eff = 0;
	char line[256];
	bool found = false;
	FILE *f;

	f = fopen("/proc/self/status", "r");
	if (!f)
		return geteuid() == 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "CapEff: %llx", &eff) == 1) {
			found = true;
			break;
		}
	fclose(f);
	if (!found)
		return geteuid() == 0;
	return eff & (1ULL << cap);
}

static bool wants_bpf(const struct dmabufstat_opts *o)
{
	return o->buf_backend == DMABUFSTAT_BUF_AUTO ||
	       o->buf_backend == DMABUFSTAT_BUF_BPF_ITER ||
	       o->proc_backend == DMABUFSTAT_PROC_AUTO ||
	       o->proc_backend == DMABUFSTAT_PROC_BPF_TASK;
}

bool cli_bpf_permitted(const struct dmabufstat_opts *o)
{
	const int cap_sys_admin = 21, cap_perfmon = 38, cap_bpf = 39;

	if (!wants_bpf(o) || have_cap(cap_sys_admin) ||
	    (have_cap(cap_bpf) && have_cap(cap_perfmon)))
		return true;
	cli_error("not permitted to load BPF programs: run as root, or with CAP_BPF and CAP_PERFMON (or use --backend procfs to see only your own processes)");
	return false;
}
