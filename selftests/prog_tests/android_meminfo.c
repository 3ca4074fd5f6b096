// SPDX-License-Identifier: GPL-2.0
/*
 * android_meminfo: libdmabufstat's meminfo calls (per-buffer stats with
 * per-exporter totals, a process's fd and map references, the totals)
 * against buffers this test makes, and docs/example-meminfo.c built
 * against the static library and run (where a compiler and the sources
 * are: the host; the guest has neither and says SKIP).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "test_progs.h"
#include "bufsrc.h"
#include "libdmabufstat.h"

static void check_api(void)
{
	struct dmabufstat_meminfo_perbuf *per = NULL;
	struct dmabufstat_meminfo_ref *refs = NULL;
	struct dmabufstat_meminfo_totals t;
	const struct dmabufstat_system *sys;
	struct dmabufstat_snapshot *snap = NULL;
	struct dmabufstat *ds = dmabufstat_new(NULL);
	int fd[3] = { -1, -1, -1 }, nr_made = 0, i, dupfd = -1;
	unsigned long ino[3] = { 0 };
	void *map = MAP_FAILED;
	uint64_t sum = 0, cnt = 0;
	size_t nr = 0, j;

	if (!ASSERT_OK_PTR(ds, "dmabufstat_new"))
		return;
	if (!access(DMA_HEAP_DIR "/system", F_OK)) {
		for (i = 0; i < 3; i++) {
			fd[i] = heap_alloc("system", 8192 * (i + 1));
			if (!ASSERT_OK_FD(fd[i], "heap_alloc"))
				goto out;
			ino[i] = ino_of_fd(fd[i]);
			nr_made++;
		}
		dupfd = dup(fd[0]);
		map = mmap(NULL, 8192, PROT_READ, MAP_SHARED, fd[1], 0);
		ASSERT_NEQ(map, MAP_FAILED, "mmap");
	}
	if (!ASSERT_OK(dmabufstat_snapshot(ds, &snap), dmabufstat_errmsg(ds)))
		goto out;
	sys = dmabufstat_totals(snap);
	if (!ASSERT_OK(dmabufstat_meminfo_per_buffer(snap, &per), "per_buffer"))
		goto out;
	ASSERT_EQ(per->nr_bufs, dmabufstat_nr_buffers(snap), "nr_bufs");
	ASSERT_EQ((uint64_t)per->total_count, sys->count, "total_count");
	ASSERT_EQ(per->total_size, sys->bytes, "total_size");
	for (j = 0; j < per->nr_exporters; j++) {
		sum += per->exporters[j].size;
		cnt += per->exporters[j].count;
	}
	ASSERT_EQ(sum, sys->bytes, "exporters' bytes add up");
	ASSERT_EQ(cnt, sys->count, "exporters' counts add up");

	dmabufstat_meminfo_totals(snap, &t);
	ASSERT_EQ(t.total_exported, sys->bytes, "total_exported");
	ASSERT_EQ(t.kernel_rss, sys->bytes - sys->userspace_bytes, "kernel_rss");
	ASSERT_EQ(t.userspace_rss, sys->userspace_rss, "userspace_rss");
	ASSERT_EQ(t.userspace_pss, sys->userspace_pss, "userspace_pss");

	ASSERT_OK(dmabufstat_meminfo_process_refs(snap, getpid(), &refs, &nr),
		  "process_refs");
	ASSERT_EQ(nr, (size_t)nr_made, "one ref entry per buffer we hold");
	for (i = 0; i < nr_made; i++) {
		for (j = 0; j < nr; j++)
			if (refs[j].ino == ino[i])
				break;
		if (!ASSERT_LT(j, nr, "our buffer listed"))
			continue;
		ASSERT_EQ(refs[j].size, (uint64_t)8192 * (i + 1), "ref size");
		ASSERT_EQ(refs[j].fd_refs, i == 0 ? 2u : 1u, "fd_refs (dup counts)");
		ASSERT_EQ(refs[j].map_refs, i == 1 ? 1u : 0u, "map_refs");
		ASSERT_EQ(refs[j].nr_procs, 1u, "nr_procs");
		ASSERT_EQ(refs[j].pss, refs[j].size, "pss = size, one holder");
		ASSERT_STREQ(refs[j].exp_name, "system", "exp_name");
	}
	if (!nr_made)
		printf("no buffer source here: totals only (zero buffers)\n");
out:
	free(refs);
	dmabufstat_meminfo_per_buffer_free(per);
	dmabufstat_snapshot_free(snap);
	dmabufstat_free(ds);
	if (map != MAP_FAILED)
		munmap(map, 8192);
	if (dupfd >= 0)
		close(dupfd);
	for (i = 0; i < 3; i++)
		if (fd[i] >= 0)
			close(fd[i]);
}

/* The repository: test_progs lives in REPO/.output/bin. */
static bool repo_dir(char *buf, size_t len)
{
	ssize_t n = readlink("/proc/self/exe", buf, len - 1);
	char *s;
	int i;

	if (n <= 0)
		return false;
	buf[n] = '\0';
	for (i = 0; i < 3; i++) {
		s = strrchr(buf, '/');
		if (!s)
			return false;
		*s = '\0';
	}
	return true;
}

static void check_example(void)
{
	char repo[4096], cmd[16384], out[4096] = "", bin[] = "/tmp/example-meminfo.XXXXXX";
	size_t n;
	FILE *p;
	int st, fd;

	char src[4200], lib[4200];

	if (repo_dir(repo, sizeof(repo))) {
		snprintf(src, sizeof(src), "%s/docs/example-meminfo.c", repo);
		snprintf(lib, sizeof(lib), "%s/.output/libdmabufstat.a", repo);
	}
	if (!repo_dir(repo, sizeof(repo)) || access(src, R_OK) ||
	    access(lib, R_OK) ||
	    system("command -v cc >/dev/null 2>&1")) {
		test__skip_reason("no sources, static library or compiler here (the guest): built and run on the host");
		return;
	}
	fd = mkstemp(bin);
	if (!ASSERT_OK_FD(fd, "mkstemp"))
		return;
	close(fd);
	snprintf(cmd, sizeof(cmd),
		 "cc -Wall -Wextra -Werror -I%s/src %s %s -lbpf -lelf -lz -ljson-c -o %s 2>&1",
		 repo, src, lib, bin);
	fflush(stdout);
	st = system(cmd);
	if (!ASSERT_EQ(WIFEXITED(st) ? WEXITSTATUS(st) : -1, 0, "example builds"))
		goto out;
	snprintf(cmd, sizeof(cmd), "%s %d", bin, getpid());
	p = popen(cmd, "r");
	if (!ASSERT_OK_PTR(p, "run example"))
		goto out;
	n = fread(out, 1, sizeof(out) - 1, p);
	out[n] = '\0';
	st = pclose(p);
	ASSERT_EQ(WIFEXITED(st) ? WEXITSTATUS(st) : -1, 0, "example exit");
	ASSERT_STRNEQ(out, "total_exported=", 15, "example totals line");
	ASSERT_HAS_SUBSTR(out, "\nbuffers=", "example buffers line");
out:
	unlink(bin);
}

void test_android_meminfo(void)
{
	if (test__start_subtest("api"))
		check_api();
	if (test__start_subtest("example"))
		check_example();
}
