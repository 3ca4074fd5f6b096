// SPDX-License-Identifier: GPL-2.0
/* pin [--android] [DIR], unpin [--android] [DIR]. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "cmd.h"

int cmd_pin(struct dmabufstat *ds, const char *name, char **args, int nr)
{
	struct dmabufstat_pin_opts po = {
		.sz = sizeof(po),
		.force = env.force,
		.mode = env.mode,
		.gid = env.gid,
	};
	bool pin = !strcmp(name, "pin");
	const char *dir = nr ? args[0] : NULL;
	int err;

	if (nr > 1)
		cli_usage_error("%s: unexpected argument '%s'", name, args[1]);
	if (env.android)
		err = pin ? dmabufstat_pin_android(ds, dir, &po) :
			    dmabufstat_unpin_android(ds, dir);
	else if (pin)
		err = dmabufstat_pin(ds, dir, &po);
	else
		err = dmabufstat_unpin(ds, dir);
	if (err && dmabufstat_errclass(ds) == DMABUFSTAT_E_NO_ITER) {
		/* no backend to fall back to: pinning is the iterator */
		cli_error("%s: %s; use Linux 6.16+, or 6.12 with kernel-patches/",
			  name, dmabufstat_errmsg(ds));
		return 1;
	}
	if (err == -EEXIST) {
		/* the library's advice does not know our option's name */
		const char *msg = dmabufstat_errmsg(ds);
		const char *cut = strstr(msg, " (");

		cli_error("%s: %.*s; unpin it first, or use -f/--force to replace it",
			  name, cut ? (int)(cut - msg) : (int)strlen(msg), msg);
		return 1;
	}
	if (err) {
		cli_lib_error(ds, name, err);
		return 1;
	}
	if (pin && env.android)
		printf("pinned %s/%s (program, Android's path) and %s/%s (iterator link)\n",
		       dir ?: DMABUFSTAT_PIN_DIR, DMABUFSTAT_ANDROID_PROG,
		       dir ?: DMABUFSTAT_PIN_DIR, DMABUFSTAT_ANDROID_TEXT);
	else if (pin)
		printf("pinned %s/%s (backend %s)\n", dir ?: DMABUFSTAT_PIN_DIR,
		       DMABUFSTAT_PIN_BUFFERS, dmabufstat_backend_name(ds));
	return 0;
}
