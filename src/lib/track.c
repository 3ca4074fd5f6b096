// SPDX-License-Identifier: GPL-2.0
/*
 * libdmabufstat: lifecycle tracking started, stopped and asked about:
 * bpf/dmabuf_track.bpf.c loaded with the first method the kernel allows,
 * its links and maps pinned under the track dir (the format map last),
 * so that it runs with no process. Reading the entries into a snapshot is
 * track_join.c's.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "internal.h"
#include "track.h"
#include "sources/bpf_common.h"
#include "dmabuf_track.skel.h"

DMABUFSTAT_API const char *
dmabufstat_track_method_name(enum dmabufstat_track_method m)
{
	switch (m) {
	case DMABUFSTAT_TRACK_TRACEPOINTS:
		return "tracepoints";
	case DMABUFSTAT_TRACK_FENTRY:
		return "fentry";
	case DMABUFSTAT_TRACK_KPROBES:
		return "kprobes";
	default:
		return "off";
	}
}

/* The programs of each method, release last. */
static const char *const tp_progs[] = {
	"tp_export", "tp_fd", "tp_get", "tp_attach", "tp_detach", NULL,
};
static const char *const fentry_progs[] = {
	"fx_export", "fx_fd", "fx_get", "fx_attach", "fe_detach",
	"fe_release", NULL,
};
static const char *const kprobe_progs[] = {
	"kr_export", "kp_fd", "kr_get", "kr_attach", "kp_detach",
	"kp_release", NULL,
};

struct plan {
	enum dmabufstat_track_method method;
	const char *const *progs;
	const char *release;	/* one more program, or NULL */
	bool skip_last;		/* progs without its last (the release) */
};

static const struct plan tp_plans[] = {
	{ DMABUFSTAT_TRACK_TRACEPOINTS, tp_progs, "fe_release", false },
	{ DMABUFSTAT_TRACK_TRACEPOINTS, tp_progs, "kp_release", false },
	{ DMABUFSTAT_TRACK_TRACEPOINTS, tp_progs, NULL, false },
};

/* without the release where only that is missing (an inlined or renamed
 * dma_buf_file_release()): snapshots then prune */
static const struct plan probe_plans[] = {
	{ DMABUFSTAT_TRACK_FENTRY, fentry_progs, NULL, false },
	{ DMABUFSTAT_TRACK_FENTRY, fentry_progs, NULL, true },
	{ DMABUFSTAT_TRACK_KPROBES, kprobe_progs, NULL, false },
	{ DMABUFSTAT_TRACK_KPROBES, kprobe_progs, NULL, true },
};

#define MAX_LINKS 8

struct loaded {
	struct dmabuf_track_bpf *skel;
	struct bpf_link *links[MAX_LINKS];
	const char *names[MAX_LINKS];
	int nr_links;
	bool sees_release;
};

static void loaded_free(struct loaded *l)
{
	int i;

	for (i = 0; i < l->nr_links; i++) {
		/* a kprobe link's destroy would disable its perf event,
		 * pinned or not: only our fd goes */
		bpf_link__disconnect(l->links[i]);
		close(bpf_link__fd(l->links[i]));
		bpf_link__destroy(l->links[i]);
	}
	l->nr_links = 0;
	dmabuf_track_bpf__destroy(l->skel);
	l->skel = NULL;
}

static bool in_plan(const struct plan *p, const char *name)
{
	int i;

	for (i = 0; p->progs[i]; i++) {
		if (p->skip_last && !p->progs[i + 1])
			break;
		if (!strcmp(p->progs[i], name))
			return true;
	}
	return p->release && !strcmp(p->release, name);
}

/* Loads and attaches the plan's programs: 0 or a negative errno. */
static int try_plan(struct dmabufstat *ds, const struct plan *p,
		    const struct dmabufstat_track_opts *o, struct loaded *l)
{
	struct bpf_program *prog;
	struct bpf_link *link;
	int err;

	memset(l, 0, sizeof(*l));
	l->skel = dmabuf_track_bpf__open_opts(bpf_open_opts());
	if (!l->skel)
		return -errno ?: -ENOMEM;
	bpf_map__set_max_entries(l->skel->maps.track_bufs, o->entries);
	if (o->stacks) {
		l->skel->rodata->want_stacks = true;
		bpf_map__set_max_entries(l->skel->maps.track_stacks, o->entries);
	}
	bpf_object__for_each_program(prog, l->skel->obj)
		bpf_program__set_autoload(prog,
					  in_plan(p, bpf_program__name(prog)));
	ds_libbpf_enter(ds);
	err = dmabuf_track_bpf__load(l->skel);
	ds_libbpf_leave(ds);
	if (err)
		goto fail;
	bpf_object__for_each_program(prog, l->skel->obj) {
		if (!bpf_program__autoload(prog))
			continue;
		ds_libbpf_enter(ds);
		link = bpf_program__attach(prog);
		err = link ? 0 : -errno;
		ds_libbpf_leave(ds);
		if (err)
			goto fail;
		l->names[l->nr_links] = bpf_program__name(prog);
		l->links[l->nr_links++] = link;
		if (strstr(bpf_program__name(prog), "_release"))
			l->sees_release = true;
	}
	return 0;
fail:
	loaded_free(l);
	return err < 0 ? err : -EINVAL;
}

static bool have_tracepoints(void)
{
	struct btf *btf = btf__load_vmlinux_btf();
	bool have;

	if (!btf)
		return false;
	have = btf__find_by_name_kind(btf, "btf_trace_dma_buf_export",
				      BTF_KIND_TYPEDEF) > 0;
	btf__free(btf);
	return have;
}

static void note(char *buf, size_t len, const char *what, int err)
{
	size_t used = strlen(buf);

	if (strstr(buf, what))
		return;
	snprintf(buf + used, len - used, "%s%s: %s", used ? ", " : "", what,
		 strerror(-err));
}

/* The first method the kernel allows, loaded and attached into *l. */
static int load_best(struct dmabufstat *ds,
		     const struct dmabufstat_track_opts *o, struct loaded *l,
		     enum dmabufstat_track_method *method)
{
	char why[256] = "";
	bool all_perm = true;
	size_t i;
	int err = -EOPNOTSUPP;

	if (have_tracepoints()) {
		for (i = 0; i < ARRAY_SIZE(tp_plans); i++) {
			if (o->no_release && tp_plans[i].release)
				continue;
			err = try_plan(ds, &tp_plans[i], o, l);
			if (!err) {
				*method = DMABUFSTAT_TRACK_TRACEPOINTS;
				return 0;
			}
			if (!bpf_perm_err(err))
				all_perm = false;
		}
		note(why, sizeof(why), "tracepoints", err);
	} else {
		snprintf(why, sizeof(why),
			 "no dma-buf tracepoints (Linux 7.0+, or 6.12 with kernel-patches/)");
	}
	for (i = 0; i < ARRAY_SIZE(probe_plans); i++) {
		if (o->no_release && !probe_plans[i].skip_last)
			continue;
		err = try_plan(ds, &probe_plans[i], o, l);
		if (!err) {
			*method = probe_plans[i].method;
			return 0;
		}
		note(why, sizeof(why),
		     dmabufstat_track_method_name(probe_plans[i].method), err);
		if (!bpf_perm_err(err))
			all_perm = false;
	}
	if (all_perm && bpf_perm_err(err))
		return ds_err(ds, DMABUFSTAT_E_PERM, err,
			      "tracing is not permitted (%s): needs root, or CAP_BPF and CAP_PERFMON",
			      why);
	return ds_err(ds, DMABUFSTAT_E_NOTSUP, -EOPNOTSUPP,
		      "this kernel refuses every tracking method (%s)", why);
}

static void track_path(char *path, size_t len, const char *dir,
		       const char *name)
{
	snprintf(path, len, "%s/%s", dir, name);
}

/* Removes our files from dir, the format first; dir and its parent go if
 * empty. */
static void unpin_all(const char *dir)
{
	char path[4096], parent[4096], *slash;
	struct dirent *de;
	DIR *d;

	track_path(path, sizeof(path), dir, DMABUFSTAT_TRACK_PIN_INFO);
	unlink(path);
	d = opendir(dir);
	if (d) {
		while ((de = readdir(d))) {
			if (strcmp(de->d_name, DMABUFSTAT_TRACK_PIN_BUFS) &&
			    strcmp(de->d_name, DMABUFSTAT_TRACK_PIN_STATS) &&
			    strcmp(de->d_name, DMABUFSTAT_TRACK_PIN_STACKS) &&
			    strncmp(de->d_name, DMABUFSTAT_TRACK_PIN_LINK,
				    strlen(DMABUFSTAT_TRACK_PIN_LINK)))
				continue;
			track_path(path, sizeof(path), dir, de->d_name);
			unlink(path);
		}
		closedir(d);
	}
	rmdir(dir);
	snprintf(parent, sizeof(parent), "%s", dir);
	slash = strrchr(parent, '/');
	if (slash && slash != parent) {
		*slash = '\0';
		rmdir(parent);
	}
}

static int make_dirs(struct dmabufstat *ds, const char *dir)
{
	char parent[4096], *slash;
	int err;

	snprintf(parent, sizeof(parent), "%s", dir);
	slash = strrchr(parent, '/');
	if (slash && slash != parent) {
		*slash = '\0';
		err = ds_pin_dir(ds, parent);
		if (err)
			return err;
	}
	return ds_pin_dir(ds, dir);
}

static uint64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static int pin_loaded(struct dmabufstat *ds, const char *dir,
		      struct loaded *l, enum dmabufstat_track_method method,
		      uint32_t entries, const struct dmabufstat_pin_opts *po)
{
	struct dmabuf_track_info info = {
		.magic = DMABUF_TRACK_MAGIC,
		.version = DMABUF_TRACK_VERSION,
		.method = method,
		.flags = (l->sees_release ? DMABUF_TRACK_F_RELEASE : 0) |
			 (l->skel->rodata->want_stacks ? DMABUF_TRACK_F_STACKS : 0),
		.entries = entries,
	};
	int info_fd = bpf_map__fd(l->skel->maps.track_info);
	char path[4096], name[64];
	__u32 zero = 0;
	int i, err;

	info.start_boot_ns = clock_ns(CLOCK_BOOTTIME);
	info.start_real_ns = clock_ns(CLOCK_REALTIME);
	if (bpf_map_update_elem(info_fd, &zero, &info, BPF_ANY) ||
	    bpf_map_freeze(info_fd))
		return ds_err(ds, DMABUFSTAT_E_OTHER, -errno,
			      "cannot write the tracking format: %s",
			      strerror(errno));
	track_path(path, sizeof(path), dir, DMABUFSTAT_TRACK_PIN_BUFS);
	err = ds_pin_fd(ds, bpf_map__fd(l->skel->maps.track_bufs), path, po);
	if (err)
		return err;
	track_path(path, sizeof(path), dir, DMABUFSTAT_TRACK_PIN_STATS);
	err = ds_pin_fd(ds, bpf_map__fd(l->skel->maps.track_stats), path, po);
	if (err)
		return err;
	if (info.flags & DMABUF_TRACK_F_STACKS) {
		track_path(path, sizeof(path), dir, DMABUFSTAT_TRACK_PIN_STACKS);
		err = ds_pin_fd(ds, bpf_map__fd(l->skel->maps.track_stacks),
				path, po);
		if (err)
			return err;
	}
	for (i = 0; i < l->nr_links; i++) {
		snprintf(name, sizeof(name), "%s%s", DMABUFSTAT_TRACK_PIN_LINK,
			 l->names[i]);
		track_path(path, sizeof(path), dir, name);
		err = ds_pin_fd(ds, bpf_link__fd(l->links[i]), path, po);
		if (err)
			return err;
	}
	track_path(path, sizeof(path), dir, DMABUFSTAT_TRACK_PIN_INFO);
	return ds_pin_fd(ds, info_fd, path, po);
}

DMABUFSTAT_API int dmabufstat_track_start(struct dmabufstat *ds,
					  const char *dir,
					  const struct dmabufstat_track_opts *opts)
{
	struct dmabufstat_track_opts o = { .sz = sizeof(o) };
	struct dmabufstat_pin_opts po = { .sz = sizeof(po) };
	enum dmabufstat_track_method method;
	struct loaded l;
	char path[4096];
	int err;

	if (opts)
		memcpy(&o, opts, opts->sz < sizeof(o) ? opts->sz : sizeof(o));
	if (!o.entries)
		o.entries = DMABUFSTAT_TRACK_ENTRIES;
	po.mode = o.mode;
	po.gid = o.gid;
	if (!dir)
		dir = DMABUFSTAT_TRACK_DIR;
	track_path(path, sizeof(path), dir, DMABUFSTAT_TRACK_PIN_INFO);
	if (!access(path, F_OK))
		return ds_err(ds, DMABUFSTAT_E_EXIST, -EEXIST,
			      "tracking runs already (%s exists)", path);
	err = bpf_kernel_check(ds, true);
	if (err)
		return err;
	err = load_best(ds, &o, &l, &method);
	if (err)
		return err;
	err = make_dirs(ds, dir);
	if (!err)
		err = pin_loaded(ds, dir, &l, method, o.entries, &po);
	if (err)
		unpin_all(dir);
	loaded_free(&l);
	return err;
}

DMABUFSTAT_API int dmabufstat_track_stop(struct dmabufstat *ds,
					 const char *dir)
{
	char path[4096];
	int err;

	if (!dir)
		dir = DMABUFSTAT_TRACK_DIR;
	if (access(dir, F_OK))
		return 0;
	err = ds_check_bpffs(ds, dir);
	if (err)
		return err;
	track_path(path, sizeof(path), dir, DMABUFSTAT_TRACK_PIN_INFO);
	if (unlink(path) && errno != ENOENT)
		return ds_err(ds, bpf_perm_err(-errno) ? DMABUFSTAT_E_PERM :
			      DMABUFSTAT_E_OTHER, -errno,
			      "cannot remove %s: %s", path, strerror(errno));
	unpin_all(dir);
	if (!access(dir, F_OK))
		return ds_err(ds, DMABUFSTAT_E_OTHER, -ENOTEMPTY,
			      "%s still holds files that are not dmabufstat's",
			      dir);
	return 0;
}

int track_open(struct dmabufstat *ds, const char *dir,
	       struct dmabuf_track_info *info, int *bufs_fd, int *stats_fd)
{
	char path[4096];
	__u32 zero = 0;
	int fd, err;

	track_path(path, sizeof(path), dir, DMABUFSTAT_TRACK_PIN_INFO);
	fd = bpf_obj_get(path);
	if (fd < 0) {
		err = -errno;
		return ds_err(ds, err == -ENOENT ? DMABUFSTAT_E_NO_SOURCE :
			      bpf_perm_err(err) ? DMABUFSTAT_E_PERM :
			      DMABUFSTAT_E_OTHER, err,
			      err == -ENOENT ? "not tracking (no %s)" :
			      "%s: %s", path, strerror(-err));
	}
	err = bpf_map_lookup_elem(fd, &zero, info) ? -errno : 0;
	close(fd);
	if (err)
		return ds_err(ds, DMABUFSTAT_E_OTHER, err, "%s: %s", path,
			      strerror(-err));
	if (info->magic != DMABUF_TRACK_MAGIC ||
	    info->version != DMABUF_TRACK_VERSION)
		return ds_err(ds, DMABUFSTAT_E_NO_SOURCE, -EPROTO,
			      "%s is not dmabufstat's tracking of version %u (stop and start it again)",
			      path, DMABUF_TRACK_VERSION);
	track_path(path, sizeof(path), dir, DMABUFSTAT_TRACK_PIN_BUFS);
	*bufs_fd = bpf_obj_get(path);
	if (*bufs_fd < 0)
		return ds_err(ds, DMABUFSTAT_E_OTHER, -errno, "%s: %s", path,
			      strerror(errno));
	if (!stats_fd)
		return 0;
	track_path(path, sizeof(path), dir, DMABUFSTAT_TRACK_PIN_STATS);
	*stats_fd = bpf_obj_get(path);
	if (*stats_fd < 0) {
		err = -errno;
		close(*bufs_fd);
		return ds_err(ds, DMABUFSTAT_E_OTHER, err, "%s: %s", path,
			      strerror(-err));
	}
	return 0;
}

DMABUFSTAT_API int dmabufstat_track_status(struct dmabufstat *ds,
					   const char *dir,
					   struct dmabufstat_track_status *st)
{
	struct dmabuf_track_stats s = { 0 };
	struct dmabuf_track_info info;
	__u64 key, next, *prev = NULL;
	int bufs_fd, stats_fd, err;
	__u32 zero = 0;

	memset(st, 0, sizeof(*st));
	err = track_open(ds, dir ?: DMABUFSTAT_TRACK_DIR, &info, &bufs_fd,
			 &stats_fd);
	if (err)
		return err;
	while (!bpf_map_get_next_key(bufs_fd, prev, &next)) {
		st->entries++;
		key = next;
		prev = &key;
	}
	bpf_map_lookup_elem(stats_fd, &zero, &s);
	close(bufs_fd);
	close(stats_fd);
	st->method = info.method;
	st->sees_release = info.flags & DMABUF_TRACK_F_RELEASE;
	st->stacks = info.flags & DMABUF_TRACK_F_STACKS;
	st->max_entries = info.entries;
	st->exports = s.exports;
	st->late = s.late;
	st->dropped = s.dropped;
	st->released = s.released;
	st->start_realtime_ns = info.start_real_ns;
	st->start_boottime_ns = info.start_boot_ns;
	return 0;
}

DMABUFSTAT_API int dmabufstat_track_stack(struct dmabufstat *ds,
					  const char *dir, uint32_t stack_id,
					  uint64_t *ips, size_t max)
{
	__u64 frames[DMABUF_TRACK_STACK_DEPTH] = { 0 };
	struct dmabuf_track_info info;
	int bufs_fd, fd, err;
	char path[4096];
	__u32 key;
	size_t n;

	if (!dir)
		dir = DMABUFSTAT_TRACK_DIR;
	err = track_open(ds, dir, &info, &bufs_fd, NULL);
	if (err)
		return err;
	close(bufs_fd);
	if (!(info.flags & DMABUF_TRACK_F_STACKS) || !stack_id)
		return ds_err(ds, DMABUFSTAT_E_NO_SOURCE, -ENOENT,
			      !stack_id ? "no stack was kept for it" :
			      "tracking keeps no stacks (track start --stacks)");
	track_path(path, sizeof(path), dir, DMABUFSTAT_TRACK_PIN_STACKS);
	fd = bpf_obj_get(path);
	if (fd < 0)
		return ds_err(ds, DMABUFSTAT_E_OTHER, -errno, "%s: %s", path,
			      strerror(errno));
	key = stack_id - 1;
	err = bpf_map_lookup_elem(fd, &key, frames) ? -errno : 0;
	close(fd);
	if (err)
		return ds_err(ds, DMABUFSTAT_E_NO_SOURCE, err,
			      "stack %u: %s", stack_id, strerror(-err));
	for (n = 0; n < max && n < DMABUF_TRACK_STACK_DEPTH && frames[n]; n++)
		ips[n] = frames[n];
	return n;
}
