/* SPDX-License-Identifier: GPL-2.0 */
/* dmabuf-bench: what its parts share. */
#ifndef BENCH_H
#define BENCH_H

#include <stdint.h>
#include <stdio.h>

/* One timed action: returns a count to check (buffers seen, ...) or < 0. */
typedef long (*bench_fn)(void *arg);

struct result {
	double median_us, min_us, max_us;
	long check;		/* what the last run counted */
	long maxrss_kib;	/* children's peak RSS, or -1 */
};

extern int bench_reps;

uint64_t now_ns(void);
int measure(bench_fn fn, void *arg, struct result *r);
void stats(double *us, int n, struct result *r);
void print_result(const struct result *r);
void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* readers.c: the held-out readers, written apart from the library */
bench_fn reader_by_name(const char *name);

/* floor.c: the empty iter/dmabuf program (bench_floor.bpf.c) */
long read_floor(void *arg);

/* hold.c */
int cmd_hold(int argc, char **argv);
/* alloc.c */
int cmd_alloc(int argc, char **argv);
/* run.c: children timed from fork to exit */
int cmd_exec(int argc, char **argv);
int cmd_loop(int argc, char **argv);
/* lib.c: libdmabufstat's snapshot in a loop */
int cmd_lib(int argc, char **argv);

#endif
