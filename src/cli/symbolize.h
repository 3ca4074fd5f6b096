/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __DMABUFSTAT_SYMBOLIZE_H
#define __DMABUFSTAT_SYMBOLIZE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * ip in process pid as "FILE+0xOFF (function+0xN)", "FILE+0xOFF" without
 * a symbol, or "0xIP" outside any file mapping, into buf; its length.
 * ret_addr: ip is a return address (the call before it is looked up).
 */
size_t symbolize(uint32_t pid, uint64_t ip, bool ret_addr, char *buf,
		 size_t len);

#endif /* __DMABUFSTAT_SYMBOLIZE_H */
