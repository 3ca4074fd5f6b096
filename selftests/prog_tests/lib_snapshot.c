// SPDX-License-Identifier: GPL-2.0
/*
 * libdmabufstat against the kernel's own accounts.
 *
 * On a machine without buffer sources (the host) the library must take
 * snapshots with the BPF backend and with /proc, and find nothing. Where
 * there are sources (the guest) dmabuf-workload makes its known population
 * and every figure of a snapshot, through every backend the kernel offers,
 * is checked against ground truth gathered here independently of the
 * library: debugfs bufinfo (buffers, exporters, devices), /proc/<pid>/fd +
 * fdinfo and /proc/<pid>/maps (holders, rss, pss, uid, cgroup) and the
 * workload's manifest (its own bookkeeping). Nothing expected is
 * hard-coded: it all comes from those sources in the same run.
 */
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>

#include "test_progs.h"
#include "workload.h"
#include "bufsrc.h"
#include <linux/types.h>
#include "libdmabufstat.h"
#include "dmabufstat.h"
#include "sources/records.h"

#define MAX_TRUTH	4096

/* ------------------------------------------------------------------ */
/* Ground truth from /proc                                            */

struct gt_ref {
	pid_t pid;
	bool map;		/* else fd */
	unsigned long ino;
};

struct gt_proc {
	pid_t pid;
	char comm[16];
	unsigned int uid;
	unsigned long long cgroup_id;	/* 0: unknown */
	int nr_fds, nr_maps;
};

static struct {
	struct gt_ref refs[MAX_TRUTH];
	int nr_refs;
	struct gt_proc procs[1024];
	int nr_procs;
	struct bufinfo bi;
	bool have_bi;
} gt;

static void read_str(const char *path, char *dst, size_t size)
{
	FILE *f = fopen(path, "r");

	dst[0] = '\0';
	if (!f)
		return;
	if (fgets(dst, size, f))
		dst[strcspn(dst, "\n")] = '\0';
	fclose(f);
}

static struct gt_proc *gt_proc(pid_t pid)
{
	struct gt_proc *p;
	char path[64], line[512];
	FILE *f;
	int i;

	for (i = 0; i < gt.nr_procs; i++)
		if (gt.procs[i].pid == pid)
			return &gt.procs[i];
	if (gt.nr_procs == (int)(sizeof(gt.procs) / sizeof(gt.procs[0])))
		return NULL;
	p = &gt.procs[gt.nr_procs++];
	memset(p, 0, sizeof(*p));
	p->pid = pid;
	snprintf(path, sizeof(path), "/proc/%d/comm", pid);
	read_str(path, p->comm, sizeof(p->comm));
	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	f = fopen(path, "r");
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "Uid: %u", &p->uid) == 1)
			break;
	if (f)
		fclose(f);
	snprintf(path, sizeof(path), "/proc/%d/cgroup", pid);
	f = fopen(path, "r");
	while (f && fgets(line, sizeof(line), f)) {
		char cg[700];
		struct stat st;

		if (strncmp(line, "0::", 3))
			continue;
		line[strcspn(line, "\n")] = '\0';
		snprintf(cg, sizeof(cg), "/sys/fs/cgroup%s", line + 3);
		if (!stat(cg, &st))
			p->cgroup_id = st.st_ino;
	}
	if (f)
		fclose(f);
	return p;
}

static void gt_add(pid_t pid, bool map, unsigned long ino)
{
	struct gt_proc *p = gt_proc(pid);

	if (!p || gt.nr_refs == MAX_TRUTH)
		return;
	gt.refs[gt.nr_refs++] = (struct gt_ref){ pid, map, ino };
	if (map)
		p->nr_maps++;
	else
		p->nr_fds++;
}

static bool gt_collect(void)
{
	struct dmabuf_fdinfo fi;
	struct dirent *de, *fe;
	char path[64], line[512];
	DIR *d, *fd_dir;
	FILE *f;
	pid_t pid;

	bufinfo_free(&gt.bi);
	memset(&gt, 0, sizeof(gt));
	gt.have_bi = !bufinfo_read(&gt.bi);
	d = opendir("/proc");
	if (!ASSERT_OK_PTR(d, "opendir /proc"))
		return false;
	while ((de = readdir(d))) {
		pid = atoi(de->d_name);
		if (pid <= 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/fd", pid);
		fd_dir = opendir(path);
		while (fd_dir && (fe = readdir(fd_dir))) {
			int fd = atoi(fe->d_name);

			if (fe->d_name[0] < '0' || fe->d_name[0] > '9')
				continue;
			if (!fdinfo_read(pid, fd, &fi))
				gt_add(pid, false, fi.ino);
		}
		if (fd_dir)
			closedir(fd_dir);
		snprintf(path, sizeof(path), "/proc/%d/maps", pid);
		f = fopen(path, "r");
		while (f && fgets(line, sizeof(line), f)) {
			unsigned long ino;

			if (strstr(line, " /dmabuf:") &&
			    sscanf(line, "%*x-%*x %*s %*x %*s %lu", &ino) == 1)
				gt_add(pid, true, ino);
		}
		if (f)
			fclose(f);
	}
	closedir(d);
	return true;
}

/* distinct pids holding ino */
static int gt_nr_holders(unsigned long ino)
{
	pid_t seen[256];
	int i, j, n = 0;

	for (i = 0; i < gt.nr_refs; i++) {
		if (gt.refs[i].ino != ino)
			continue;
		for (j = 0; j < n; j++)
			if (seen[j] == gt.refs[i].pid)
				break;
		if (j == n && n < 256)
			seen[n++] = gt.refs[i].pid;
	}
	return n;
}

static bool gt_holds(pid_t pid, unsigned long ino)
{
	int i;

	for (i = 0; i < gt.nr_refs; i++)
		if (gt.refs[i].pid == pid && gt.refs[i].ino == ino)
			return true;
	return false;
}

/* ------------------------------------------------------------------ */
/* The workload                                                       */

static struct workload wl = WORKLOAD_INIT;

static struct manifest mf;

static bool read_manifest(void)
{
	if (manifest_read(wl.manifest, &mf))
		return false;
	printf("manifest: %d processes, %d buffers, %d kernel-only\n",
	       mf.nr_procs, mf.nr_bufs, mf.kernel_only);
	return ASSERT_GT(mf.nr_bufs, 0, "manifest lists buffers");
}

/* ------------------------------------------------------------------ */
/* Checking a snapshot                                                */

static bool is_vanilla(void)
{
	const char *k = getenv("DMABUFSTAT_KERNEL");

	return k && !strcmp(k, "vanilla");
}

static struct dmabufstat_snapshot *take(const char *spec,
					struct dmabufstat **dsp)
{
	struct dmabufstat_opts opts = { .sz = sizeof(opts) };
	struct dmabufstat_snapshot *snap = NULL;
	struct dmabufstat *ds;
	int err;

	*dsp = NULL;
	if (!ASSERT_OK(dmabufstat_parse_backend(spec, &opts.buf_backend,
						&opts.proc_backend),
		       "parse backend"))
		return NULL;
	ds = dmabufstat_new(&opts);
	if (!ASSERT_OK_PTR(ds, "dmabufstat_new"))
		return NULL;
	err = dmabufstat_snapshot(ds, &snap);
	if (err == -EOPNOTSUPP &&
	    dmabufstat_errclass(ds) == DMABUFSTAT_E_NO_ITER) {
		/* the kernel lacks the iterator: only ever on vanilla */
		if (getenv("DMABUFSTAT_KERNEL"))
			ASSERT_TRUE(is_vanilla(), "no iterator only on vanilla");
		test__skip_reason("backend %s: %s", spec, dmabufstat_errmsg(ds));
		dmabufstat_free(ds);
		return NULL;
	}
	if (err == -ENOENT &&
	    dmabufstat_errclass(ds) == DMABUFSTAT_E_NO_SOURCE) {
		test__skip_reason("backend %s: %s", spec, dmabufstat_errmsg(ds));
		dmabufstat_free(ds);
		return NULL;
	}
	if (!ASSERT_OK(err, "dmabufstat_snapshot")) {
		printf("backend %s: %s\n", spec, dmabufstat_errmsg(ds));
		dmabufstat_free(ds);
		return NULL;
	}
	printf("backend %s -> %s%s%s%s\n", spec,
	       dmabufstat_snapshot_backend_name(snap),
	       dmabufstat_fallback_reason(ds)[0] ? " (fallback: " : "",
	       dmabufstat_fallback_reason(ds),
	       dmabufstat_fallback_reason(ds)[0] ? ")" : "");
	ASSERT_STREQ(dmabufstat_snapshot_backend_name(snap),
		     dmabufstat_backend_name(ds), "backend name reported");
	*dsp = ds;
	return snap;
}

static unsigned long long gt_size(unsigned long ino)
{
	const struct bufinfo_buf *b = bufinfo_find(&gt.bi, ino);

	return b ? b->size : 0;
}

/* Every figure of snap against gt, bufinfo and the manifest. */
static void check_snapshot(const struct dmabufstat_snapshot *snap)
{
	enum dmabufstat_buf_backend bb = dmabufstat_snapshot_buf_backend(snap);
	bool knows_all = bb == DMABUFSTAT_BUF_BPF_ITER ||
			 bb == DMABUFSTAT_BUF_BUFINFO;
	const struct dmabufstat_system *t = dmabufstat_totals(snap);
	unsigned long long bytes = 0, kbytes = 0, urss = 0, upss = 0;
	unsigned long long ubytes = 0;
	size_t i, j, idx;
	int k, n, kcount = 0;

	/* buffers: as bufinfo, one by one */
	ASSERT_EQ(dmabufstat_nr_buffers(snap), (size_t)gt.bi.nr,
		  "buffers: as many as bufinfo");
	for (k = 0; k < gt.bi.nr; k++) {
		const struct bufinfo_buf *g = &gt.bi.bufs[k];
		const struct dmabufstat_buffer *b;
		int holders = gt_nr_holders(g->ino);

		b = dmabufstat_find_buffer(snap, g->ino, &idx);
		if (!ASSERT_OK_PTR(b, "buffer of bufinfo in snapshot")) {
			printf("ino %lu missing\n", g->ino);
			continue;
		}
		bytes += g->size;
		if (!holders) {
			kbytes += g->size;
			kcount++;
		} else {
			ubytes += g->size;
		}
		ASSERT_EQ(b->size, g->size, "buffer size");
		ASSERT_STREQ(b->exporter, g->exp_name, "buffer exp_name");
		ASSERT_EQ(b->nr_procs, holders, "buffer nr_procs");
		ASSERT_EQ(!!(b->flags & DMABUFSTAT_BUF_USERSPACE), holders > 0,
			  "userspace flag");
		for (j = 0; j < b->nr_procs; j++) {
			const struct dmabufstat_holder *h =
				dmabufstat_buffer_holder(snap, idx, j);
			const struct dmabufstat_process *p =
				dmabufstat_process(snap, h->proc);

			ASSERT_EQ(h->buf, idx, "holder's buffer");
			ASSERT_TRUE(gt_holds(p->pid, g->ino), "holder in /proc");
			ASSERT_EQ(h->pss, g->size / b->nr_procs, "holder pss");
		}
		if (knows_all || holders) {
			ASSERT_EQ(!!(b->flags & DMABUFSTAT_BUF_HAS_NAME),
				  g->has_name, "has name");
			/* bufinfo cuts a name at a newline; else exact */
			if (!strchr(b->name, '\n'))
				ASSERT_STREQ(b->name, g->name, "buffer name");
		}
		if (knows_all) {
			ASSERT_EQ(b->file_count, g->count, "file count");
			ASSERT_EQ(b->nr_attach, g->nr_attached, "attachments");
			for (n = 0; n < g->nr_attached &&
			     n < DMABUFSTAT_ATTACH_NAMES; n++)
				ASSERT_STREQ(b->attach[n], g->attached[n],
					     "attached device");
		}
		if (bb == DMABUFSTAT_BUF_BPF_ITER)
			ASSERT_GE(b->vmap_count, 0, "vmap count known");
	}

	/* processes: as /proc, one by one */
	n = 0;
	for (k = 0; k < gt.nr_procs; k++) {
		const struct gt_proc *g = &gt.procs[k];
		const struct dmabufstat_process *p;
		unsigned long long rss = 0, pss = 0;
		unsigned long seen[256];
		int r, s, nr_seen = 0;

		p = dmabufstat_find_process(snap, g->pid, &idx);
		if (!ASSERT_OK_PTR(p, "process of /proc in snapshot")) {
			printf("pid %d missing\n", g->pid);
			continue;
		}
		n++;
		for (r = 0; r < gt.nr_refs; r++) {
			if (gt.refs[r].pid != g->pid)
				continue;
			for (s = 0; s < nr_seen; s++)
				if (seen[s] == gt.refs[r].ino)
					break;
			if (s < nr_seen || nr_seen == 256)
				continue;
			seen[nr_seen++] = gt.refs[r].ino;
			rss += gt_size(gt.refs[r].ino);
			pss += gt_size(gt.refs[r].ino) /
			       gt_nr_holders(gt.refs[r].ino);
		}
		urss += rss;
		upss += pss;
		ASSERT_EQ(p->rss, rss, "process rss");
		ASSERT_EQ(p->pss, pss, "process pss");
		ASSERT_EQ(p->nr_bufs, nr_seen, "process buffers");
		ASSERT_EQ(p->nr_fds, g->nr_fds, "process fds");
		ASSERT_EQ(p->nr_maps, g->nr_maps, "process maps");
		ASSERT_EQ(p->nr_refs, g->nr_fds + g->nr_maps, "process refs");
		ASSERT_EQ(p->uid, g->uid, "process uid");
		ASSERT_STREQ(p->comm, g->comm, "process comm");
		if (g->cgroup_id)
			ASSERT_EQ(p->cgroup_id, g->cgroup_id, "process cgroup");
		for (j = 0; j < p->nr_bufs; j++) {
			const struct dmabufstat_holder *h =
				dmabufstat_process_holder(snap, idx, j);

			ASSERT_EQ(h->proc, idx, "process holder's process");
			ASSERT_TRUE(gt_holds(g->pid,
					     dmabufstat_buffer(snap, h->buf)->ino),
				    "process holder in /proc");
			if (j)
				ASSERT_LT(dmabufstat_process_holder(snap, idx,
								    j - 1)->buf,
					  h->buf, "holders by inode");
		}
		for (j = 0; j < p->nr_refs; j++)
			ASSERT_TRUE(gt_holds(g->pid, dmabufstat_process_ref(snap,
					idx, j)->ino), "reference in /proc");
		if (test__verbose())
			printf("pid %d %s: rss %llu pss %llu fds %d maps %d\n",
			       g->pid, g->comm, rss, pss, g->nr_fds,
			       g->nr_maps);
	}
	ASSERT_EQ(dmabufstat_nr_processes(snap), (size_t)n,
		  "processes: as many as /proc");

	/* system figures */
	ASSERT_EQ(t->count, (uint64_t)gt.bi.nr, "total count");
	ASSERT_EQ(t->bytes, bytes, "total bytes");
	if (gt.bi.total_objects)
		ASSERT_EQ(t->bytes, gt.bi.total_bytes, "bufinfo's total");
	ASSERT_EQ(t->kernel_bytes, kbytes, "kernel-only bytes");
	ASSERT_EQ(t->kernel_count, kcount, "kernel-only count");
	ASSERT_EQ(t->userspace_bytes, ubytes, "userspace bytes");
	ASSERT_EQ(t->userspace_rss, urss, "userspace rss");
	ASSERT_EQ(t->userspace_pss, upss, "userspace pss");
	ASSERT_EQ(t->nr_procs, n, "total processes");

	/* exporters: per kernel name, as bufinfo */
	for (i = 0; i < dmabufstat_nr_exporters(snap); i++) {
		const struct dmabufstat_exporter *e =
			dmabufstat_exporter(snap, i);
		unsigned long long want_bytes = 0, got_bytes = 0;
		unsigned long long want_count = 0, got_count = 0;

		for (k = 0; k < gt.bi.nr; k++)
			if (!strcmp(gt.bi.bufs[k].exp_name, e->exp_name)) {
				want_count++;
				want_bytes += gt.bi.bufs[k].size;
			}
		for (j = 0; j < dmabufstat_nr_exporters(snap); j++) {
			const struct dmabufstat_exporter *o =
				dmabufstat_exporter(snap, j);

			if (!strcmp(o->exp_name, e->exp_name)) {
				got_count += o->count;
				got_bytes += o->bytes;
			}
		}
		printf("exporter %s (%s%s): %llu buffers, %llu bytes\n",
		       e->name, e->exp_name, e->resolved ? ", resolved" : "",
		       (unsigned long long)e->count,
		       (unsigned long long)e->bytes);
		ASSERT_EQ(got_count, want_count, "exporter count");
		ASSERT_EQ(got_bytes, want_bytes, "exporter bytes");
	}

	/* attached devices, as bufinfo */
	if (knows_all) {
		size_t nr_dev = 0;

		for (k = 0; k < gt.bi.nr; k++) {
			const struct bufinfo_buf *g = &gt.bi.bufs[k];

			for (n = 0; n < g->nr_attached; n++) {
				const struct dmabufstat_device *d = NULL;
				unsigned long long cnt = 0, sz = 0;
				int m, o;

				/* first buffer naming this device: sum all */
				for (m = 0; m < k; m++)
					for (o = 0; o < gt.bi.bufs[m].nr_attached; o++)
						if (!strcmp(gt.bi.bufs[m].attached[o], g->attached[n]))
							goto next;
				for (m = 0; m < gt.bi.nr; m++)
					for (o = 0; o < gt.bi.bufs[m].nr_attached; o++)
						if (!strcmp(gt.bi.bufs[m].attached[o], g->attached[n])) {
							cnt++;
							sz += gt.bi.bufs[m].size;
							break;
						}
				nr_dev++;
				for (i = 0; i < dmabufstat_nr_devices(snap); i++)
					if (!strcmp(dmabufstat_device(snap, i)->name,
						    g->attached[n]))
						d = dmabufstat_device(snap, i);
				if (ASSERT_OK_PTR(d, "device of bufinfo")) {
					printf("device %s: %llu buffers, %llu bytes\n",
					       d->name,
					       (unsigned long long)d->count,
					       (unsigned long long)d->bytes);
					ASSERT_EQ(d->count, cnt, "device count");
					ASSERT_EQ(d->bytes, sz, "device bytes");
				}
next:
				;
			}
		}
		ASSERT_EQ(dmabufstat_nr_devices(snap), nr_dev, "devices");
	}

	/* uids and cgroups: rss over distinct buffers, pss summed */
	for (i = 0; i < dmabufstat_nr_uids(snap); i++) {
		const struct dmabufstat_group *g = dmabufstat_uid(snap, i);
		unsigned long long rss = 0, pss = 0;
		int procs = 0, bufs = 0;

		for (k = 0; k < gt.bi.nr; k++) {
			unsigned long ino = gt.bi.bufs[k].ino;

			for (n = 0; n < gt.nr_refs; n++)
				if (gt.refs[n].ino == ino &&
				    gt_proc(gt.refs[n].pid)->uid == g->id)
					break;
			if (n < gt.nr_refs) {
				rss += gt.bi.bufs[k].size;
				bufs++;
			}
		}
		for (j = 0; j < dmabufstat_nr_processes(snap); j++) {
			const struct dmabufstat_process *p =
				dmabufstat_process(snap, j);

			if (p->uid == g->id) {
				pss += p->pss;
				procs++;
			}
		}
		printf("uid %llu: %d processes, rss %llu, pss %llu\n",
		       (unsigned long long)g->id, procs, rss, pss);
		ASSERT_EQ(g->rss, rss, "uid rss");
		ASSERT_EQ(g->pss, pss, "uid pss");
		ASSERT_EQ(g->nr_procs, procs, "uid processes");
		ASSERT_EQ(g->nr_bufs, bufs, "uid buffers");
	}
	if (n)
		ASSERT_GT(dmabufstat_nr_uids(snap), 0, "some uid");
	if (n)
		ASSERT_GT(dmabufstat_nr_cgroups(snap), 0, "some cgroup");

	/* the workload's own bookkeeping */
	for (k = 0; k < mf.nr_bufs; k++) {
		const struct mf_buf *m = &mf.bufs[k];
		const struct dmabufstat_buffer *b;
		int h;

		b = dmabufstat_find_buffer(snap, m->ino, &idx);
		if (!ASSERT_OK_PTR(b, "manifest buffer in snapshot")) {
			printf("manifest ino %lu (%s) missing\n", m->ino,
			       m->name);
			continue;
		}
		ASSERT_EQ(b->size, m->size, "manifest size");
		ASSERT_STREQ(b->exporter, m->exp_name, "manifest exporter");
		if (knows_all || m->nr_holders)
			ASSERT_STREQ(b->name, m->name, "manifest name");
		ASSERT_EQ(b->nr_procs, m->nr_holders, "manifest holders");
		for (h = 0; h < m->nr_holders; h++) {
			for (j = 0; j < b->nr_procs; j++) {
				const struct dmabufstat_holder *x =
					dmabufstat_buffer_holder(snap, idx, j);

				if (dmabufstat_process(snap, x->proc)->pid ==
				    (uint32_t)m->holders[h])
					break;
			}
			ASSERT_LT(j, b->nr_procs, "manifest holder found");
		}
	}
	for (k = 0; k < mf.nr_procs; k++) {
		const struct dmabufstat_process *p =
			dmabufstat_find_process(snap, mf.procs[k].pid, NULL);

		if (ASSERT_OK_PTR(p, "manifest process in snapshot"))
			ASSERT_STRNEQ(p->comm, mf.procs[k].comm, 15,
				      "manifest comm");
	}
	if (mf.nr_bufs)
		ASSERT_GE(t->kernel_bytes, mf.kernel_only_bytes,
			  "manifest kernel-only bytes");
}

/* ------------------------------------------------------------------ */
/* Subtests                                                           */

/* No sources (the host): BPF and /proc snapshots, both empty. */
static void subtest_idle(const char *spec)
{
	struct dmabufstat_snapshot *snap;
	struct dmabufstat *ds;

	if (have_buffer_source()) {
		test__skip_reason("buffer sources present: see the workload subtests");
		return;
	}
	snap = take(spec, &ds);
	if (!snap)
		return;
	if (!strcmp(spec, "auto") && !access("/sys/kernel/btf/vmlinux", F_OK))
		ASSERT_EQ(dmabufstat_snapshot_proc_backend(snap),
			  DMABUFSTAT_PROC_BPF_TASK, "auto: BPF task iterators");
	if (!strcmp(spec, "procfs")) {
		ASSERT_EQ(dmabufstat_snapshot_proc_backend(snap),
			  DMABUFSTAT_PROC_PROCFS, "procfs backend");
		ASSERT_NEQ(dmabufstat_snapshot_buf_backend(snap),
			   DMABUFSTAT_BUF_BPF_ITER, "procfs: no BPF");
	}
	ASSERT_EQ(dmabufstat_nr_buffers(snap), 0, "no buffers");
	ASSERT_EQ(dmabufstat_nr_processes(snap), 0, "no processes");
	ASSERT_EQ(dmabufstat_totals(snap)->bytes, 0, "no bytes");
	ASSERT_EQ(dmabufstat_nr_exporters(snap), 0, "no exporters");
	dmabufstat_snapshot_free(snap);
	dmabufstat_free(ds);
}

static void subtest_backend(const char *spec)
{
	struct dmabufstat_snapshot *snap;
	struct dmabufstat *ds;

	if (wl.pid <= 0) {
		test__skip_reason("no workload (no buffer sources)");
		return;
	}
	if (!gt.have_bi) {
		test__skip_reason("no " BUFINFO_PATH " for ground truth");
		return;
	}
	snap = take(spec, &ds);
	if (!snap)
		return;
	check_snapshot(snap);
	dmabufstat_snapshot_free(snap);
	dmabufstat_free(ds);
}

/* auto picks the iterator where the kernel has it, and says so */
static void subtest_auto_choice(void)
{
	struct dmabufstat_snapshot *snap;
	struct dmabufstat *ds;
	struct stat st;
	bool iter;

	snap = take("auto", &ds);
	if (!snap)
		return;
	iter = dmabufstat_snapshot_buf_backend(snap) == DMABUFSTAT_BUF_BPF_ITER;
	printf("auto: %s\n", dmabufstat_snapshot_backend_name(snap));
	if (getenv("DMABUFSTAT_KERNEL")) {
		ASSERT_EQ(iter, !is_vanilla(), "iterator iff patched");
		if (is_vanilla())
			ASSERT_HAS_SUBSTR(dmabufstat_fallback_reason(ds),
					  "iterator", "fallback reason given");
	}
	if (!iter && !stat(BUFINFO_PATH, &st))
		ASSERT_EQ(dmabufstat_snapshot_buf_backend(snap),
			  DMABUFSTAT_BUF_BUFINFO, "bufinfo preferred");
	dmabufstat_snapshot_free(snap);
	dmabufstat_free(ds);
}

/* diff: the workload's buffers appear, then go */
static void subtest_diff(void)
{
	struct dmabufstat_snapshot *before = NULL, *during = NULL;
	struct dmabufstat_diff *d = NULL;
	struct dmabufstat *ds1 = NULL, *ds2 = NULL;
	size_t i;
	int k, found = 0;

	if (wl.pid <= 0 || !mf.nr_bufs) {
		test__skip_reason("no workload (no buffer sources)");
		return;
	}
	/* "before" is the snapshot of now with every workload buffer gone:
	 * compare the running snapshot with an empty one both ways */
	during = take("auto", &ds1);
	if (!during)
		return;
	before = take("auto+none", &ds2);
	if (!before)
		goto out;
	if (!ASSERT_OK(dmabufstat_diff(during, before, &d), "diff"))
		goto out;
	/* same buffers, no process: only process deltas (all gone) */
	ASSERT_EQ(dmabufstat_diff_nr_buffers(d), 0, "same buffers");
	ASSERT_EQ(dmabufstat_diff_nr_processes(d),
		  dmabufstat_nr_processes(during), "every process gone");
	for (i = 0; i < dmabufstat_diff_nr_processes(d); i++) {
		const struct dmabufstat_proc_delta *p =
			dmabufstat_diff_process(d, i);

		ASSERT_EQ(p->change, DMABUFSTAT_FREED, "process gone");
		ASSERT_EQ(p->rss, -(int64_t)p->old_proc->rss, "rss delta");
	}
	ASSERT_EQ(dmabufstat_diff_totals(d)->userspace_rss,
		  -(int64_t)dmabufstat_totals(during)->userspace_rss,
		  "total rss delta");
	dmabufstat_diff_free(d);
	d = NULL;

	/* and after the workload exits, its buffers are FREED */
	workload_stop(&wl);
	dmabufstat_snapshot_free(before);
	dmabufstat_free(ds2);
	before = take("auto", &ds2);
	if (!before)
		goto out;
	if (!ASSERT_OK(dmabufstat_diff(during, before, &d), "diff after exit"))
		goto out;
	for (i = 0; i < dmabufstat_diff_nr_buffers(d); i++) {
		const struct dmabufstat_buf_delta *b =
			dmabufstat_diff_buffer(d, i);

		for (k = 0; k < mf.nr_bufs; k++)
			if (mf.bufs[k].ino == b->ino) {
				ASSERT_EQ(b->change, DMABUFSTAT_FREED,
					  "workload buffer freed");
				ASSERT_EQ(b->old_size, mf.bufs[k].size,
					  "freed size");
				found++;
			}
	}
	ASSERT_EQ(found, mf.nr_bufs, "every workload buffer freed");
out:
	dmabufstat_diff_free(d);
	dmabufstat_snapshot_free(before);
	dmabufstat_snapshot_free(during);
	dmabufstat_free(ds1);
	dmabufstat_free(ds2);
}

/* pin: a readable iterator file in bpffs, no clobbering unless forced */
static void subtest_pin(void)
{
	struct dmabufstat_pin_opts po = { .sz = sizeof(po) };
	char dir[64], path[128], *raw = NULL, *tmp;
	struct collect c = {};
	struct dmabufstat *ds;
	size_t total = 0, cap = 0;
	ssize_t n = 0;
	int fd, err;

	snprintf(dir, sizeof(dir), "/sys/fs/bpf/lib_snapshot_%d", getpid());
	ds = dmabufstat_new(NULL);
	if (!ASSERT_OK_PTR(ds, "new"))
		return;
	err = dmabufstat_pin(ds, dir, NULL);
	if (err && (dmabufstat_errclass(ds) == DMABUFSTAT_E_NO_ITER ||
		    dmabufstat_errclass(ds) == DMABUFSTAT_E_NO_BPFFS)) {
		test__skip_reason("%s", dmabufstat_errmsg(ds));
		goto out;
	}
	if (!ASSERT_OK(err, "pin")) {
		printf("pin: %s\n", dmabufstat_errmsg(ds));
		goto out;
	}
	snprintf(path, sizeof(path), "%s/%s", dir, DMABUFSTAT_PIN_BUFFERS);
	fd = open(path, O_RDONLY);
	if (ASSERT_OK_FD(fd, "open pinned iterator")) {
		do {
			if (cap - total < 4096) {
				cap = cap ? cap * 2 : 65536;
				tmp = realloc(raw, cap);
				if (!ASSERT_OK_PTR(tmp, "realloc"))
					break;
				raw = tmp;
			}
			n = read(fd, raw + total, cap - total);
			if (n > 0)
				total += n;
		} while (n > 0);
		ASSERT_GE(n, 0, "read pinned iterator");
		close(fd);
		/* the library's reader checks the documented format */
		if (raw && ASSERT_OK(rec_decode(ds, DMABUFSTAT_STREAM_BUFS, raw,
						total, &c), "pinned records") &&
		    gt.have_bi && wl.pid > 0)
			ASSERT_EQ(c.nr_bufs, gt.bi.nr, "one record per buffer");
		printf("pinned iterator gave %zu bytes, %zu buffers\n", total,
		       c.nr_bufs);
		collect_free(&c);
		free(raw);
	}
	ASSERT_EQ(dmabufstat_pin(ds, dir, NULL), -EEXIST, "no clobbering");
	ASSERT_EQ(dmabufstat_errclass(ds), DMABUFSTAT_E_EXIST, "EXIST class");
	po.force = true;
	ASSERT_OK(dmabufstat_pin(ds, dir, &po), "forced pin");
	ASSERT_OK(dmabufstat_unpin(ds, dir), "unpin");
	ASSERT_ERR(access(path, F_OK), "pin gone");
	ASSERT_ERR(access(dir, F_OK), "dir gone");
	ASSERT_EQ(dmabufstat_pin(ds, "/tmp/not-bpffs/x", NULL), -ENOENT,
		  "not on bpffs");
	ASSERT_EQ(dmabufstat_errclass(ds), DMABUFSTAT_E_NO_BPFFS,
		  "NO_BPFFS class");
out:
	dmabufstat_free(ds);
}

/*
 * dmabufstat_totals_only() and the meminfo total: bufinfo's count and
 * bytes, through each backend that can tell them (the totals program
 * where the kernel has the kfuncs, else the buffer walk).
 */
static bool kernel_has_kfuncs(void)
{
	struct btf *btf = btf__load_vmlinux_btf();
	bool have;

	if (!btf)
		return false;
	have = btf__find_by_name_kind(btf, "bpf_iter_dmabuf_new",
				      BTF_KIND_FUNC) > 0;
	btf__free(btf);
	return have;
}

static void totals_only(const char *spec, int want_path)
{
	struct dmabufstat_opts o = { .sz = sizeof(o) };
	struct dmabufstat_buffer_totals t;
	unsigned long long bytes = 0;
	struct dmabufstat *ds;
	uint64_t exported;
	int i, err;

	if (!ASSERT_OK(dmabufstat_parse_backend(spec, &o.buf_backend,
						&o.proc_backend), spec))
		return;
	ds = dmabufstat_new(&o);
	if (!ASSERT_OK_PTR(ds, "new"))
		return;
	err = dmabufstat_totals_only(ds, &t);
	if (err && (dmabufstat_errclass(ds) == DMABUFSTAT_E_NO_ITER ||
		    dmabufstat_errclass(ds) == DMABUFSTAT_E_NO_SOURCE)) {
		printf("%s: %s\n", spec, dmabufstat_errmsg(ds));
		goto out;
	}
	if (!ASSERT_OK(err, "totals only")) {
		printf("%s: %s\n", spec, dmabufstat_errmsg(ds));
		goto out;
	}
	printf("%s: %llu buffers, %llu bytes (path %d)\n", spec,
	       (unsigned long long)t.count, (unsigned long long)t.bytes,
	       t.path);
	if (want_path)
		ASSERT_EQ(t.path, want_path, "the path taken");
	if (gt.have_bi) {
		for (i = 0; i < gt.bi.nr; i++)
			bytes += gt.bi.bufs[i].size;
		ASSERT_EQ(t.count, gt.bi.nr, "count as bufinfo");
		ASSERT_EQ(t.bytes, bytes, "bytes as bufinfo");
	} else if (wl.pid <= 0) {
		ASSERT_EQ(t.count, 0, "idle: no buffer");
	}
	if (ASSERT_OK(dmabufstat_meminfo_total_exported(ds, &exported),
		      "meminfo total"))
		ASSERT_EQ(exported, t.bytes, "meminfo total as totals");
out:
	dmabufstat_free(ds);
}

static void subtest_totals_only(void)
{
	/* the totals program wherever the kernel has it */
	int prog = kernel_has_kfuncs() ? DMABUFSTAT_TOTALS_PROGRAM :
					 DMABUFSTAT_TOTALS_BUFFERS;

	totals_only("auto", prog);
	totals_only("bpf-iter+none", prog);
	totals_only("bufinfo+none", DMABUFSTAT_TOTALS_BUFFERS);
	totals_only("sysfs+none", DMABUFSTAT_TOTALS_BUFFERS);
}

/* A context for spec that looks for pins in pin_dir, and its snapshot. */
static struct dmabufstat_snapshot *take_pinned(const char *spec,
					       const char *pin_dir,
					       struct dmabufstat **dsp)
{
	struct dmabufstat_opts o = { .sz = sizeof(o), .pin_dir = pin_dir };
	struct dmabufstat_snapshot *snap = NULL;

	*dsp = NULL;
	if (dmabufstat_parse_backend(spec, &o.buf_backend, &o.proc_backend))
		return NULL;
	*dsp = dmabufstat_new(&o);
	if (!ASSERT_OK_PTR(*dsp, "new") ||
	    !ASSERT_OK(dmabufstat_snapshot(*dsp, &snap), spec))
		printf("%s: %s\n", spec, *dsp ? dmabufstat_errmsg(*dsp) : "");
	return snap;
}

static bool same_buffer(const struct dmabufstat_buffer *a,
			const struct dmabufstat_buffer *b)
{
	return a->ino == b->ino && a->size == b->size &&
	       a->flags == b->flags && !strcmp(a->exporter, b->exporter) &&
	       !strcmp(a->driver, b->driver) && !strcmp(a->name, b->name) &&
	       a->file_count == b->file_count &&
	       a->vmap_count == b->vmap_count &&
	       a->nr_attach == b->nr_attach &&
	       a->nr_attach_names == b->nr_attach_names &&
	       !memcmp(a->attach, b->attach, sizeof(a->attach)) &&
	       a->nr_procs == b->nr_procs && a->nr_fds == b->nr_fds &&
	       a->nr_maps == b->nr_maps;
}

/* Equal but for the file ids, which each load salts its own way. */
static void compare_snapshots(const struct dmabufstat_snapshot *a,
			      const struct dmabufstat_snapshot *b)
{
	size_t i, j;

	if (!ASSERT_EQ(dmabufstat_nr_buffers(a), dmabufstat_nr_buffers(b),
		       "as many buffers") ||
	    !ASSERT_EQ(dmabufstat_nr_processes(a),
		       dmabufstat_nr_processes(b), "as many processes"))
		return;
	for (i = 0; i < dmabufstat_nr_buffers(a); i++)
		if (!ASSERT_TRUE(same_buffer(dmabufstat_buffer(a, i),
					     dmabufstat_buffer(b, i)),
				 "same buffer")) {
			printf("buffer %llu differs\n", (unsigned long long)
			       dmabufstat_buffer(a, i)->ino);
			return;
		}
	for (i = 0; i < dmabufstat_nr_processes(a); i++) {
		const struct dmabufstat_process *p = dmabufstat_process(a, i);
		const struct dmabufstat_process *q = dmabufstat_process(b, i);

		if (!ASSERT_TRUE(p->pid == q->pid && p->uid == q->uid &&
				 p->cgroup_id == q->cgroup_id &&
				 !strcmp(p->comm, q->comm) &&
				 p->rss == q->rss && p->pss == q->pss &&
				 p->nr_bufs == q->nr_bufs &&
				 p->nr_fds == q->nr_fds &&
				 p->nr_maps == q->nr_maps &&
				 p->nr_refs == q->nr_refs, "same process")) {
			printf("process %u differs\n", p->pid);
			return;
		}
		for (j = 0; j < p->nr_bufs; j++) {
			const struct dmabufstat_holder *x =
				dmabufstat_process_holder(a, i, j);
			const struct dmabufstat_holder *y =
				dmabufstat_process_holder(b, i, j);

			if (!ASSERT_TRUE(x->buf == y->buf &&
					 x->nr_fds == y->nr_fds &&
					 x->nr_maps == y->nr_maps &&
					 x->nr_files == y->nr_files &&
					 x->pss == y->pss, "same holder"))
				return;
		}
	}
	ASSERT_EQ(dmabufstat_totals(a)->bytes, dmabufstat_totals(b)->bytes,
		  "same total");
}

/* Replaces dir's format map with one saying magic and version. */
static int fake_format(const char *dir, __u32 magic, __u16 version)
{
	struct dmabufstat_pin_info info = {
		.magic = magic, .version = version,
		.flags = DMABUFSTAT_PIN_F_BUFS | DMABUFSTAT_PIN_F_FDS |
			 DMABUFSTAT_PIN_F_VMAS,
	};
	char path[128];
	__u32 zero = 0;
	int fd, err;

	snprintf(path, sizeof(path), "%s/%s", dir, DMABUFSTAT_PIN_FORMAT);
	unlink(path);
	fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "pin_info", sizeof(zero),
			    sizeof(info), 1, NULL);
	if (fd < 0)
		return -errno;
	err = bpf_map_update_elem(fd, &zero, &info, BPF_ANY) ||
	      bpf_obj_pin(fd, path) ? -errno : 0;
	close(fd);
	return err;
}

/*
 * The pins: a snapshot from them equals one from a fresh load; the
 * totals come from the pinned program; pins of another version or not
 * ours are refused, and AUTO loads instead, saying why; no pins at all
 * is no reason worth a note.
 */
static void subtest_pinned(void)
{
	struct dmabufstat_snapshot *pinned = NULL, *loaded = NULL, *s;
	struct dmabufstat *ds = NULL, *ds2 = NULL, *ds3;
	struct dmabufstat_opts o = { .sz = sizeof(o) };
	struct dmabufstat_buffer_totals t;
	char dir[64];
	int err;

	snprintf(dir, sizeof(dir), "/sys/fs/bpf/lib_snapshot_pins_%d",
		 getpid());
	o.pin_dir = dir;
	ds3 = dmabufstat_new(&o);
	if (!ASSERT_OK_PTR(ds3, "new"))
		return;
	err = dmabufstat_pin(ds3, dir, NULL);
	if (err && (dmabufstat_errclass(ds3) == DMABUFSTAT_E_NO_ITER ||
		    dmabufstat_errclass(ds3) == DMABUFSTAT_E_NO_BPFFS)) {
		test__skip_reason("%s", dmabufstat_errmsg(ds3));
		goto out;
	}
	if (!ASSERT_OK(err, "pin")) {
		printf("pin: %s\n", dmabufstat_errmsg(ds3));
		goto out;
	}

	pinned = take_pinned("auto", dir, &ds);
	loaded = take_pinned("bpf", dir, &ds2);
	if (!pinned || !loaded)
		goto out;
	ASSERT_STREQ(dmabufstat_snapshot_backend_name(pinned),
		     "bpf-pin+bpf-pin", "auto: the pins");
	ASSERT_STREQ(dmabufstat_fallback_reason(ds), "", "no fallback");
	ASSERT_STREQ(dmabufstat_snapshot_backend_name(loaded),
		     "bpf-iter+bpf-task", "bpf: loaded");
	compare_snapshots(pinned, loaded);
	if (gt.have_bi)
		ASSERT_EQ(dmabufstat_nr_buffers(pinned), gt.bi.nr,
			  "pinned: bufinfo's buffers");

	/* totals from the pinned program where the kernel has the kfuncs */
	if (ASSERT_OK(dmabufstat_totals_only(ds, &t), "pinned totals")) {
		ASSERT_EQ(t.path, kernel_has_kfuncs() ?
			  DMABUFSTAT_TOTALS_PINNED : DMABUFSTAT_TOTALS_BUFFERS,
			  "pinned totals path");
		ASSERT_EQ(t.count, dmabufstat_totals(loaded)->count,
			  "pinned totals: count");
		ASSERT_EQ(t.bytes, dmabufstat_totals(loaded)->bytes,
			  "pinned totals: bytes");
	}
	dmabufstat_free(ds);
	ds = NULL;

	/* another record version: refused, and AUTO loads */
	if (!ASSERT_OK(fake_format(dir, DMABUFSTAT_MAGIC,
				   DMABUFSTAT_REC_VERSION - 1), "old format"))
		goto out;
	s = take_pinned("auto", dir, &ds);
	if (s) {
		ASSERT_STREQ(dmabufstat_snapshot_backend_name(s),
			     "bpf-iter+bpf-task", "old pins: loaded instead");
		ASSERT_HAS_SUBSTR(dmabufstat_fallback_reason(ds),
				  "record format 1", "says why");
		compare_snapshots(s, loaded);
	}
	dmabufstat_snapshot_free(s);
	dmabufstat_free(ds);
	o.buf_backend = DMABUFSTAT_BUF_BPF_PIN;
	ds = dmabufstat_new(&o);
	if (ASSERT_OK_PTR(ds, "new")) {
		ASSERT_ERR(dmabufstat_probe(ds), "bpf-pin named: refused");
		ASSERT_HAS_SUBSTR(dmabufstat_errmsg(ds), "pin again",
				  "says what to do");
	}
	dmabufstat_free(ds);
	o.buf_backend = 0;

	/* not ours */
	ds = NULL;
	if (ASSERT_OK(fake_format(dir, 0x12345678, DMABUFSTAT_REC_VERSION),
		      "foreign format")) {
		ds = dmabufstat_new(&o);
		if (ASSERT_OK_PTR(ds, "new") &&
		    ASSERT_OK(dmabufstat_probe(ds), "probe")) {
			ASSERT_STREQ(dmabufstat_backend_name(ds),
				     "bpf-iter+bpf-task", "foreign: loaded");
			ASSERT_HAS_SUBSTR(dmabufstat_fallback_reason(ds),
					  "not dmabufstat's", "says why");
		}
		dmabufstat_free(ds);
		ds = NULL;
	}

	/* none at all: loaded, nothing to say */
	ASSERT_OK(dmabufstat_unpin(ds3, dir), "unpin");
	ds = dmabufstat_new(&o);
	if (ASSERT_OK_PTR(ds, "new") && ASSERT_OK(dmabufstat_probe(ds), "probe")) {
		ASSERT_STREQ(dmabufstat_backend_name(ds), "bpf-iter+bpf-task",
			     "no pins: loaded");
		ASSERT_STREQ(dmabufstat_fallback_reason(ds), "",
			     "no pins: no reason given");
	}
out:
	dmabufstat_snapshot_free(pinned);
	dmabufstat_snapshot_free(loaded);
	dmabufstat_free(ds);
	dmabufstat_free(ds2);
	dmabufstat_unpin(ds3, dir);
	dmabufstat_free(ds3);
}

static void subtest_errors(void)
{
	enum dmabufstat_buf_backend b;
	enum dmabufstat_proc_backend p;
	struct dmabufstat *ds;

	ASSERT_ERR(dmabufstat_parse_backend("nonsense", &b, &p), "bad spec");
	ASSERT_ERR(dmabufstat_parse_backend("bpf-iter+x", &b, &p), "bad proc");
	if (ASSERT_OK(dmabufstat_parse_backend("sysfs+procfs", &b, &p), "spec")) {
		ASSERT_EQ(b, DMABUFSTAT_BUF_SYSFS, "sysfs");
		ASSERT_EQ(p, DMABUFSTAT_PROC_PROCFS, "procfs");
	}
	ds = dmabufstat_new(NULL);
	if (!ASSERT_OK_PTR(ds, "new"))
		return;
	ASSERT_STREQ(dmabufstat_backend_name(ds), "auto", "before probe");
	ASSERT_STREQ(dmabufstat_errmsg(ds), "", "no error yet");
	dmabufstat_free(ds);
}

void test_lib_snapshot(void)
{
	bool sources;

	if (geteuid() != 0) {
		test__skip_reason("needs root for BPF and the buffer sources");
		return;
	}
	sources = have_buffer_source();
	if (sources && workload_start(&wl, "lib_snapshot") && read_manifest())
		gt_collect();

	if (test__start_subtest("errors"))
		subtest_errors();
	if (test__start_subtest("idle_auto"))
		subtest_idle("auto");
	if (test__start_subtest("idle_procfs"))
		subtest_idle("procfs");
	if (test__start_subtest("auto_choice"))
		subtest_auto_choice();
	if (test__start_subtest("bpf"))
		subtest_backend("bpf");
	if (test__start_subtest("bufinfo_bpf_task"))
		subtest_backend("bufinfo+bpf-task");
	if (test__start_subtest("bufinfo_procfs"))
		subtest_backend("bufinfo+procfs");
	if (test__start_subtest("sysfs_procfs"))
		subtest_backend("sysfs+procfs");
	if (test__start_subtest("procfs"))
		subtest_backend("procfs");
	if (test__start_subtest("totals_only"))
		subtest_totals_only();
	if (test__start_subtest("pinned"))
		subtest_pinned();
	if (test__start_subtest("pin"))
		subtest_pin();
	if (test__start_subtest("diff"))
		subtest_diff();

	workload_stop(&wl);
	manifest_free(&mf);
	bufinfo_free(&gt.bi);
}
