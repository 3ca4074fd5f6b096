// SPDX-License-Identifier: GPL-2.0
/* libdmabufstat: contexts, errors, backend choice. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <bpf/libbpf.h>

#include "internal.h"

DMABUFSTAT_API const char *dmabufstat_version(void)
{
	return DMABUFSTAT_VERSION_STRING;
}

static const char *const buf_names[] = {
	[DMABUFSTAT_BUF_AUTO] = "auto",
	[DMABUFSTAT_BUF_BPF_ITER] = "bpf-iter",
	[DMABUFSTAT_BUF_BUFINFO] = "bufinfo",
	[DMABUFSTAT_BUF_SYSFS] = "sysfs",
	[DMABUFSTAT_BUF_PROCS] = "procs",
	[DMABUFSTAT_BUF_FALLBACK] = "fallback",
};

static const char *const proc_names[] = {
	[DMABUFSTAT_PROC_AUTO] = "auto",
	[DMABUFSTAT_PROC_BPF_TASK] = "bpf-task",
	[DMABUFSTAT_PROC_PROCFS] = "procfs",
	[DMABUFSTAT_PROC_NONE] = "none",
};

DMABUFSTAT_API const char *
dmabufstat_buf_backend_name(enum dmabufstat_buf_backend b)
{
	if ((unsigned int)b >= ARRAY_SIZE(buf_names))
		return "unknown";
	return buf_names[b];
}

DMABUFSTAT_API const char *
dmabufstat_proc_backend_name(enum dmabufstat_proc_backend p)
{
	if ((unsigned int)p >= ARRAY_SIZE(proc_names))
		return "unknown";
	return proc_names[p];
}

static int lookup(const char *const *names, size_t nr, const char *s,
		  size_t len)
{
	size_t i;

	for (i = 1; i < nr; i++)
		if (strlen(names[i]) == len && !strncmp(names[i], s, len))
			return i;
	if (len == 4 && !strncmp(s, "auto", 4))
		return 0;
	return -1;
}

DMABUFSTAT_API int dmabufstat_parse_backend(const char *spec,
					    enum dmabufstat_buf_backend *buf,
					    enum dmabufstat_proc_backend *proc)
{
	const char *plus;
	int b, p;

	if (!spec)
		return -EINVAL;
	plus = strchr(spec, '+');
	if (!plus) {
		if (!strcmp(spec, "auto")) {
			b = DMABUFSTAT_BUF_AUTO;
			p = DMABUFSTAT_PROC_AUTO;
		} else if (!strcmp(spec, "bpf")) {
			b = DMABUFSTAT_BUF_BPF_ITER;
			p = DMABUFSTAT_PROC_BPF_TASK;
		} else if (!strcmp(spec, "fallback")) {
			b = DMABUFSTAT_BUF_FALLBACK;
			p = DMABUFSTAT_PROC_AUTO;
		} else if (!strcmp(spec, "procfs") || !strcmp(spec, "proc")) {
			b = DMABUFSTAT_BUF_FALLBACK;
			p = DMABUFSTAT_PROC_PROCFS;
		} else if (!strcmp(spec, "bufinfo")) {
			b = DMABUFSTAT_BUF_BUFINFO;
			p = DMABUFSTAT_PROC_AUTO;
		} else if (!strcmp(spec, "sysfs")) {
			b = DMABUFSTAT_BUF_SYSFS;
			p = DMABUFSTAT_PROC_AUTO;
		} else {
			return -EINVAL;
		}
	} else {
		b = lookup(buf_names, ARRAY_SIZE(buf_names), spec,
			   plus - spec);
		p = lookup(proc_names, ARRAY_SIZE(proc_names), plus + 1,
			   strlen(plus + 1));
		if (b < 0 || p < 0)
			return -EINVAL;
	}
	if (buf)
		*buf = b;
	if (proc)
		*proc = p;
	return 0;
}

DMABUFSTAT_API struct dmabufstat *
dmabufstat_new(const struct dmabufstat_opts *opts)
{
	struct dmabufstat *ds = calloc(1, sizeof(*ds));

	if (!ds)
		return NULL;
	if (opts) {
		size_t sz = opts->sz < sizeof(ds->opts) ? opts->sz :
							  sizeof(ds->opts);

		memcpy(&ds->opts, opts, sz);
	}
	ds->opts.sz = sizeof(ds->opts);
	strcpy(ds->backend_name, "auto");
	return ds;
}

DMABUFSTAT_API void dmabufstat_free(struct dmabufstat *ds)
{
	if (!ds)
		return;
	bpf_unload(ds);
	free(ds);
}

int ds_err(struct dmabufstat *ds, enum dmabufstat_errclass cls, int err,
	   const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(ds->errmsg, sizeof(ds->errmsg), fmt, ap);
	va_end(ap);
	ds->errclass = cls;
	return err < 0 ? err : -err;
}

void ds_debug(struct dmabufstat *ds, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (!ds->opts.print)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ds->opts.print(DMABUFSTAT_LOG_DEBUG, msg, ds->opts.print_cookie);
}

DMABUFSTAT_API const char *dmabufstat_errmsg(const struct dmabufstat *ds)
{
	return ds ? ds->errmsg : "no context";
}

DMABUFSTAT_API enum dmabufstat_errclass
dmabufstat_errclass(const struct dmabufstat *ds)
{
	return ds ? ds->errclass : DMABUFSTAT_E_OTHER;
}

/* libbpf's print hook is global: one context at a time routes it. */
static struct dmabufstat *libbpf_owner;
static libbpf_print_fn_t libbpf_prev;

static int route_libbpf(enum libbpf_print_level level, const char *fmt,
			va_list ap)
{
	struct dmabufstat *ds = libbpf_owner;
	enum dmabufstat_log_level l;
	char msg[1024];
	size_t len;

	if (!ds || !ds->opts.print)
		return 0;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	len = strlen(msg);
	if (len && msg[len - 1] == '\n')
		msg[len - 1] = '\0';
	l = level == LIBBPF_WARN ? DMABUFSTAT_LOG_WARN :
	    level == LIBBPF_INFO ? DMABUFSTAT_LOG_INFO : DMABUFSTAT_LOG_DEBUG;
	ds->opts.print(l, msg, ds->opts.print_cookie);
	return 0;
}

void ds_libbpf_enter(struct dmabufstat *ds)
{
	libbpf_owner = ds;
	libbpf_prev = libbpf_set_print(route_libbpf);
}

void ds_libbpf_leave(struct dmabufstat *ds)
{
	(void)ds;
	libbpf_set_print(libbpf_prev);
	libbpf_owner = NULL;
}

static void set_name(struct dmabufstat *ds)
{
	snprintf(ds->backend_name, sizeof(ds->backend_name), "%s+%s",
		 dmabufstat_buf_backend_name(ds->buf_backend),
		 dmabufstat_proc_backend_name(ds->proc_backend));
}

static void add_reason(struct dmabufstat *ds, const char *what)
{
	size_t len = strlen(ds->fallback);

	snprintf(ds->fallback + len, sizeof(ds->fallback) - len, "%s%s",
		 len ? "; " : "", what);
}

/* The first fallback buffer source present: bufinfo, sysfs, procs. */
static enum dmabufstat_buf_backend fallback_buf(struct dmabufstat *ds)
{
	struct stat st;

	if (!access(DS_BUFINFO_PATH, R_OK))
		return DMABUFSTAT_BUF_BUFINFO;
	add_reason(ds, "no readable " DS_BUFINFO_PATH);
	if (!stat(DS_SYSFS_DIR, &st))
		return DMABUFSTAT_BUF_SYSFS;
	add_reason(ds, "no " DS_SYSFS_DIR
		   ": kernel-only buffers are not seen");
	return DMABUFSTAT_BUF_PROCS;
}

DMABUFSTAT_API int dmabufstat_probe(struct dmabufstat *ds)
{
	enum dmabufstat_buf_backend b = ds->opts.buf_backend;
	enum dmabufstat_proc_backend p = ds->opts.proc_backend;
	struct stat st;
	int err;

	if (ds->probed)
		return ds->probe_err;
	ds->fallback[0] = '\0';
	ds->errmsg[0] = '\0';
	ds->errclass = DMABUFSTAT_E_NONE;

	/* forced fallbacks: check their files are there */
	if (b == DMABUFSTAT_BUF_BUFINFO && access(DS_BUFINFO_PATH, R_OK)) {
		err = -errno;
		return ds_err(ds, err == -EACCES ? DMABUFSTAT_E_PERM :
			      DMABUFSTAT_E_NO_SOURCE, err,
			      "cannot read %s: %s (mount debugfs; needs root)",
			      DS_BUFINFO_PATH, strerror(-err));
	}
	if (b == DMABUFSTAT_BUF_SYSFS && stat(DS_SYSFS_DIR, &st))
		return ds_err(ds, DMABUFSTAT_E_NO_SOURCE, -errno,
			      "no %s: kernel without CONFIG_DMABUF_SYSFS_STATS",
			      DS_SYSFS_DIR);

	/* bpf_probe_load() sets ds->have_* and loads what b and p need */
	ds->buf_backend = b;
	ds->proc_backend = p;
	err = bpf_probe_load(ds);
	if (err)
		return err;	/* a forced BPF backend failed */
	if (ds->buf_backend == DMABUFSTAT_BUF_AUTO ||
	    ds->buf_backend == DMABUFSTAT_BUF_FALLBACK)
		ds->buf_backend = fallback_buf(ds);
	if (ds->proc_backend == DMABUFSTAT_PROC_AUTO)
		ds->proc_backend = DMABUFSTAT_PROC_PROCFS;
	set_name(ds);
	ds->probed = true;
	ds->probe_err = 0;
	ds_debug(ds, "backend %s%s%s", ds->backend_name,
		 ds->fallback[0] ? ": " : "", ds->fallback);
	return 0;
}

/* for bpf.c: auto-fallback notes */
void ds_add_reason(struct dmabufstat *ds, const char *what)
{
	add_reason(ds, what);
}

DMABUFSTAT_API enum dmabufstat_buf_backend
dmabufstat_buf_backend(const struct dmabufstat *ds)
{
	return ds->probed ? ds->buf_backend : DMABUFSTAT_BUF_AUTO;
}

DMABUFSTAT_API enum dmabufstat_proc_backend
dmabufstat_proc_backend(const struct dmabufstat *ds)
{
	return ds->probed ? ds->proc_backend : DMABUFSTAT_PROC_AUTO;
}

DMABUFSTAT_API const char *dmabufstat_backend_name(const struct dmabufstat *ds)
{
	return ds->probed ? ds->backend_name : "auto";
}

DMABUFSTAT_API const char *
dmabufstat_fallback_reason(const struct dmabufstat *ds)
{
	return ds->fallback;
}

/* ------------------------------------------------------------------ */
/* helpers                                                            */

int read_fd_whole(int fd, size_t cap, char **out, size_t *lenp)
{
	char *buf = malloc(cap + 1), *tmp;
	size_t len = 0;
	ssize_t n;

	*out = NULL;
	if (!buf)
		return -ENOMEM;
	for (;;) {
		if (cap - len < 4096) {
			tmp = realloc(buf, cap * 2 + 1);
			if (!tmp) {
				free(buf);
				return -ENOMEM;
			}
			buf = tmp;
			cap *= 2;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			n = -errno;
			free(buf);
			return n;
		}
		if (!n)
			break;
		len += n;
	}
	buf[len] = '\0';
	*out = buf;
	if (lenp)
		*lenp = len;
	return 0;
}

int read_whole(const char *path, char **out, size_t *lenp)
{
	int fd, err;

	*out = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	err = read_fd_whole(fd, 4096, out, lenp);
	close(fd);
	return err;
}

void copy_str(char *dst, size_t size, const char *src, size_t len)
{
	if (len >= size)
		len = size - 1;
	memcpy(dst, src, len);
	dst[len] = '\0';
}

int grow(void **arr, size_t *cap, size_t need, size_t elem)
{
	size_t ncap = *cap ? *cap : 64;
	void *tmp;

	if (need <= *cap)
		return 0;
	while (ncap < need)
		ncap *= 2;
	tmp = realloc(*arr, ncap * elem);
	if (!tmp)
		return -ENOMEM;
	*arr = tmp;
	*cap = ncap;
	return 0;
}

struct dmabufstat_buffer *collect_add_buf(struct collect *c)
{
	struct dmabufstat_buffer *b;

	if (grow((void **)&c->bufs, &c->cap_bufs, c->nr_bufs + 1,
		 sizeof(*c->bufs)))
		return NULL;
	b = &c->bufs[c->nr_bufs++];
	memset(b, 0, sizeof(*b));
	b->file_count = -1;
	b->vmap_count = -1;
	return b;
}

struct raw_ref *collect_add_ref(struct collect *c)
{
	struct raw_ref *r;

	if (grow((void **)&c->refs, &c->cap_refs, c->nr_refs + 1,
		 sizeof(*c->refs)))
		return NULL;
	r = &c->refs[c->nr_refs++];
	memset(r, 0, sizeof(*r));
	r->desc.file_count = -1;
	r->desc.vmap_count = -1;
	r->ref.fd = -1;
	r->desc_size_known = true;
	return r;
}

void collect_free(struct collect *c)
{
	free(c->bufs);
	free(c->refs);
	memset(c, 0, sizeof(*c));
}
