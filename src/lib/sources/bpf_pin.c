// SPDX-License-Identifier: GPL-2.0
/*
 * libdmabufstat sources "bpf-pin" (buffers and processes): the iterators
 * dmabufstat_pin() pinned (a boot unit does it once), read as they are:
 * no BPF load, no BTF parse, only read access to the pins needed. The
 * pins' "format" map says they are ours, of which record version, and
 * which files are there; pins that are missing, unreadable, foreign or of
 * another version are not used, and AUTO goes on to load (bpf-iter,
 * bpf-task), noting why.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "source.h"
#include "bpf_common.h"

/* Each source's open pins. */
struct pin_state {
	int fd[2];		/* link fds: buffers; or fds and vmas */
};

static const char *const pin_file[] = {
	[0] = DMABUFSTAT_PIN_BUFFERS,
	[1] = DMABUFSTAT_PIN_FDS,
	[2] = DMABUFSTAT_PIN_VMAS,
	[3] = DMABUFSTAT_PIN_TOTALS,
};

static const unsigned int pin_flag[] = {
	DMABUFSTAT_PIN_F_BUFS, DMABUFSTAT_PIN_F_FDS, DMABUFSTAT_PIN_F_VMAS,
	DMABUFSTAT_PIN_F_TOTALS,
};

/*
 * The pins' format, checked: 0, or the context's error (never
 * DMABUFSTAT_E_PERM: unreadable pins are only absent to AUTO).
 */
static int check_format(struct dmabufstat *ds, bool named,
			struct dmabufstat_pin_info *info)
{
	char path[4096];
	__u32 zero = 0;
	int fd, err;

	snprintf(path, sizeof(path), "%s/%s", ds->pin_dir,
		 DMABUFSTAT_PIN_FORMAT);
	fd = bpf_obj_get(path);
	if (fd < 0) {
		err = -errno;
		return ds_err(ds, DMABUFSTAT_E_NO_SOURCE, err,
			      err == -ENOENT ? "no pins in %s%s" :
			      "pins in %s not readable: %s",
			      ds->pin_dir,
			      err == -ENOENT ? (named ?
				" (dmabufstat pin, or the boot unit, makes them)" :
				"") : strerror(-err));
	}
	memset(info, 0, sizeof(*info));
	err = bpf_map_lookup_elem(fd, &zero, info) ? -errno : 0;
	close(fd);
	if (err)
		return ds_err(ds, DMABUFSTAT_E_NO_SOURCE, err,
			      "%s: %s", path, strerror(-err));
	if (info->magic != DMABUFSTAT_MAGIC)
		return ds_err(ds, DMABUFSTAT_E_NO_SOURCE, -EPROTO,
			      "%s is not dmabufstat's (magic %#x)", path,
			      info->magic);
	if (info->version != DMABUFSTAT_REC_VERSION)
		return ds_err(ds, DMABUFSTAT_E_NO_SOURCE, -EPROTO,
			      "pins in %s have record format %u, this library reads %u (pin again)",
			      ds->pin_dir, info->version,
			      DMABUFSTAT_REC_VERSION);
	return 0;
}

/* The pinned file i (pin_file[]), if the format says it is there. */
static int open_pin(struct dmabufstat *ds,
		    const struct dmabufstat_pin_info *info, int i)
{
	char path[4096];
	int fd, err;

	if (!(info->flags & pin_flag[i]))
		return ds_err(ds, DMABUFSTAT_E_NO_SOURCE, -ENOENT,
			      "pins in %s have no %s", ds->pin_dir,
			      pin_file[i]);
	snprintf(path, sizeof(path), "%s/%s", ds->pin_dir, pin_file[i]);
	fd = bpf_obj_get(path);
	if (fd < 0) {
		err = -errno;
		return ds_err(ds, DMABUFSTAT_E_NO_SOURCE, err, "%s: %s", path,
			      strerror(-err));
	}
	return fd;
}

static void pin_release(void *state)
{
	struct pin_state *st = state;

	if (!st)
		return;
	if (st->fd[0] >= 0)
		close(st->fd[0]);
	if (st->fd[1] >= 0)
		close(st->fd[1]);
	free(st);
}

/* Opens pin_file[first .. first + n - 1] into a new state. */
static int pin_probe(struct dmabufstat *ds, bool named, void **state,
		     int first, int n)
{
	struct dmabufstat_pin_info info;
	struct pin_state *st;
	int i, err;

	err = check_format(ds, named, &info);
	if (err)
		return err;
	st = malloc(sizeof(*st));
	if (!st)
		return ds_nomem(ds);
	st->fd[0] = st->fd[1] = -1;
	for (i = 0; i < n; i++) {
		st->fd[i] = open_pin(ds, &info, first + i);
		if (st->fd[i] < 0) {
			err = st->fd[i];
			pin_release(st);
			return err;
		}
	}
	*state = st;
	return 0;
}

static int pin_probe_bufs(struct dmabufstat *ds, bool named, void **state)
{
	return pin_probe(ds, named, state, 0, 1);
}

static int pin_probe_procs(struct dmabufstat *ds, bool named, void **state)
{
	return pin_probe(ds, named, state, 1, 2);
}

static int pin_collect_bufs(struct dmabufstat *ds, void *state,
			    struct collect *c)
{
	struct pin_state *st = state;

	c->bufs_have_names = true;
	c->bufs_complete = true;
	c->bufs_have_attach = true;
	return bpf_collect_stream(ds, st->fd[0], DMABUFSTAT_STREAM_BUFS, c);
}

static int pin_collect_procs(struct dmabufstat *ds, void *state,
			     struct collect *c)
{
	struct pin_state *st = state;

	return bpf_collect_stream(ds, st->fd[0], DMABUFSTAT_STREAM_FDS, c) ?:
	       bpf_collect_stream(ds, st->fd[1], DMABUFSTAT_STREAM_VMAS, c);
}

int bpf_pin_totals_fd(struct dmabufstat *ds)
{
	struct dmabufstat_pin_info info;
	int err;

	err = check_format(ds, false, &info);
	return err ?: open_pin(ds, &info, 3);
}

const struct ds_source ds_src_bpf_pin_bufs = {
	.name = "bpf-pin",
	.kind = DS_SRC_BUFFERS,
	.id = DMABUFSTAT_BUF_BPF_PIN,
	.flags = DS_SRC_BPF | DS_SRC_OPTIONAL,
	.probe = pin_probe_bufs,
	.collect = pin_collect_bufs,
	.release = pin_release,
};

const struct ds_source ds_src_bpf_pin_procs = {
	.name = "bpf-pin",
	.kind = DS_SRC_PROCESSES,
	.id = DMABUFSTAT_PROC_BPF_PIN,
	.flags = DS_SRC_BPF | DS_SRC_OPTIONAL,
	.probe = pin_probe_procs,
	.collect = pin_collect_procs,
	.release = pin_release,
};
