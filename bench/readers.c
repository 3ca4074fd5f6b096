// SPDX-License-Identifier: GPL-2.0
/*
 * The held-out readers: each reads every dma-buf the way another program
 * does, written apart from libdmabufstat (none of its parsers) so that the
 * bench measures the old ways, not our copy of them. Each returns the
 * number of buffers (or, for the /proc scan, references) it saw.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "bench.h"

#define CHUNK		65536
#define SYSFS_DIR	"/sys/kernel/dmabuf/buffers"
#define BUFINFO		"/sys/kernel/debug/dma_buf/bufinfo"
#define ANDROID_PROG	"/sys/fs/bpf/dmabuf/prog_dmabufIter_iter_dmabuf"

/* Keeps the parsed values live, so no parsing is optimised away. */
static volatile unsigned long long sink;

/* A whole file (or an iterator fd) into a growing buffer, NUL-terminated. */
static long read_all(int fd, char **buf, size_t *cap)
{
	size_t len = 0;
	ssize_t n;

	for (;;) {
		if (*cap - len < CHUNK + 1) {
			char *p = realloc(*buf, *cap + 4 * CHUNK);

			if (!p)
				return -ENOMEM;
			*buf = p;
			*cap += 4 * CHUNK;
		}
		n = read(fd, *buf + len, CHUNK);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (!n)
			break;
		len += n;
	}
	(*buf)[len] = '\0';
	return len;
}

/* A small file (one sysfs attribute) into buf. */
static int read_small(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return n;
}

/*
 * (a) Android's sysfs-stats reader: list the buffers' directories, then
 * read exporter_name and size of each.
 */
static long read_sysfs(void *arg)
{
	char path[320], exp[128], size[32];
	unsigned long long total = 0;
	struct dirent *de;
	long n = 0;
	DIR *dir;

	(void)arg;
	dir = opendir(SYSFS_DIR);
	if (!dir)
		return -errno;
	while ((de = readdir(dir))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), SYSFS_DIR "/%s/exporter_name",
			 de->d_name);
		if (read_small(path, exp, sizeof(exp)) < 0)
			continue;	/* freed meanwhile */
		snprintf(path, sizeof(path), SYSFS_DIR "/%s/size", de->d_name);
		if (read_small(path, size, sizeof(size)) < 0)
			continue;
		total += strtoull(size, NULL, 10) + (unsigned char)exp[0];
		n++;
	}
	closedir(dir);
	sink = total;
	return n;
}

/*
 * (b) debugfs bufinfo, read whole and parsed: one line per buffer,
 * "size flags mode count exp_name ino name" separated by tabs, each
 * followed by its attachments (lines that start with a tab or "Total").
 */
static long read_bufinfo(void *arg)
{
	static char *buf;
	static size_t cap;
	unsigned long long total = 0;
	char *line, *next;
	long n = 0, len;
	int fd;

	(void)arg;
	fd = open(BUFINFO, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	len = read_all(fd, &buf, &cap);
	close(fd);
	if (len < 0)
		return len;
	for (line = buf; line && *line; line = next) {
		char *field[7], *p = line;
		int i;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (!isdigit((unsigned char)*line))
			continue;
		for (i = 0; i < 7 && p; i++) {
			field[i] = p;
			p = strchr(p, '\t');
			if (p)
				*p++ = '\0';
		}
		if (i < 6)
			continue;
		/* size and inode; the exporter is field 4 */
		total += strtoull(field[0], NULL, 10) +
			 strtoull(field[5], NULL, 10) +
			 (unsigned char)field[4][0];
		n++;
	}
	sink = total;
	return n;
}

/* A dma-buf fd's fdinfo: "size:", "exp_name:" and "ino:" lines. */
static int read_fdinfo(const char *pid, const char *fd)
{
	char path[600], info[1024], *line;
	unsigned long long v = 0;

	snprintf(path, sizeof(path), "/proc/%s/fdinfo/%s", pid, fd);
	if (read_small(path, info, sizeof(info)) < 0)
		return 0;
	for (line = info; line; line = strchr(line, '\n')) {
		if (*line == '\n')
			line++;
		if (!strncmp(line, "size:", 5))
			v += strtoull(line + 5, NULL, 10);
		else if (!strncmp(line, "ino:", 4))
			v += strtoull(line + 4, NULL, 10);
		else if (!strncmp(line, "exp_name:", 9))
			v += (unsigned char)line[10];
	}
	sink += v;
	return 1;
}

/* A process's dma-buf mappings: maps lines whose path is /dmabuf:... */
static long read_maps(const char *pid, char **buf, size_t *cap)
{
	char path[300], *line, *next;
	long n = 0, len;
	int fd;

	snprintf(path, sizeof(path), "/proc/%s/maps", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	len = read_all(fd, buf, cap);
	close(fd);
	if (len < 0)
		return 0;
	for (line = *buf; line && *line; line = next) {
		unsigned long long start, end, ino;
		char *p;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		p = strstr(line, "/dmabuf:");
		if (!p)
			continue;
		/* "start-end perms offset dev inode path" */
		if (sscanf(line, "%llx-%llx %*s %*s %*s %llu", &start, &end,
			   &ino) != 3)
			continue;
		sink += end - start + ino;
		n++;
	}
	return n;
}

/*
 * (c) The /proc scan of Android's dmabuf_dump: for every process, every fd
 * whose link names a dma-buf has its fdinfo read and parsed, then the
 * maps file is read for dma-buf mappings.
 */
static long read_procs(void *arg)
{
	static char *buf;
	static size_t cap;
	struct dirent *pe, *fe;
	DIR *proc, *fds;
	char path[600], target[128];
	long n = 0;

	(void)arg;
	proc = opendir("/proc");
	if (!proc)
		return -errno;
	while ((pe = readdir(proc))) {
		if (!isdigit((unsigned char)pe->d_name[0]))
			continue;
		snprintf(path, sizeof(path), "/proc/%s/fd", pe->d_name);
		fds = opendir(path);
		if (!fds)
			continue;
		while ((fe = readdir(fds))) {
			ssize_t len;

			if (fe->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "/proc/%s/fd/%s",
				 pe->d_name, fe->d_name);
			len = readlink(path, target, sizeof(target) - 1);
			if (len < 0)
				continue;
			target[len] = '\0';
			if (strncmp(target, "/dmabuf:", 8) &&
			    strncmp(target, "anon_inode:dmabuf", 17))
				continue;
			n += read_fdinfo(pe->d_name, fe->d_name);
		}
		closedir(fds);
		n += read_maps(pe->d_name, &buf, &cap);
	}
	closedir(proc);
	return n;
}

/*
 * (d) Android's pinned iterator, as libdmabufinfo reads it: the pinned
 * program gets a link and an iterator fd, whose text is four lines per
 * buffer: inode, size, name, exporter.
 */
static long read_android(void *arg)
{
	static char *buf;
	static size_t cap;
	int prog, link, iter, line_no = 0;
	unsigned long long total = 0;
	char *line, *next;
	long len;

	(void)arg;
	prog = bpf_obj_get(ANDROID_PROG);
	if (prog < 0)
		return -errno;
	link = bpf_link_create(prog, 0, BPF_TRACE_ITER, NULL);
	close(prog);
	if (link < 0)
		return -errno;
	iter = bpf_iter_create(link);
	close(link);
	if (iter < 0)
		return -errno;
	len = read_all(iter, &buf, &cap);
	close(iter);
	if (len < 0)
		return len;
	for (line = buf; line && *line; line = next, line_no++) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		switch (line_no % 4) {
		case 0:	/* inode */
		case 1:	/* size */
			total += strtoull(line, NULL, 10);
			break;
		default: /* name, exporter */
			total += (unsigned char)line[0];
		}
	}
	if (line_no % 4)
		return -EPROTO;
	sink = total;
	return line_no / 4;
}

bench_fn reader_by_name(const char *name)
{
	static const struct {
		const char *name;
		bench_fn fn;
	} readers[] = {
		{ "sysfs", read_sysfs },
		{ "bufinfo", read_bufinfo },
		{ "procs", read_procs },
		{ "android", read_android },
		{ "floor", read_floor },
	};
	size_t i;

	for (i = 0; i < sizeof(readers) / sizeof(readers[0]); i++)
		if (!strcmp(name, readers[i].name))
			return readers[i].fn;
	return NULL;
}
