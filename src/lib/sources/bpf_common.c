// SPDX-License-Identifier: GPL-2.0
/*
 * libdmabufstat: what the BPF sources share: the kernel's support, the
 * one BPF object, the reading of an iterator.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/random.h>
#include <linux/capability.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "bpf_common.h"
#include "readfile.h"
#include "records.h"
#include "dmabufstat.skel.h"

#define PERM_HINT " (need root or CAP_BPF+CAP_PERFMON)"

static void kernel_probe(struct dmabufstat *ds)
{
	struct ds_kernel *k = &ds->kernel;
	struct stat st;
	struct btf *btf;

	k->probed = true;
	if (stat(DS_BTF_PATH, &st)) {
		k->err = -errno;	/* ENOENT: none; EACCES: not ours to see */
		return;
	}
	ds_libbpf_enter(ds);
	btf = btf__load_vmlinux_btf();
	k->err = btf ? 0 : -errno;
	ds_libbpf_leave(ds);
	if (!btf)
		return;
	k->have_iter = btf__find_by_name_kind(btf, "bpf_iter__dmabuf",
					      BTF_KIND_STRUCT) > 0;
	k->have_kfuncs = k->have_iter &&
		btf__find_by_name_kind(btf, "bpf_iter_dmabuf_new",
				       BTF_KIND_FUNC) > 0 &&
		btf__find_by_name_kind(btf, "bpf_iter_dmabuf_next",
				       BTF_KIND_FUNC) > 0 &&
		btf__find_by_name_kind(btf, "bpf_iter_dmabuf_destroy",
				       BTF_KIND_FUNC) > 0;
	btf__free(btf);
}

static bool have_sys_admin(void)
{
	struct __user_cap_header_struct h = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct d[2] = {};

	if (syscall(SYS_capget, &h, d))
		return false;
	return d[0].effective & (1U << CAP_SYS_ADMIN);
}

/*
 * How the skeletons are opened. A type the kernel's vmlinux BTF lacks
 * (struct drm_gem_object without built-in DRM) makes libbpf look through
 * the modules' BTF, and listing those needs CAP_SYS_ADMIN: with only
 * CAP_BPF and CAP_PERFMON the whole load would fail. Naming vmlinux's
 * BTF explicitly keeps libbpf to it; the programs check such types with
 * bpf_core_type_exists() and do without them.
 */
const struct bpf_object_open_opts *bpf_open_opts(void)
{
	static struct bpf_object_open_opts opts = {
		.sz = sizeof(opts),
	};

	opts.btf_custom_path = have_sys_admin() ? NULL : DS_BTF_PATH;
	return &opts;
}

int bpf_kernel_check(struct dmabufstat *ds, bool named)
{
	int err;

	if (!ds->kernel.probed)
		kernel_probe(ds);
	err = ds->kernel.err;
	if (!err)
		return 0;
	if (err == -ENOENT)
		return named ?
			ds_err(ds, DMABUFSTAT_E_NO_BTF, err,
			       "no kernel BTF (%s missing): BPF backends need CONFIG_DEBUG_INFO_BTF; use --backend procfs",
			       DS_BTF_PATH) :
			ds_err(ds, DMABUFSTAT_E_NO_BTF, err,
			       "no kernel BTF (%s)", DS_BTF_PATH);
	return named ?
		ds_err(ds, bpf_perm_err(err) ? DMABUFSTAT_E_PERM :
		       DMABUFSTAT_E_NO_BTF, err,
		       "cannot read kernel BTF %s: %s", DS_BTF_PATH,
		       strerror(-err)) :
		ds_err(ds, bpf_perm_err(err) ? DMABUFSTAT_E_PERM :
		       DMABUFSTAT_E_NO_BTF, err,
		       "cannot read kernel BTF: %s", strerror(-err));
}

int bpf_load_failed(struct dmabufstat *ds, bool named, int err,
		    const char *what)
{
	enum dmabufstat_errclass cls = bpf_perm_err(err) ? DMABUFSTAT_E_PERM :
							   DMABUFSTAT_E_OTHER;

	if (named)
		return ds_err(ds, cls, err, "cannot load the %s: %s%s", what,
			      strerror(-err),
			      bpf_perm_err(err) ? PERM_HINT : "");
	/* not permitted: backend.c says what is needed, once */
	return ds_err(ds, cls, err, "%s did not load: %s", what,
		      strerror(-err));
}

/* What a first load brings in: what is asked, and what the backends may use. */
static unsigned int load_plan(const struct dmabufstat *ds, unsigned int what)
{
	enum dmabufstat_buf_backend b = ds->opts.buf_backend;
	enum dmabufstat_proc_backend p = ds->opts.proc_backend;

	if (what & DS_BPF_ONLY)
		return what & ~DS_BPF_ONLY;
	if (ds->kernel.have_iter &&
	    (b == DMABUFSTAT_BUF_AUTO || b == DMABUFSTAT_BUF_BPF_ITER))
		what |= DS_BPF_BUFS;
	if (p == DMABUFSTAT_PROC_AUTO || p == DMABUFSTAT_PROC_BPF_TASK)
		what |= DS_BPF_TASKS;
	if (ds->kernel.have_kfuncs)
		what |= DS_BPF_TOTALS;
	return what;
}

static void obj_destroy(struct ds_bpf *obj)
{
	if (obj->ds && obj->ds->bpf == obj)
		obj->ds->bpf = NULL;
	bpf_link__destroy(obj->buf_link);
	bpf_link__destroy(obj->fd_link);
	bpf_link__destroy(obj->vma_link);
	dmabufstat_bpf__destroy(obj->skel);
	free(obj);
}

static struct bpf_link *attach(struct bpf_program *prog, int *err)
{
	struct bpf_link *link = bpf_program__attach_iter(prog, NULL);

	if (!link && !*err)
		*err = -errno ?: -EINVAL;
	return link;
}

static int obj_load(struct ds_bpf *obj, unsigned int what)
{
	struct dmabufstat_bpf *skel;
	__u64 salt = 0;
	int err = 0;

	skel = obj->skel = dmabufstat_bpf__open_opts(bpf_open_opts());
	if (!skel)
		return -errno ?: -ENOMEM;
	bpf_program__set_autoload(skel->progs.dmabuf_buffers,
				  what & DS_BPF_BUFS);
	bpf_program__set_autoload(skel->progs.dmabuf_fds, what & DS_BPF_TASKS);
	bpf_program__set_autoload(skel->progs.dmabuf_vmas,
				  what & DS_BPF_TASKS);
	bpf_program__set_autoload(skel->progs.dmabuf_totals,
				  what & DS_BPF_TOTALS);
	/* file ids are hashes of kernel pointers: salted per load */
	if (getrandom(&salt, sizeof(salt), 0) != sizeof(salt))
		salt = ((__u64)getpid() << 32) ^ (__u64)(uintptr_t)obj;
	skel->rodata->id_salt = salt;
	err = dmabufstat_bpf__load(skel);
	if (err)
		return err < 0 ? err : -EINVAL;
	if (what & DS_BPF_BUFS)
		obj->buf_link = attach(skel->progs.dmabuf_buffers, &err);
	if (what & DS_BPF_TASKS) {
		obj->fd_link = attach(skel->progs.dmabuf_fds, &err);
		obj->vma_link = attach(skel->progs.dmabuf_vmas, &err);
	}
	if (!err)
		obj->have = what;
	return err;
}

int ds_bpf_get(struct dmabufstat *ds, bool named, unsigned int what,
		struct ds_bpf **out)
{
	struct ds_bpf *obj = ds->bpf;
	int err;

	*out = NULL;
	if (obj && (obj->have & what & ~DS_BPF_ONLY) == (what & ~DS_BPF_ONLY)) {
		obj->users++;
		*out = obj;
		return 0;
	}
	obj = calloc(1, sizeof(*obj));
	if (!obj)
		return ds_nomem(ds);
	ds_libbpf_enter(ds);
	err = obj_load(obj, load_plan(ds, what));
	ds_libbpf_leave(ds);
	if (err) {
		obj_destroy(obj);
		return bpf_load_failed(ds, named, err,
				       what & DS_BPF_BUFS ? "dma-buf iterator" :
				       what & DS_BPF_TASKS ? "task iterators" :
				       "dma-buf totals program");
	}
	ds_debug(ds, "BPF object loaded:%s%s%s",
		 obj->have & DS_BPF_BUFS ? " buffers" : "",
		 obj->have & DS_BPF_TASKS ? " tasks" : "",
		 obj->have & DS_BPF_TOTALS ? " totals" : "");
	/* an older object keeps serving its users; new ones get this */
	if (ds->bpf)
		ds->bpf->ds = NULL;
	obj->ds = ds;
	obj->users = 1;
	ds->bpf = obj;
	*out = obj;
	return 0;
}

void ds_bpf_put(struct ds_bpf *obj)
{
	if (obj && !--obj->users)
		obj_destroy(obj);
}

int bpf_run_totals(struct dmabufstat *ds, int prog_fd,
		   struct dmabufstat_totals *t)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts);
	int err;

	memset(t, 0, sizeof(*t));
	opts.ctx_in = t;
	opts.ctx_size_in = sizeof(*t);
	err = bpf_prog_test_run_opts(prog_fd, &opts) ? -errno : 0;
	if (err)
		return ds_err(ds, bpf_perm_err(err) ? DMABUFSTAT_E_PERM :
			      DMABUFSTAT_E_OTHER, err,
			      "cannot run the dma-buf totals program: %s",
			      strerror(-err));
	if (opts.retval || t->magic != DMABUFSTAT_MAGIC ||
	    t->version != DMABUFSTAT_REC_VERSION)
		return ds_err(ds, DMABUFSTAT_E_OTHER, -EPROTO,
			      "the dma-buf totals program returned %u, magic %#x version %u (want 0, %#x, %u)",
			      opts.retval, t->magic, t->version,
			      DMABUFSTAT_MAGIC, DMABUFSTAT_REC_VERSION);
	return 0;
}

int bpf_read_iter(struct dmabufstat *ds, int link_fd,
		  enum dmabufstat_stream stream, char **out, size_t *lenp)
{
	const char *what = rec_stream_name(stream);
	int fd, err;

	*out = NULL;
	fd = bpf_iter_create(link_fd);
	if (fd < 0) {
		err = -errno;
		return ds_err(ds, bpf_perm_err(err) ? DMABUFSTAT_E_PERM :
			      DMABUFSTAT_E_OTHER, err,
			      "cannot start the %s iterator: %s", what,
			      strerror(-err));
	}
	err = read_fd_whole(fd, 1 << 16, out, lenp);
	close(fd);
	if (err == -ENOMEM)
		return ds_nomem(ds);
	if (err)
		return ds_err(ds, DMABUFSTAT_E_OTHER, err,
			      "reading the %s iterator: %s", what,
			      strerror(-err));
	rec_record(ds, stream, *out, *lenp);
	return 0;
}

/* Read and decoded a chunk at a time: no copy of the whole stream. */
#define STREAM_CHUNK	(64 * 1024)

int bpf_collect_stream(struct dmabufstat *ds, int link_fd,
		       enum dmabufstat_stream stream, struct collect *c)
{
	const char *what = rec_stream_name(stream);
	size_t have = 0, len;
	struct rec_reader rd;
	int fd, err = 0;
	ssize_t n;
	long used;
	char *buf;

	if (getenv("DMABUFSTAT_RECORD")) {
		/* the whole stream, to record it as one frame */
		err = bpf_read_iter(ds, link_fd, stream, &buf, &len);
		if (err)
			return err;
		err = rec_decode(ds, stream, buf, len, c);
		free(buf);
		return err;
	}
	fd = bpf_iter_create(link_fd);
	if (fd < 0) {
		err = -errno;
		return ds_err(ds, bpf_perm_err(err) ? DMABUFSTAT_E_PERM :
			      DMABUFSTAT_E_OTHER, err,
			      "cannot start the %s iterator: %s", what,
			      strerror(-err));
	}
	buf = malloc(STREAM_CHUNK);
	if (!buf) {
		close(fd);
		return ds_nomem(ds);
	}
	rec_reader_init(&rd, ds, stream, c);
	for (;;) {
		n = read(fd, buf + have, STREAM_CHUNK - have);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = -errno;
			ds_err(ds, DMABUFSTAT_E_OTHER, err,
			       "reading the %s iterator: %s", what,
			       strerror(-err));
			break;
		}
		if (!n) {
			err = rec_reader_end(&rd, buf, have);
			break;
		}
		have += n;
		used = rec_reader_feed(&rd, buf, have);
		if (used < 0) {
			err = used;
			break;
		}
		/* a record cut by the read waits for the rest */
		memmove(buf, buf + used, have - used);
		have -= used;
	}
	rec_reader_free(&rd);
	free(buf);
	close(fd);
	return err;
}
