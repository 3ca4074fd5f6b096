/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What dmabufstat and dmabuf-top share on the command line: one-line error
 * messages with the program's name, pid lists, what to do about a failure
 * of the library, and the clock of their sampling loops.
 */
#ifndef __DMABUFSTAT_CLI_H
#define __DMABUFSTAT_CLI_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "libdmabufstat.h"

/* The name messages start with; set once, first thing in main(). */
extern const char *cli_prog;

/* "PROG: error: ...", one line on stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The same with "(see PROG --help)", then exit status 2. */
void cli_usage_error(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), noreturn));

/*
 * Adds the pids of "PID" or "PID,PID,..." to pids[*nr] (at most max);
 * a bad one is a usage error.
 */
void cli_add_pids(const char *arg, uint32_t *pids, size_t *nr, size_t max);

/*
 * "PROG: error: WHAT: the library's message; what to do about it", the
 * advice chosen by the library's error class.
 */
void cli_lib_error(const struct dmabufstat *ds, const char *what, int err);

/*
 * After writing to stdout failed with err (-errno): a reader that went
 * away (EPIPE, as in `dmabufstat | head -1`) ends the program quietly with
 * status 0; anything else is "PROG: error: writing output: ..." and 1.
 */
int cli_output_error(int err);

/*
 * The candidate closest to word (at most two edits, and fewer than half
 * the word's length), for "did you mean ...?"; NULL if none is close.
 */
const char *cli_suggest(const char *word, const char *const *cands, size_t n);

/* CLOCK_MONOTONIC, in ns: the clock of the sampling loops. */
uint64_t cli_now_ns(void);

/*
 * Sleeps until deadline (a cli_now_ns() time) unless *stop is set, which a
 * signal handler does (the sleep ends at the signal); false if stopped.
 */
bool cli_sleep_until(uint64_t deadline, const volatile sig_atomic_t *stop);

#endif /* __DMABUFSTAT_CLI_H */
