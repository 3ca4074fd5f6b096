// SPDX-License-Identifier: GPL-2.0
/* libdmabufstat: debug notes and libbpf's output, to the caller's print. */
#include <stdio.h>
#include <string.h>
#include <bpf/libbpf.h>

#include "internal.h"

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
