// SPDX-License-Identifier: GPL-2.0
/*
 * android_pin: `dmabufstat pin --android` and Android's four-line format.
 *
 * A parser written here from the format (inode, size, name, exporter, one
 * per line; newline in a name read as a space; exporter never empty) reads
 * the pinned iterator back, both ways a reader can: the link pin with
 * plain read()s of 7 bytes, and the program pin as libdmabufinfo does
 * (bpf_obj_get, bpf_link_create BPF_TRACE_ITER, bpf_iter_create) with
 * 100-byte reads. With 3,000 system-heap buffers, some with hostile names
 * (newline, quotes, 31 bytes, non-UTF-8), every buffer must come back
 * exactly. Host (no buffers): pin and read give zero records. Vanilla
 * kernel: pin fails cleanly.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <bpf/bpf.h>

#include "test_progs.h"
#include "bufsrc.h"
#include "libdmabufstat.h"

#define NR_BUFS 3000
#define BPFFS_MAGIC 0xcafe4a11

struct rec {
	unsigned long long ino, size;
	char name[64], exp[80];
};

/* Reads fd to EOF in chunks of n bytes. */
static char *read_all(int fd, size_t n, size_t *len)
{
	size_t cap = 1 << 16, l = 0;
	char *buf = malloc(cap);
	ssize_t r;

	while (buf) {
		if (l + n + 1 > cap) {
			cap *= 2;
			buf = realloc(buf, cap);
			if (!buf)
				break;
		}
		r = read(fd, buf + l, n);
		if (r < 0) {
			free(buf);
			return NULL;
		}
		if (!r)
			break;
		l += r;
	}
	if (buf)
		buf[l] = '\0';
	*len = l;
	return buf;
}

/* The parser: four lines per record; -1 on a malformed stream. */
static int parse(char *text, size_t len, struct rec **out)
{
	struct rec *recs = NULL;
	int nr = 0, cap = 0, field = 0;
	char *p = text, *end = text + len, *nl, *e;

	if (len && text[len - 1] != '\n')
		return -1;
	while (p < end) {
		nl = memchr(p, '\n', end - p);
		*nl = '\0';
		if (field == 0) {
			if (nr == cap) {
				cap = cap ? cap * 2 : 1024;
				recs = realloc(recs, cap * sizeof(*recs));
				if (!recs)
					return -1;
			}
			memset(&recs[nr], 0, sizeof(*recs));
			recs[nr].ino = strtoull(p, &e, 10);
			if (!*p || *e)
				goto bad;
		} else if (field == 1) {
			recs[nr].size = strtoull(p, &e, 10);
			if (!*p || *e)
				goto bad;
		} else if (field == 2) {
			if (strlen(p) > 31)
				goto bad;
			strcpy(recs[nr].name, p);
		} else {
			if (!*p || strlen(p) > 63)
				goto bad;	/* Android: empty exporter = error */
			strcpy(recs[nr].exp, p);
			nr++;
		}
		field = (field + 1) % 4;
		p = nl + 1;
	}
	if (field)
		goto bad;
	*out = recs;
	return nr;
bad:
	free(recs);
	return -1;
}

static const char *const hostile[] = {
	"new\nline", "\"quoted\" 'name'", "0123456789012345678901234567890",
	"bad\xff\xfeutf8\xc3", "\n", "a\\b,c;d",
};

static void check_recs(struct rec *recs, int nr, const unsigned long *inos,
		       int nr_bufs, const char *what)
{
	int i, j, found = 0, bad = 0;
	char want[64];

	for (i = 0; i < nr_bufs; i++) {
		const char *name = "";

		if (i < (int)(sizeof(hostile) / sizeof(hostile[0])))
			name = hostile[i];
		snprintf(want, sizeof(want), "%s", name);
		for (j = 0; want[j]; j++)
			if (want[j] == '\n')
				want[j] = ' ';
		for (j = 0; j < nr; j++)
			if (recs[j].ino == inos[i])
				break;
		if (j == nr) {
			bad++;
			continue;
		}
		found++;
		if (recs[j].size != 4096 || strcmp(recs[j].name, want) ||
		    strcmp(recs[j].exp, "system")) {
			if (bad++ < 5)
				printf("%s: ino %lu: size %llu name '%s' exp '%s'\n",
				       what, inos[i], recs[j].size,
				       recs[j].name, recs[j].exp);
		}
	}
	ASSERT_EQ(found, nr_bufs, what);
	ASSERT_EQ(bad, 0, what);
}

void test_android_pin(void)
{
	char dir[] = "/sys/fs/bpf/android_pin_XXXXXX", path[128];
	struct dmabufstat_pin_opts po = { .sz = sizeof(po) };
	unsigned long *inos = NULL;
	const char *kern = getenv("DMABUFSTAT_KERNEL");
	struct dmabufstat *ds = NULL;
	bool mounted = false, have_heap;
	struct rlimit rl = { 8192, 8192 };
	struct statfs sfs;
	struct rec *recs = NULL;
	int *fds = NULL, nr_bufs = 0, i, err, fd, nr;
	size_t len;
	char *text;

	if (statfs("/sys/fs/bpf", &sfs) || sfs.f_type != BPFFS_MAGIC) {
		if (!ASSERT_OK(mount("bpf", "/sys/fs/bpf", "bpf", 0, NULL),
			       "mount bpffs"))
			return;
		mounted = true;
	}
	if (!ASSERT_OK_PTR(mkdtemp(dir), "mkdtemp on bpffs"))
		goto out;
	rmdir(dir);	/* pin makes it */
	ds = dmabufstat_new(NULL);
	if (!ASSERT_OK_PTR(ds, "dmabufstat_new"))
		goto out;

	have_heap = !access(DMA_HEAP_DIR "/system", F_OK);
	if (have_heap) {
		setrlimit(RLIMIT_NOFILE, &rl);
		fds = calloc(NR_BUFS, sizeof(*fds));
		inos = calloc(NR_BUFS, sizeof(*inos));
		for (i = 0; fds && inos && i < NR_BUFS; i++) {
			fds[i] = heap_alloc("system", 4096);
			if (!ASSERT_OK_FD(fds[i], "heap_alloc"))
				break;
			inos[i] = ino_of_fd(fds[i]);
			nr_bufs++;
			if (i < (int)(sizeof(hostile) / sizeof(hostile[0])))
				ASSERT_OK(dmabuf_set_name(fds[i], hostile[i]) < 0 ? -1 : 0,
					  "set name");
		}
	}

	err = dmabufstat_pin_android(ds, dir, &po);
	if (kern && !strcmp(kern, "vanilla")) {
		if (test__start_subtest("vanilla_refuses")) {
			ASSERT_EQ(err, -EOPNOTSUPP, "no iterator: -EOPNOTSUPP");
			ASSERT_EQ(dmabufstat_errclass(ds), DMABUFSTAT_E_NO_ITER,
				  "errclass NO_ITER");
		}
		goto out;
	}
	if (!ASSERT_OK(err, dmabufstat_errmsg(ds)))
		goto out;
	po.force = false;
	ASSERT_EQ(dmabufstat_pin_android(ds, dir, &po), -EEXIST,
		  "second pin: -EEXIST");

	if (test__start_subtest("link_7_byte_reads")) {
		snprintf(path, sizeof(path), "%s/%s", dir,
			 DMABUFSTAT_ANDROID_TEXT);
		fd = open(path, O_RDONLY);
		if (ASSERT_OK_FD(fd, "open link pin")) {
			text = read_all(fd, 7, &len);
			close(fd);
			nr = text ? parse(text, len, &recs) : -1;
			if (ASSERT_GE(nr, nr_bufs, "records parse"))
				check_recs(recs, nr, inos, nr_bufs, "7-byte reads");
			free(recs);
			recs = NULL;
			free(text);
		}
	}
	if (test__start_subtest("prog_like_libdmabufinfo")) {
		int prog, link, iter;

		snprintf(path, sizeof(path), "%s/%s", dir,
			 DMABUFSTAT_ANDROID_PROG);
		prog = bpf_obj_get(path);
		link = prog >= 0 ? bpf_link_create(prog, 0, BPF_TRACE_ITER,
						   NULL) : -1;
		iter = link >= 0 ? bpf_iter_create(link) : -1;
		if (ASSERT_OK_FD(prog, "bpf_obj_get prog") &&
		    ASSERT_OK_FD(link, "bpf_link_create") &&
		    ASSERT_OK_FD(iter, "bpf_iter_create")) {
			text = read_all(iter, 100, &len);
			nr = text ? parse(text, len, &recs) : -1;
			if (ASSERT_GE(nr, nr_bufs, "records parse"))
				check_recs(recs, nr, inos, nr_bufs, "100-byte reads");
			if (!nr_bufs)
				printf("no buffer source: %d records\n", nr);
			free(recs);
			recs = NULL;
			free(text);
		}
		if (iter >= 0)
			close(iter);
		if (link >= 0)
			close(link);
		if (prog >= 0)
			close(prog);
	}
	if (test__start_subtest("unpin")) {
		ASSERT_OK(dmabufstat_unpin_android(ds, dir), "unpin");
		ASSERT_NEQ(access(dir, F_OK), 0, "dir gone");
	}
out:
	dmabufstat_unpin_android(ds, dir);
	dmabufstat_free(ds);
	for (i = 0; i < nr_bufs; i++)
		close(fds[i]);
	free(fds);
	free(inos);
	if (mounted)
		umount("/sys/fs/bpf");
}
