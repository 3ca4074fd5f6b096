/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libdmabufstat's private declarations: the context, its errors and its
 * log. Every file of the library includes this; it includes no other
 * private header.
 */
#ifndef __DMABUFSTAT_INTERNAL_H
#define __DMABUFSTAT_INTERNAL_H

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "libdmabufstat.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* unsigned comparisons for sorting, never a difference as int */
#define CMP(a, b)	(((a) > (b)) - ((a) < (b)))

struct ds_source;
struct ds_bpf;

/* A source in use: its table entry and what its probe() set up. */
struct ds_chosen {
	const struct ds_source *src;
	void *state;
};

/* What the kernel offers the BPF sources; probed once per context. */
struct ds_kernel {
	bool probed;
	int err;		/* 0, or why kernel BTF is unusable */
	bool have_iter;		/* bpf_iter__dmabuf in vmlinux BTF */
	bool have_kfuncs;	/* bpf_iter_dmabuf_{new,next,destroy} */
};

struct dmabufstat {
	struct dmabufstat_opts opts;	/* opts.pin_dir: see pin_dir */
	char *pin_dir;			/* a copy of opts.pin_dir, or the default */
	bool probed;
	struct ds_chosen buf, proc;	/* set by dmabufstat_probe() */
	char backend_name[48];
	char fallback[768];	/* why AUTO did not get its first choice */
	char errmsg[512];
	enum dmabufstat_errclass errclass;
	struct ds_kernel kernel;
	/* the loaded BPF object the BPF sources share (sources/bpf_common.c) */
	struct ds_bpf *bpf;
	struct ds_bpf *totals_bpf;	/* totals.c's reference, if it loaded */
};

/* error.c: sets the context's error; returns err as a negative errno. */
int ds_err(struct dmabufstat *ds, enum dmabufstat_errclass cls, int err,
	   const char *fmt, ...) __attribute__((format(printf, 4, 5)));
int ds_nomem(struct dmabufstat *ds);
void ds_clear_err(struct dmabufstat *ds);

/* totals.c: drops what dmabufstat_totals_only() loaded (context.c). */
void totals_release(struct dmabufstat *ds);

/* pin.c: bpffs helpers shared with track.c */
int ds_check_bpffs(struct dmabufstat *ds, const char *dir);
/* Makes dir on bpffs if missing (its parent must be bpffs), or checks it. */
int ds_pin_dir(struct dmabufstat *ds, const char *dir);
/* Pins fd at path (replacing a file there if o->force), sets mode/group. */
int ds_pin_fd(struct dmabufstat *ds, int fd, const char *path,
	      const struct dmabufstat_pin_opts *o);

/* log.c: the caller's print callback, and libbpf's output routed to it */
void ds_debug(struct dmabufstat *ds, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void ds_libbpf_enter(struct dmabufstat *ds);
void ds_libbpf_leave(struct dmabufstat *ds);

#endif /* __DMABUFSTAT_INTERNAL_H */
