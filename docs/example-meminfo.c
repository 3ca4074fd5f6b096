// SPDX-License-Identifier: GPL-2.0
/*
 * example-meminfo: what Android's libdmabufinfo users (meminfo, dumpsys)
 * get, through libdmabufstat's meminfo calls.
 *
 * Build (from the repository, after make):
 *   cc -Isrc docs/example-meminfo.c .output/libdmabufstat.a \
 *      -lbpf -lelf -lz -ljson-c -o example-meminfo
 * Run as root: ./example-meminfo [PID]
 *
 * Prints "total_exported=B kernel_rss=B userspace_rss=B userspace_pss=B",
 * then "buffers=N size=B", one "exporter NAME count=N size=B" line per
 * exporter, and with PID one "ref ino=I size=B fd_refs=N map_refs=N
 * nr_procs=N pss=B" line per buffer the process holds.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "libdmabufstat.h"

int main(int argc, char **argv)
{
	struct dmabufstat_meminfo_perbuf *per = NULL;
	struct dmabufstat_meminfo_ref *refs = NULL;
	struct dmabufstat_meminfo_totals t;
	struct dmabufstat_snapshot *snap = NULL;
	struct dmabufstat *ds;
	size_t i, nr = 0;
	int err, ret = 1;

	ds = dmabufstat_new(NULL);
	if (!ds)
		return 1;
	err = dmabufstat_snapshot(ds, &snap);
	if (err) {
		fprintf(stderr, "Error: %s\n", dmabufstat_errmsg(ds));
		goto out;
	}

	dmabufstat_meminfo_totals(snap, &t);
	printf("total_exported=%" PRIu64 " kernel_rss=%" PRIu64
	       " userspace_rss=%" PRIu64 " userspace_pss=%" PRIu64 "\n",
	       t.total_exported, t.kernel_rss, t.userspace_rss,
	       t.userspace_pss);

	if (dmabufstat_meminfo_per_buffer(snap, &per))
		goto out;
	printf("buffers=%u size=%" PRIu64 "\n", per->total_count,
	       per->total_size);
	for (i = 0; i < per->nr_exporters; i++)
		printf("exporter %s count=%u size=%" PRIu64 "\n",
		       per->exporters[i].exp_name, per->exporters[i].count,
		       per->exporters[i].size);

	if (argc > 1) {
		if (dmabufstat_meminfo_process_refs(snap,
				(uint32_t)strtoul(argv[1], NULL, 10),
				&refs, &nr))
			goto out;
		for (i = 0; i < nr; i++)
			printf("ref ino=%" PRIu64 " size=%" PRIu64
			       " fd_refs=%u map_refs=%u nr_procs=%u pss=%"
			       PRIu64 "\n", refs[i].ino, refs[i].size,
			       refs[i].fd_refs, refs[i].map_refs,
			       refs[i].nr_procs, refs[i].pss);
	}
	ret = 0;
out:
	free(refs);
	dmabufstat_meminfo_per_buffer_free(per);
	dmabufstat_snapshot_free(snap);
	dmabufstat_free(ds);
	return ret;
}
