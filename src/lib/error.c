// SPDX-License-Identifier: GPL-2.0
/* libdmabufstat: the context's last error (one line and a class). */
#include <stdio.h>

#include "internal.h"

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

int ds_nomem(struct dmabufstat *ds)
{
	return ds_err(ds, DMABUFSTAT_E_OTHER, -ENOMEM, "out of memory");
}

void ds_clear_err(struct dmabufstat *ds)
{
	ds->errmsg[0] = '\0';
	ds->errclass = DMABUFSTAT_E_NONE;
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
