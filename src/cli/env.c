// SPDX-License-Identifier: GPL-2.0
/* The options given to dmabufstat: main.c sets them, the commands read them. */
#include "cmd.h"

struct cli_env env = {
	.format = REP_TABLE,
	.top = 10,
	.gid = -1,
};
