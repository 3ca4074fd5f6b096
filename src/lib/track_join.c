// SPDX-License-Identifier: GPL-2.0
/*
 * libdmabufstat snapshot stage: the tracking entries (track.c pinned
 * them) joined to the snapshot's buffers by inode: allocator, age,
 * importers, orphans, and per allocator what it allocated against what it
 * holds. Where the release is not seen, entries of buffers the walk no
 * longer has are pruned (only those older than the walk).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "snapshot.h"
#include "track.h"

uint64_t track_boottime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/*
 * The entries in batches (a few syscalls for the whole map): their count,
 * or -errno when the kernel has no batch lookup for it.
 */
static long read_batches(int fd, uint32_t max, __u64 *keys,
			 struct dmabuf_track_buf *vals)
{
	__u64 in = 0, out = 0;
	size_t n = 0;
	__u32 count;
	int err;

	do {
		count = max - n;
		err = bpf_map_lookup_batch(fd, n ? &in : NULL, &out, keys + n,
					   vals + n, &count, NULL) ? -errno : 0;
		if (err && err != -ENOENT)
			return n ? (long)n : err;
		n += count;
		in = out;
	} while (!err && n < max);
	return n;
}

/* Every entry of the map into *keys and *vals: their count, or -errno. */
static long read_entries(int fd, uint32_t max, __u64 **keys,
			 struct dmabuf_track_buf **vals)
{
	__u64 key, next, *prev = NULL;
	size_t n = 0;
	long got;

	*keys = calloc(max ?: 1, sizeof(**keys));
	*vals = calloc(max ?: 1, sizeof(**vals));
	if (!*keys || !*vals)
		return -ENOMEM;
	got = read_batches(fd, max, *keys, *vals);
	if (got >= 0)
		return got;
	/* one by one: kernels without batch lookups */
	while (n < max && !bpf_map_get_next_key(fd, prev, &next)) {
		key = next;
		prev = &key;
		/* gone between the two calls: released meanwhile */
		if (bpf_map_lookup_elem(fd, &key, &(*vals)[n]))
			continue;
		(*keys)[n++] = key;
	}
	return n;
}

/*
 * Is the process pid the one that started at start_boot_ns (and not a
 * zombie)? /proc/PID/stat's starttime is in clock ticks since boot.
 */
static bool same_process(uint32_t pid, uint64_t start_boot_ns)
{
	char path[64], buf[1024], *p, state;
	unsigned long long start = 0;
	long hz = sysconf(_SC_CLK_TCK);
	FILE *f;
	int i;

	snprintf(path, sizeof(path), "/proc/%u/stat", pid);
	f = fopen(path, "re");
	if (!f)
		return false;
	p = fgets(buf, sizeof(buf), f);
	fclose(f);
	if (!p || !(p = strrchr(buf, ')')) || hz <= 0)
		return false;
	if (sscanf(p + 1, " %c", &state) != 1 || state == 'Z' || state == 'X')
		return false;
	/* starttime is field 22; field 3 (the state) follows the ')':
	 * after step i, p is at the space before field i */
	for (i = 3; i <= 22 && p; i++)
		p = strchr(p + 1, ' ');
	if (!p || sscanf(p + 1, "%llu", &start) != 1)
		return false;
	return start == start_boot_ns / (1000000000ull / (unsigned long)hz);
}

static bool process_exists(uint32_t pid)
{
	char path[64], buf[512], *p, state;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%u/stat", pid);
	f = fopen(path, "re");
	if (!f)
		return false;
	p = fgets(buf, sizeof(buf), f);
	fclose(f);
	return p && (p = strrchr(buf, ')')) &&
	       sscanf(p + 1, " %c", &state) == 1 && state != 'Z' &&
	       state != 'X';
}

/*
 * Liveness answers of this join, by pid and start time (start 0: any
 * process with the pid): a buffer's allocator is usually that of the
 * buffers before it, so /proc is read once per process, not per buffer.
 */
#define ALIVE_CACHE 256

struct alive_cache {
	struct {
		uint32_t pid;
		uint64_t start;
		bool alive;
	} e[ALIVE_CACHE];
	size_t nr, next;
};

static bool alive(struct alive_cache *c, uint32_t pid, uint64_t start)
{
	size_t i;
	bool a;

	for (i = 0; i < c->nr; i++)
		if (c->e[i].pid == pid && c->e[i].start == start)
			return c->e[i].alive;
	a = start ? same_process(pid, start) : process_exists(pid);
	i = c->nr < ALIVE_CACHE ? c->nr++ : c->next++ % ALIVE_CACHE;
	c->e[i].pid = pid;
	c->e[i].start = start;
	c->e[i].alive = a;
	return a;
}

/* The latest importer still attached, else the latest get. */
static const struct dmabufstat_importer *
keeper(const struct dmabufstat_buffer_track *t)
{
	const struct dmabufstat_importer *best = NULL, *imp;
	bool best_attached = false, attached;
	uint32_t i;

	for (i = 0; i < t->nr_importers; i++) {
		imp = &t->importers[i];
		if (imp->flags & DMABUFSTAT_IMP_DETACHED)
			continue;
		attached = imp->flags & DMABUFSTAT_IMP_ATTACH;
		if (!best || (attached && !best_attached) ||
		    (attached == best_attached && imp->age_ns < best->age_ns)) {
			best = imp;
			best_attached = attached;
		}
	}
	return best;
}

static void fill(struct dmabufstat_buffer_track *t,
		 const struct dmabuf_track_buf *e,
		 const struct dmabufstat_buffer *b, uint64_t now_boot,
		 uint64_t now_real, struct alive_cache *cache)
{
	const struct dmabufstat_importer *k;
	uint32_t i;

	if (e->flags & DMABUF_TRACK_B_EXPORT) {
		t->flags |= DMABUFSTAT_TRK_EXPORT;
		t->alloc_pid = e->exporter.tgid;
		t->alloc_tid = e->exporter.pid;
		t->alloc_uid = e->exporter.uid;
		t->alloc_cgroup_id = e->exporter.cgroup_id;
		memcpy(t->alloc_comm, e->exporter.comm, sizeof(t->alloc_comm));
		t->alloc_comm[sizeof(t->alloc_comm) - 1] = '\0';
		t->age_ns = now_boot > e->export_ns ? now_boot - e->export_ns : 0;
		t->export_realtime_ns = now_real - t->age_ns;
		if (alive(cache, t->alloc_pid, e->exporter.start_boot_ns))
			t->flags |= DMABUFSTAT_TRK_ALLOC_ALIVE;
		else if (!(b->flags & DMABUFSTAT_BUF_USERSPACE))
			t->flags |= DMABUFSTAT_TRK_ORPHAN;
	}
	t->stack_id = e->stack_id;
	if (e->flags & DMABUF_TRACK_B_FD) {
		t->flags |= DMABUFSTAT_TRK_FD;
		t->fd_pid = e->fd_tgid;
		memcpy(t->fd_comm, e->fd_comm, sizeof(t->fd_comm));
		t->fd_comm[sizeof(t->fd_comm) - 1] = '\0';
	}
	if (e->flags & DMABUF_TRACK_B_MORE_IMP)
		t->flags |= DMABUFSTAT_TRK_MORE_IMPORTERS;
	for (i = 0; i < DMABUF_TRACK_IMPORTERS; i++) {
		const struct dmabuf_track_importer *src = &e->imp[i];
		struct dmabufstat_importer *imp;

		if (!src->tgid)
			continue;
		imp = &t->importers[t->nr_importers++];
		imp->pid = src->tgid;
		imp->flags = (src->flags & DMABUF_TRACK_IMP_GET ?
			      DMABUFSTAT_IMP_GET : 0) |
			     (src->flags & DMABUF_TRACK_IMP_ATTACH ?
			      DMABUFSTAT_IMP_ATTACH : 0) |
			     (src->flags & DMABUF_TRACK_IMP_DETACHED ?
			      DMABUFSTAT_IMP_DETACHED : 0) |
			     (alive(cache, src->tgid, 0) ?
			      DMABUFSTAT_IMP_ALIVE : 0);
		memcpy(imp->comm, src->comm, sizeof(imp->comm));
		imp->comm[sizeof(imp->comm) - 1] = '\0';
		memcpy(imp->device, src->dev, sizeof(imp->device));
		imp->device[sizeof(imp->device) - 1] = '\0';
		imp->age_ns = now_boot > src->time_ns ? now_boot - src->time_ns : 0;
	}
	if (b->flags & DMABUFSTAT_BUF_USERSPACE)
		return;
	k = keeper(t);
	if (k) {
		t->keeper_pid = k->pid;
		memcpy(t->keeper_comm, k->comm, sizeof(t->keeper_comm));
	} else if (t->flags & DMABUFSTAT_TRK_ALLOC_ALIVE) {
		/* nothing imported it: the exporter's own object holds it */
		t->keeper_pid = t->alloc_pid;
		memcpy(t->keeper_comm, t->alloc_comm, sizeof(t->keeper_comm));
		t->flags |= DMABUFSTAT_TRK_KEPT_BY_EXPORTER;
	}
}

/* The latest time the entry was touched, boot ns. */
static uint64_t last_event(const struct dmabuf_track_buf *e)
{
	uint64_t t = e->export_ns > e->fd_ns ? e->export_ns : e->fd_ns;
	int i;

	for (i = 0; i < DMABUF_TRACK_IMPORTERS; i++) {
		if (e->imp[i].time_ns > t)
			t = e->imp[i].time_ns;
		if (e->imp[i].detach_ns > t)
			t = e->imp[i].detach_ns;
	}
	return t;
}

static int cmp_alloc(const void *a, const void *b)
{
	const struct dmabufstat_allocator *x = a, *y = b;

	return CMP(x->pid, y->pid);
}

/* The snapshot's process pid (its hash), or NULL. */
static const struct dmabufstat_process *
find_process(const struct dmabufstat_snapshot *s, uint32_t pid)
{
	size_t i;

	if (!s->proc_hash)
		return NULL;
	for (i = hash64(pid) & s->proc_hash_mask; s->proc_hash[i];
	     i = (i + 1) & s->proc_hash_mask)
		if (s->procs[s->proc_hash[i] - 1].pid == pid)
			return &s->procs[s->proc_hash[i] - 1];
	return NULL;
}

/* Per allocator, over the joined buffers. */
static int build_allocators(struct dmabufstat_snapshot *s)
{
	struct dmabufstat_allocator *a;
	const struct dmabufstat_process *p;
	size_t i, j, n = 0;

	s->allocators = calloc(s->nr_bufs ?: 1, sizeof(*s->allocators));
	if (!s->allocators)
		return -ENOMEM;
	for (i = 0; i < s->nr_bufs; i++) {
		const struct dmabufstat_buffer_track *t = &s->track[i];

		if (!(t->flags & DMABUFSTAT_TRK_EXPORT))
			continue;
		/* few allocators: a linear search is enough */
		for (j = 0; j < n; j++)
			if (s->allocators[j].pid == t->alloc_pid)
				break;
		a = &s->allocators[j];
		if (j == n) {
			n++;
			a->pid = t->alloc_pid;
			a->alive = t->flags & DMABUFSTAT_TRK_ALLOC_ALIVE;
			memcpy(a->comm, t->alloc_comm, sizeof(a->comm));
		}
		a->nr_bufs++;
		a->bytes += s->bufs[i].size;
		if (t->flags & DMABUFSTAT_TRK_ORPHAN) {
			a->nr_orphans++;
			a->orphan_bytes += s->bufs[i].size;
		}
	}
	qsort(s->allocators, n, sizeof(*s->allocators), cmp_alloc);
	for (i = 0; i < n; i++) {
		p = find_process(s, s->allocators[i].pid);
		if (p && s->allocators[i].alive)
			s->allocators[i].held = p->rss;
	}
	s->nr_allocators = n;
	return 0;
}

int track_join(struct dmabufstat *ds, struct dmabufstat_snapshot *s,
	       uint64_t walk_start_boot_ns)
{
	struct dmabuf_track_stats stats = { 0 };
	struct alive_cache *cache = NULL;
	struct dmabuf_track_buf *vals = NULL;
	struct dmabuf_track_info info;
	uint64_t now_boot, now_real;
	int bufs_fd, stats_fd, err;
	bool full_walk, prune;
	char dir[4096];
	__u64 *keys = NULL;
	__u32 zero = 0;
	long n, k;
	size_t i;

	if (s->buf_backend == DMABUFSTAT_BUF_REPLAY)
		return 0;	/* a recording: live tracking is not its */
	snprintf(dir, sizeof(dir), "%s/track", ds->pin_dir);
	err = track_open(ds, dir, &info, &bufs_fd, &stats_fd);
	if (err) {
		/* not tracking, or pins we cannot read: a snapshot without */
		ds_debug(ds, "no tracking joined: %s", dmabufstat_errmsg(ds));
		ds_clear_err(ds);
		return 0;
	}
	bpf_map_lookup_elem(stats_fd, &zero, &stats);
	close(stats_fd);
	n = read_entries(bufs_fd, info.entries, &keys, &vals);
	err = n < 0 ? (int)n : 0;
	s->track = calloc(s->nr_bufs ?: 1, sizeof(*s->track));
	s->track_status = calloc(1, sizeof(*s->track_status));
	cache = calloc(1, sizeof(*cache));
	if (err || !s->track || !s->track_status || !cache) {
		err = -ENOMEM;
		goto out;
	}
	s->track_status->method = info.method;
	s->track_status->sees_release = info.flags & DMABUF_TRACK_F_RELEASE;
	s->track_status->stacks = info.flags & DMABUF_TRACK_F_STACKS;
	s->track_status->entries = n;
	s->track_status->max_entries = info.entries;
	s->track_status->exports = stats.exports;
	s->track_status->late = stats.late;
	s->track_status->dropped = stats.dropped;
	s->track_status->released = stats.released;
	s->track_status->start_realtime_ns = info.start_real_ns;
	s->track_status->start_boottime_ns = info.start_boot_ns;

	/* what has no entry existed before tracking (or was dropped) */
	for (i = 0; i < s->nr_bufs; i++)
		s->track[i].flags = stats.dropped ? DMABUFSTAT_TRK_UNKNOWN :
						    DMABUFSTAT_TRK_BEFORE;
	now_boot = track_boottime_ns();
	now_real = s->realtime_ns;
	full_walk = !(s->flags & DMABUFSTAT_SNAP_NO_KERNEL_ONLY);
	prune = full_walk && !(info.flags & DMABUF_TRACK_F_RELEASE);
	for (k = 0; k < n; k++) {
		i = buf_lookup(s->buf_hash, s->buf_hash_mask, s->bufs, keys[k]);
		if (i == (size_t)-1) {
			/* gone before the walk: its release was not seen */
			if (prune && last_event(&vals[k]) < walk_start_boot_ns)
				bpf_map_delete_elem(bufs_fd, &keys[k]);
			continue;
		}
		if (vals[k].flags & DMABUF_TRACK_B_EXPORT)
			s->track[i].flags = 0;
		fill(&s->track[i], &vals[k], &s->bufs[i], now_boot, now_real,
		     cache);
	}
	err = build_allocators(s);
out:
	close(bufs_fd);
	free(keys);
	free(vals);
	free(cache);
	if (err) {
		free(s->track);
		free(s->track_status);
		s->track = NULL;
		s->track_status = NULL;
		return ds_nomem(ds);
	}
	return 0;
}

DMABUFSTAT_API const struct dmabufstat_buffer_track *
dmabufstat_buffer_track(const struct dmabufstat_snapshot *s, size_t i)
{
	return s->track && i < s->nr_bufs ? &s->track[i] : NULL;
}

DMABUFSTAT_API const struct dmabufstat_track_status *
dmabufstat_snapshot_track(const struct dmabufstat_snapshot *s)
{
	return s->track_status;
}

DMABUFSTAT_API size_t
dmabufstat_nr_allocators(const struct dmabufstat_snapshot *s)
{
	return s->nr_allocators;
}

DMABUFSTAT_API const struct dmabufstat_allocator *
dmabufstat_allocator(const struct dmabufstat_snapshot *s, size_t i)
{
	return i < s->nr_allocators ? &s->allocators[i] : NULL;
}
