// SPDX-License-Identifier: GPL-2.0
/*
 * bufsrc: real dma-buf sources and the kernel's ground truth about them.
 * See bufsrc.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <linux/dma-buf.h>
#include <linux/dma-heap.h>
#include <linux/magic.h>
#include <linux/udmabuf.h>
#include <libdrm/drm.h>

#include "bufsrc.h"

#define MAX_CARDS	64

int udmabuf_create(size_t size)
{
	struct udmabuf_create create = {};
	int dev, memfd, ret;

	/* the device first, so a machine without it gets -ENOENT */
	dev = open(UDMABUF_DEV, O_RDWR | O_CLOEXEC);
	if (dev < 0)
		return -errno;

	memfd = memfd_create("bufsrc-udmabuf", MFD_ALLOW_SEALING | MFD_CLOEXEC);
	if (memfd < 0) {
		ret = -errno;
		goto out_dev;
	}
	if (ftruncate(memfd, size) < 0) {
		ret = -errno;
		goto out_memfd;
	}
	/* udmabuf refuses a memfd whose pages could go away under it */
	if (fcntl(memfd, F_ADD_SEALS, F_SEAL_SHRINK) < 0) {
		ret = -errno;
		goto out_memfd;
	}

	create.memfd = memfd;
	create.flags = UDMABUF_FLAGS_CLOEXEC;
	create.offset = 0;
	create.size = size;
	ret = ioctl(dev, UDMABUF_CREATE, &create);
	if (ret < 0)
		ret = -errno;

	/* the udmabuf pins the memfd's pages; the memfd itself can go */
out_memfd:
	close(memfd);
out_dev:
	close(dev);
	return ret;
}

int heap_alloc(const char *heap, size_t size)
{
	struct dma_heap_allocation_data data = {
		.len = size,
		.fd_flags = O_RDWR | O_CLOEXEC,
	};
	char path[256];
	int dev, ret;

	if (snprintf(path, sizeof(path), DMA_HEAP_DIR "/%s", heap) >=
	    (int)sizeof(path))
		return -ENAMETOOLONG;
	dev = open(path, O_RDONLY | O_CLOEXEC);
	if (dev < 0)
		return -errno;
	ret = ioctl(dev, DMA_HEAP_IOCTL_ALLOC, &data);
	ret = ret < 0 ? -errno : (int)data.fd;
	close(dev);
	return ret;
}

static bool card_is_vgem(int fd)
{
	struct drm_version ver = {};
	char name[32] = "";

	ver.name = name;
	ver.name_len = sizeof(name) - 1;
	if (ioctl(fd, DRM_IOCTL_VERSION, &ver) < 0)
		return false;
	return !strcmp(name, "vgem");
}

int vgem_open(void)
{
	bool any_card = false;
	char path[64];
	int i, fd;

	/* card numbers need not be contiguous, so try them all */
	for (i = 0; i < MAX_CARDS; i++) {
		snprintf(path, sizeof(path), DRM_CARD_FMT, i);
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0) {
			if (errno != ENOENT)
				any_card = true;
			continue;
		}
		any_card = true;
		if (card_is_vgem(fd))
			return fd;
		close(fd);
	}
	return any_card ? -ENODEV : -ENOENT;
}

int vgem_create(int card_fd, size_t size, uint32_t *handle)
{
	long page = sysconf(_SC_PAGESIZE);
	struct drm_mode_create_dumb create = {
		/* one page per row: height counts pages */
		.width = page,
		.bpp = 8,
		.height = (size + page - 1) / page,
	};

	if (!size || size > UINT32_MAX)
		return -EINVAL;
	if (ioctl(card_fd, DRM_IOCTL_MODE_CREATE_DUMB, &create) < 0)
		return -errno;
	*handle = create.handle;
	return 0;
}

int vgem_handle_to_fd(int card_fd, uint32_t handle)
{
	struct drm_prime_handle prime = {
		.handle = handle,
		.flags = DRM_CLOEXEC | DRM_RDWR,
	};

	if (ioctl(card_fd, DRM_IOCTL_PRIME_HANDLE_TO_FD, &prime) < 0)
		return -errno;
	return prime.fd;
}

int vgem_close_handle(int card_fd, uint32_t handle)
{
	struct drm_gem_close close_args = { .handle = handle };

	if (ioctl(card_fd, DRM_IOCTL_GEM_CLOSE, &close_args) < 0)
		return -errno;
	return 0;
}

int vgem_export(size_t size)
{
	uint32_t handle;
	int card, ret;

	card = vgem_open();
	if (card < 0)
		return card;
	ret = vgem_create(card, size, &handle);
	if (ret < 0)
		goto out;
	/*
	 * The GEM object keeps a reference on its export while the handle
	 * lives; closing the card drops the handle, leaving the fd the only
	 * holder.
	 */
	ret = vgem_handle_to_fd(card, handle);
out:
	close(card);
	return ret;
}

int vgem_import(int card_fd, int dmabuf_fd, uint32_t *handle)
{
	struct drm_prime_handle prime = { .fd = dmabuf_fd };

	if (ioctl(card_fd, DRM_IOCTL_PRIME_FD_TO_HANDLE, &prime) < 0)
		return -errno;
	*handle = prime.handle;
	return 0;
}

int dmabuf_set_name(int fd, const char *name)
{
	if (ioctl(fd, DMA_BUF_SET_NAME_B, name) < 0)
		return -errno;
	return 0;
}

unsigned long ino_of_fd(int fd)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return 0;
	return st.st_ino;
}

bool have_buffer_source(void)
{
	char path[64];
	int i;

	if (!access(UDMABUF_DEV, F_OK) || !access(DMA_HEAP_DIR, F_OK))
		return true;
	for (i = 0; i < 64; i++) {
		snprintf(path, sizeof(path), DRM_CARD_FMT, i);
		if (!access(path, F_OK))
			return true;
	}
	return false;
}

bool is_dmabuf_fd(int fd)
{
	struct statfs sfs;

	return !fstatfs(fd, &sfs) && sfs.f_type == DMA_BUF_MAGIC;
}

/* Reads a whole (pseudo) file into a NUL-terminated buffer. */
static int read_file(const char *path, char **out)
{
	size_t len = 0, cap = 16384;
	char *buf = malloc(cap), *tmp;
	ssize_t n;
	int fd, ret = 0;

	if (!buf)
		return -ENOMEM;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		free(buf);
		return -errno;
	}
	for (;;) {
		if (cap - len < 4096) {
			cap *= 2;
			tmp = realloc(buf, cap);
			if (!tmp) {
				ret = -ENOMEM;
				break;
			}
			buf = tmp;
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			ret = -errno;
		if (n <= 0)
			break;
		len += n;
	}
	close(fd);
	if (ret) {
		free(buf);
		return ret;
	}
	buf[len] = '\0';
	*out = buf;
	return 0;
}

/* Copies at most size - 1 bytes and always terminates. */
static void copy_str(char *dst, size_t size, const char *src, size_t len)
{
	if (len >= size)
		len = size - 1;
	memcpy(dst, src, len);
	dst[len] = '\0';
}

/*
 * One buffer's line, as dma_buf_debug_show() prints it in 6.12:
 * "%08zu\t%08x\t%08x\t%08ld\t%s\t%08lu\t%s\n" for size, f_flags, f_mode,
 * file count, exp_name, inode and name ("<none>" if unset). The name comes
 * last and may hold any byte, tabs included.
 */
static bool parse_buf_line(char *line, struct bufinfo_buf *b)
{
	char *field[6], *p = line, *end;
	int i;

	for (i = 0; i < 6; i++) {
		field[i] = p;
		p = strchr(p, '\t');
		if (!p)
			return false;
		*p++ = '\0';
	}

	errno = 0;
	b->size = strtoull(field[0], &end, 10);
	if (*end || end == field[0])
		return false;
	b->flags = strtoul(field[1], &end, 16);
	if (*end || end == field[1])
		return false;
	b->mode = strtoul(field[2], &end, 16);
	if (*end || end == field[2])
		return false;
	b->count = strtol(field[3], &end, 10);
	if (*end || end == field[3])
		return false;
	copy_str(b->exp_name, sizeof(b->exp_name), field[4], strlen(field[4]));
	b->ino = strtoul(field[5], &end, 10);
	if (*end || end == field[5] || errno)
		return false;
	b->has_name = strcmp(p, "<none>");
	copy_str(b->name, sizeof(b->name), b->has_name ? p : "",
		 b->has_name ? strlen(p) : 0);
	return true;
}

static int add_attached(struct bufinfo_buf *b, const char *dev)
{
	char **v = realloc(b->attached, (b->nr_attached + 1) * sizeof(*v));

	if (!v)
		return -ENOMEM;
	b->attached = v;
	v[b->nr_attached] = strdup(dev);
	if (!v[b->nr_attached])
		return -ENOMEM;
	b->nr_attached++;
	return 0;
}

int bufinfo_read(struct bufinfo *bi)
{
	enum { BEFORE, LINE, FENCES, ATTACHED } state = BEFORE;
	struct bufinfo_buf *cur = NULL;
	char *text, *line, *next;
	int ret;

	memset(bi, 0, sizeof(*bi));
	ret = read_file(BUFINFO_PATH, &text);
	if (ret)
		return ret;

	for (line = text; line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';

		if (state == ATTACHED && !strncmp(line, "Total ", 6)) {
			/* "Total %d devices attached" ends a buffer */
			state = BEFORE;
			continue;
		}
		if (state == ATTACHED && line[0] == '\t') {
			ret = add_attached(cur, line + 1);
			if (ret)
				goto err;
			continue;
		}
		if (state == FENCES && !strcmp(line, "\tAttached Devices:")) {
			state = ATTACHED;
			continue;
		}
		if (state == FENCES && line[0] == '\t')
			continue;	/* a fence of the reservation object */
		if (state == FENCES) {
			/* a newline inside the name: keep what fits */
			size_t len = strlen(cur->name);

			if (len + 1 < sizeof(cur->name)) {
				cur->name[len] = '\n';
				copy_str(cur->name + len + 1,
					 sizeof(cur->name) - len - 1, line,
					 strlen(line));
			}
			continue;
		}
		if (!*line)
			continue;
		if (!strncmp(line, "Total ", 6)) {
			sscanf(line, "Total %d objects, %llu bytes",
			       &bi->total_objects, &bi->total_bytes);
			continue;
		}
		if (line[0] < '0' || line[0] > '9')
			continue;	/* the title and the column header */

		cur = realloc(bi->bufs, (bi->nr + 1) * sizeof(*cur));
		if (!cur) {
			ret = -ENOMEM;
			goto err;
		}
		bi->bufs = cur;
		cur = &bi->bufs[bi->nr];
		memset(cur, 0, sizeof(*cur));
		if (!parse_buf_line(line, cur)) {
			ret = -EPROTO;
			goto err;
		}
		bi->nr++;
		state = FENCES;
	}
	free(text);
	return 0;
err:
	free(text);
	bufinfo_free(bi);
	return ret;
}

const struct bufinfo_buf *bufinfo_find(const struct bufinfo *bi,
				       unsigned long ino)
{
	int i;

	for (i = 0; i < bi->nr; i++)
		if (bi->bufs[i].ino == ino)
			return &bi->bufs[i];
	return NULL;
}

void bufinfo_free(struct bufinfo *bi)
{
	int i, j;

	for (i = 0; i < bi->nr; i++) {
		for (j = 0; j < bi->bufs[i].nr_attached; j++)
			free(bi->bufs[i].attached[j]);
		free(bi->bufs[i].attached);
	}
	free(bi->bufs);
	memset(bi, 0, sizeof(*bi));
}

int fdinfo_read(pid_t pid, int fd, struct dmabuf_fdinfo *fi)
{
	bool have_exp = false;
	char path[64], *text, *line, *next, *val;
	int ret;

	memset(fi, 0, sizeof(*fi));
	snprintf(path, sizeof(path), "/proc/%d/fdinfo/%d", (int)pid, fd);
	ret = read_file(path, &text);
	if (ret)
		return ret;

	for (line = text; line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		val = strchr(line, ':');
		if (!val)
			continue;
		*val++ = '\0';
		/* exactly one tab: a name may start with blanks */
		if (*val == '\t')
			val++;

		if (!strcmp(line, "ino")) {
			fi->ino = strtoul(val, NULL, 10);
		} else if (!strcmp(line, "flags")) {
			fi->flags = strtoul(val, NULL, 8);
		} else if (!strcmp(line, "size")) {
			fi->size = strtoull(val, NULL, 10);
		} else if (!strcmp(line, "count")) {
			fi->count = strtol(val, NULL, 10);
		} else if (!strcmp(line, "exp_name")) {
			copy_str(fi->exp_name, sizeof(fi->exp_name), val,
				 strlen(val));
			have_exp = true;
		} else if (!strcmp(line, "name")) {
			copy_str(fi->name, sizeof(fi->name), val, strlen(val));
			fi->has_name = true;
		}
	}
	free(text);
	/* only dma_buf_show_fdinfo() prints exp_name */
	return have_exp ? 0 : -EINVAL;
}
