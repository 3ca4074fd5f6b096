// SPDX-License-Identifier: GPL-2.0
/*
 * libdmabufstat: the count and size of every dma-buf, and nothing else:
 * the open-coded totals program where the kernel has its kfuncs, else the
 * buffer backend's walk, summed.
 */
#include <string.h>
#include <unistd.h>
#include <bpf/libbpf.h>

#include "source.h"
#include "sources/bpf_common.h"
#include "dmabufstat.skel.h"

static bool bpf_buffers_wanted(const struct dmabufstat *ds)
{
	enum dmabufstat_buf_backend b = ds->opts.buf_backend;

	return b == DMABUFSTAT_BUF_AUTO || b == DMABUFSTAT_BUF_BPF_ITER ||
	       b == DMABUFSTAT_BUF_BPF_PIN;
}

/* The pinned totals program: 0, or -ENOENT (not pinned, or not ours). */
static int from_pin(struct dmabufstat *ds, struct dmabufstat_buffer_totals *t)
{
	struct dmabufstat_totals r;
	int fd, err;

	if (ds->opts.buf_backend == DMABUFSTAT_BUF_BPF_ITER)
		return -ENOENT;		/* loading was asked for */
	fd = bpf_pin_totals_fd(ds);
	if (fd < 0) {
		ds_clear_err(ds);
		return -ENOENT;
	}
	err = bpf_run_totals(ds, fd, &r);
	close(fd);
	if (err)
		return err;
	t->count = r.count;
	t->bytes = r.bytes;
	t->path = DMABUFSTAT_TOTALS_PINNED;
	return 0;
}

/* The totals program of an object the context has, or one loaded for it. */
static struct ds_bpf *totals_object(struct dmabufstat *ds)
{
	struct ds_bpf *obj;

	if (ds->bpf && (ds->bpf->have & DS_BPF_TOTALS))
		return ds->bpf;
	if (ds->totals_bpf)
		return ds->totals_bpf;
	if (bpf_kernel_check(ds, false) || !ds->kernel.have_kfuncs)
		return NULL;
	/* before a snapshot: the totals alone; after one: with the rest */
	if (ds_bpf_get(ds, false, DS_BPF_TOTALS |
		       (ds->probed ? 0 : DS_BPF_ONLY), &obj))
		return NULL;
	ds->totals_bpf = obj;
	return obj;
}

static int from_program(struct dmabufstat *ds,
			struct dmabufstat_buffer_totals *t)
{
	struct dmabufstat_totals r;
	struct ds_bpf *obj;
	int err;

	obj = totals_object(ds);
	if (!obj)
		return -EOPNOTSUPP;
	err = bpf_run_totals(ds, bpf_program__fd(obj->skel->progs.dmabuf_totals),
			     &r);
	if (err)
		return err;
	t->count = r.count;
	t->bytes = r.bytes;
	t->path = DMABUFSTAT_TOTALS_PROGRAM;
	return 0;
}

static int from_buffers(struct dmabufstat *ds,
			struct dmabufstat_buffer_totals *t)
{
	struct dmabufstat_snapshot *snap;
	struct collect c = {};
	size_t i;
	int err;

	err = dmabufstat_probe(ds);
	if (err)
		return err;
	t->path = DMABUFSTAT_TOTALS_BUFFERS;
	if (ds->buf.src->id == DMABUFSTAT_BUF_PROCS) {
		/* its buffers are those the process walk finds */
		err = dmabufstat_snapshot(ds, &snap);
		if (err)
			return err;
		t->count = dmabufstat_totals(snap)->count;
		t->bytes = dmabufstat_totals(snap)->bytes;
		dmabufstat_snapshot_free(snap);
		return 0;
	}
	err = backend_collect_buffers(ds, &c);
	for (i = 0; !err && i < c.nr_bufs; i++) {
		t->count++;
		t->bytes += c.bufs[i].size;
	}
	collect_free(&c);
	return err;
}

DMABUFSTAT_API int dmabufstat_totals_only(struct dmabufstat *ds,
					  struct dmabufstat_buffer_totals *t)
{
	int err;

	memset(t, 0, sizeof(*t));
	ds_clear_err(ds);
	if (bpf_buffers_wanted(ds)) {
		err = from_pin(ds, t);
		if (!err || (err != -ENOENT &&
			     ds->opts.buf_backend == DMABUFSTAT_BUF_BPF_PIN))
			return err;
		ds_clear_err(ds);
		memset(t, 0, sizeof(*t));
		/* pins named: theirs, or their buffers walked */
		err = ds->opts.buf_backend == DMABUFSTAT_BUF_BPF_PIN ?
		      -EOPNOTSUPP : from_program(ds, t);
		if (!err)
			return 0;
		/* a named backend's failure is the caller's; AUTO walks */
		if (err != -EOPNOTSUPP && ds->opts.buf_backend)
			return err;
		ds_debug(ds, "totals: no totals program (%s): walking buffers",
			 err == -EOPNOTSUPP ? "no kfuncs" : ds->errmsg);
		ds_clear_err(ds);
		memset(t, 0, sizeof(*t));
	}
	return from_buffers(ds, t);
}

DMABUFSTAT_API int dmabufstat_meminfo_total_exported(struct dmabufstat *ds,
						     uint64_t *bytes)
{
	struct dmabufstat_buffer_totals t;
	int err;

	*bytes = 0;
	err = dmabufstat_totals_only(ds, &t);
	if (!err)
		*bytes = t.bytes;
	return err;
}

void totals_release(struct dmabufstat *ds)
{
	ds_bpf_put(ds->totals_bpf);
	ds->totals_bpf = NULL;
}
