// SPDX-License-Identifier: GPL-2.0
/*
 * libdmabufstat source "procfs": every process's dma-buf fds from
 * /proc/<pid>/fd and fdinfo, and mappings from /proc/<pid>/maps. Needs no
 * BPF; without privileges it sees only the caller's own processes
 * (DMABUFSTAT_SNAP_PARTIAL_PROCS says so).
 */
#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "source.h"
#include "readfile.h"
#include "parse.h"

struct proc_info {
	uint32_t pid;
	uint32_t uid;
	uint64_t cgroup_id;
	char comm[DMABUFSTAT_COMM_LEN];
};

static void proc_ids(struct proc_info *pi)
{
	char path[64], cg[4096], *text;
	struct stat st;
	const char *p;
	size_t len;

	snprintf(path, sizeof(path), "/proc/%u/comm", pi->pid);
	read_line(path, pi->comm, sizeof(pi->comm));

	snprintf(path, sizeof(path), "/proc/%u/status", pi->pid);
	if (!read_whole(path, &text, NULL)) {
		parse_status_uid(text, &pi->uid);
		free(text);
	}

	/* cgroup v2 id: the inode of its directory under /sys/fs/cgroup */
	snprintf(path, sizeof(path), "/proc/%u/cgroup", pi->pid);
	if (read_whole(path, &text, NULL))
		return;
	p = parse_cgroup_v2(text, &len);
	if (p) {
		snprintf(cg, sizeof(cg), "/sys/fs/cgroup%.*s", (int)len, p);
		if (!stat(cg, &st))
			pi->cgroup_id = st.st_ino;
	}
	free(text);
}

static bool is_dmabuf_link(const char *target)
{
	return !strncmp(target, "/dmabuf:", 8) ||
	       !strcmp(target, "anon_inode:dmabuf");
}

/* The dma-buf part of /proc/<pid>/fdinfo/<fd>; false if not a dma-buf. */
static bool read_fdinfo(uint32_t pid, int fd, struct raw_ref *r,
			struct ref_buf *b)
{
	char path[64], *text;
	bool is_dmabuf;

	snprintf(path, sizeof(path), "/proc/%u/fdinfo/%d", pid, fd);
	if (read_whole(path, &text, NULL))
		return false;
	is_dmabuf = parse_fdinfo(text, r, b);
	free(text);
	return is_dmabuf;
}

static struct raw_ref *new_ref(struct collect *c, const struct proc_info *pi)
{
	struct raw_ref *r = collect_add_ref(c);

	if (!r)
		return NULL;
	r->ref.pid = pi->pid;
	r->uid = pi->uid;
	r->cgroup_id = pi->cgroup_id;
	memcpy(r->comm, pi->comm, sizeof(r->comm));
	/* /proc says what it says of each buffer: always described */
	if (!collect_add_desc(c, r)) {
		c->nr_refs--;
		return NULL;
	}
	return r;
}

/* 0, 1 if unreadable (permissions), -ENOMEM */
static int proc_fds(struct collect *c, struct proc_info *pi, bool *ids)
{
	char path[64], target[256], *end;
	struct dirent *de;
	struct raw_ref *r;
	ssize_t n;
	DIR *d;
	int fd;

	snprintf(path, sizeof(path), "/proc/%u/fd", pi->pid);
	d = opendir(path);
	if (!d)
		return errno == EACCES || errno == EPERM ? 1 : 0;
	while ((de = readdir(d))) {
		fd = strtol(de->d_name, &end, 10);
		if (!isdigit((unsigned char)de->d_name[0]) || *end)
			continue;
		snprintf(path, sizeof(path), "/proc/%u/fd/%d", pi->pid, fd);
		n = readlink(path, target, sizeof(target) - 1);
		if (n < 0)
			continue;
		target[n] = '\0';
		if (!is_dmabuf_link(target))
			continue;
		if (!*ids) {
			proc_ids(pi);
			*ids = true;
		}
		r = new_ref(c, pi);
		if (!r) {
			closedir(d);
			return -ENOMEM;
		}
		r->ref.kind = DMABUFSTAT_REF_FD;
		r->ref.fd = fd;
		if (!read_fdinfo(pi->pid, fd, r, &c->descs[r->desc - 1]))
			collect_drop_ref(c);	/* closed meanwhile, or not ours */
	}
	closedir(d);
	return 0;
}

static int proc_maps(struct collect *c, struct proc_info *pi, bool *ids)
{
	char path[64], *text, *line, *next;
	struct maps_dmabuf m;
	struct raw_ref *r;
	struct ref_buf *d;
	int err;

	snprintf(path, sizeof(path), "/proc/%u/maps", pi->pid);
	err = read_whole(path, &text, NULL);
	if (err)
		return err == -EACCES || err == -EPERM ? 1 : 0;
	for (line = text; line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (!parse_maps_line(line, &m))
			continue;
		if (!*ids) {
			proc_ids(pi);
			*ids = true;
		}
		r = new_ref(c, pi);
		if (!r) {
			free(text);
			return -ENOMEM;
		}
		r->ref.kind = DMABUFSTAT_REF_MAP;
		r->ref.start = m.start;
		r->ref.end = m.end;
		r->ref.offset = m.offset;
		r->ref.ino = m.ino;
		d = &c->descs[r->desc - 1];
		d->ino = m.ino;
		r->desc_size_known = false;
		memcpy(d->name, m.name, sizeof(d->name));
		if (m.has_name)
			d->flags |= DMABUFSTAT_BUF_HAS_NAME;
	}
	free(text);
	return 0;
}

static int procfs_collect(struct dmabufstat *ds, void *state,
			  struct collect *c)
{
	struct proc_info pi;
	struct dirent *de;
	char *end;
	bool ids;
	DIR *d;
	int err = 0;

	(void)state;
	d = opendir("/proc");
	if (!d)
		return ds_err(ds, DMABUFSTAT_E_NO_SOURCE, -errno,
			      "cannot open /proc: %s", strerror(errno));
	while ((de = readdir(d))) {
		memset(&pi, 0, sizeof(pi));
		pi.pid = strtoul(de->d_name, &end, 10);
		if (!isdigit((unsigned char)de->d_name[0]) || *end)
			continue;
		ids = false;
		err = proc_fds(c, &pi, &ids);
		if (err > 0)
			c->flags |= DMABUFSTAT_SNAP_PARTIAL_PROCS;
		if (err >= 0)
			err = proc_maps(c, &pi, &ids);
		if (err > 0)
			c->flags |= DMABUFSTAT_SNAP_PARTIAL_PROCS;
		if (err < 0)
			break;
		err = 0;
	}
	closedir(d);
	if (err)
		return ds_nomem(ds);
	return 0;
}

const struct ds_source ds_src_procfs = {
	.name = "procfs",
	.kind = DS_SRC_PROCESSES,
	.id = DMABUFSTAT_PROC_PROCFS,
	.collect = procfs_collect,
};
