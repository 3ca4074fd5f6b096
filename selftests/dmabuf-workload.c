// SPDX-License-Identifier: GPL-2.0
/*
 * dmabuf-workload: a small, known population of dma-bufs for demos, tests
 * and benchmarks of dmabufstat.
 *
 * Four processes stand in for a camera pipeline, a GPU, an NPU and a
 * compositor. Between them they hold named buffers from every source the
 * machine has (udmabuf, the system dma-heap, vgem) in each way a buffer can
 * be held:
 *
 *   by fd                     cam-frame, gpu-rt, npu-weights
 *   by an fd and its dup      cam-dup
 *   by an fd passed over a    cam-handoff (the camera closes its fd),
 *     unix socket             cam-shared, gpu-scanout, npu-shared
 *   by fd and mapping         npu-weights, gpu-scanout, comp-fb
 *   by mapping only           cam-mmap, gpu-mmap (fd closed after mmap)
 *   by several processes      cam-shared, gpu-scanout, npu-shared
 *   by the kernel only        npu-tensor: imported into vgem, then every
 *                               fd closed; vgem's attachment holds it
 *                             gpu-cache: a vgem export whose fd is closed;
 *                               its GEM handle keeps it
 *
 * --procs N adds N clients (wl-client-K), each holding one small buffer of
 * its own by fd and mapping, for a population with many holders. --leak
 * adds wl-leaker, which makes one more page-sized buffer at every step
 * from the moment everything is ready, and holds them all by fd.
 *
 * Every process reports what it did to the coordinating process, which
 * writes it down as a manifest (the workload's own bookkeeping, to be
 * compared with what dmabufstat finds), then holds everything until
 * --hold runs out or SIGTERM/SIGINT, and tears it all down.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "bufsrc.h"

#define MAX_SCALE	10000
#define MAX_PROCS	1000

enum source {
	SRC_UDMABUF,
	SRC_HEAP,
	SRC_VGEM,
	NR_SOURCES,
};

static const char *const src_name[] = {
	[SRC_UDMABUF] = "udmabuf",
	[SRC_HEAP] = "system_heap",
	[SRC_VGEM] = "vgem",
};

enum role {
	ROLE_CAMERA,
	ROLE_GPU,
	ROLE_NPU,
	ROLE_COMPOSITOR,
	ROLE_CLIENT,		/* --procs: that many, after the others */
	ROLE_LEAKER,		/* --leak */
	NR_ROLES,
};

static const char *const role_comm[] = {
	[ROLE_CAMERA] = "wl-camera",
	[ROLE_GPU] = "wl-gpu",
	[ROLE_NPU] = "wl-npu",
	[ROLE_COMPOSITOR] = "wl-compositor",
	[ROLE_CLIENT] = "wl-client",	/* -K appended */
	[ROLE_LEAKER] = "wl-leaker",
};

/* Unix sockets buffers travel over: [0] is the sender's end. */
enum link {
	CAM_TO_COMP,
	GPU_TO_COMP,
	NPU_TO_GPU,
	NR_LINKS,
};

/* Buffer sizes in pages: distinct per kind, so a listing is readable. */
enum {
	PAGES_CAM_FRAME = 4,
	PAGES_CAM_DUP = 5,
	PAGES_CAM_SHARED = 6,
	PAGES_CAM_HANDOFF = 7,
	PAGES_CAM_MMAP = 3,
	PAGES_GPU_RT = 8,
	PAGES_GPU_MMAP = 9,
	PAGES_GPU_SCANOUT = 10,
	PAGES_GPU_CACHE = 11,
	PAGES_NPU_WEIGHTS = 16,
	PAGES_NPU_TENSOR = 12,
	PAGES_NPU_SHARED = 13,
	PAGES_COMP_FB = 2,
	PAGES_CLIENT = 1,
	PAGES_LEAK = 1,
};

static struct env {
	double hold;		/* seconds; < 0: until SIGTERM/SIGINT */
	int scale;
	int procs;		/* --procs: clients */
	double leak;		/* --leak: seconds per step; 0: no leaker */
	const char *manifest;	/* NULL: stdout */
	const char *ready_file;
} env = {
	.hold = -1,
	.scale = 1,
};

static bool have[NR_SOURCES];
static int links[NR_LINKS][2];
static long page_size;

static volatile sig_atomic_t exiting;

/* Coordinator's view of a child */
struct child {
	enum role role;
	int k;			/* ROLE_CLIENT: its number, from 1 */
	char comm[24];		/* as PR_SET_NAME gets it: at most 15 */
	bool running;
	pid_t pid;
	int ctl;		/* read end of the child's report pipe */
	bool done;		/* reported everything */
	char *text;		/* its report */
	size_t len, cap;
};

static struct child *children;
static int nr_children;

/* In a child: the write end of its report pipe */
static FILE *ctl;
static const char *my_comm;

static void sig_handler(int sig)
{
	(void)sig;
	exiting = 1;
}

static void warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void warnx(const char *fmt, ...)
{
	va_list ap;

	fputs("dmabuf-workload: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void timespec_add(struct timespec *ts, double seconds)
{
	ts->tv_sec += (time_t)seconds;
	ts->tv_nsec += (long)((seconds - (time_t)seconds) * 1e9);
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

static bool role_runs(enum role role)
{
	switch (role) {
	case ROLE_CAMERA:
		return have[SRC_UDMABUF];
	case ROLE_GPU:
		return have[SRC_VGEM] || have[SRC_HEAP];
	case ROLE_NPU:
		return have[SRC_HEAP];
	case ROLE_COMPOSITOR:
	case ROLE_CLIENT:
		return have[SRC_UDMABUF] || have[SRC_VGEM] || have[SRC_HEAP];
	case ROLE_LEAKER:
		return env.leak > 0;
	default:
		return false;
	}
}

/* Child side */

static void report(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void report(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(ctl, fmt, ap);
	va_end(ap);
}

static void __attribute__((noreturn, format(printf, 1, 2)))
fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(ctl, "error %s: ", my_comm);
	va_start(ap, fmt);
	vfprintf(ctl, fmt, ap);
	va_end(ap);
	fputc('\n', ctl);
	fflush(ctl);
	_exit(EXIT_FAILURE);
}

static size_t pages(int n)
{
	return (size_t)n * page_size;
}

static unsigned long ino_or_fail(int fd)
{
	unsigned long ino = ino_of_fd(fd);

	if (!ino)
		fail("fstat fd %d: %s", fd, strerror(errno));
	return ino;
}

/* Names a new buffer and reports it; returns its inode. */
static unsigned long label(int fd, enum source src, size_t size,
			   const char *name)
{
	struct dmabuf_fdinfo fi;
	int err;

	err = dmabuf_set_name(fd, name);
	if (err)
		fail("name %s: %s", name, strerror(-err));
	err = fdinfo_read(getpid(), fd, &fi);
	if (err)
		fail("fdinfo of %s: %s", name, strerror(-err));
	/* the manifest states what we asked for: the kernel must agree */
	if (fi.size != size)
		fail("%s: asked for %zu bytes, fdinfo says %llu", name, size,
		     fi.size);
	report("buf %lu %zu %s %s %s\n", fi.ino, size, src_name[src],
	       fi.exp_name, name);
	return fi.ino;
}

/* The source clients and the leaker use: the first the machine has */
static enum source first_source(void)
{
	enum source src;

	for (src = 0; src < NR_SOURCES - 1 && !have[src]; src++)
		;
	return src;
}

/* A new buffer held by the returned fd only, or -errno. */
static int create(enum source src, size_t size)
{
	switch (src) {
	case SRC_UDMABUF:
		return udmabuf_create(size);
	case SRC_HEAP:
		return heap_alloc("system", size);
	default:
		return vgem_export(size);
	}
}

/* Makes, names and reports one buffer; returns its fd. */
static int make(enum source src, int npages, const char *fmt, int k)
{
	size_t size = pages(npages);
	char name[32];
	int fd;

	snprintf(name, sizeof(name), fmt, k);
	fd = create(src, size);
	if (fd < 0)
		fail("create %s %s: %s", src_name[src], name, strerror(-fd));
	label(fd, src, size, name);
	return fd;
}

static void hold_fd(int fd)
{
	report("fd %lu %d %d\n", ino_or_fail(fd), getpid(), fd);
}

static void map(int fd, size_t size)
{
	char *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	size_t off;

	if (p == MAP_FAILED)
		fail("mmap fd %d: %s", fd, strerror(errno));
	/* fill it in, as a producer would */
	for (off = 0; off < size; off += page_size)
		p[off] = 1;
	report("map %lu %d %p %zu\n", ino_or_fail(fd), getpid(), p, size);
}

static void send_fd(int sock, int fd, unsigned long ino)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u = {};
	struct iovec iov = { .iov_base = &ino, .iov_len = sizeof(ino) };
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = u.buf,
		.msg_controllen = sizeof(u.buf),
	};
	struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);

	cmsg->cmsg_level = SOL_SOCKET;
	cmsg->cmsg_type = SCM_RIGHTS;
	cmsg->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
	if (sendmsg(sock, &msg, MSG_NOSIGNAL) < 0)
		fail("sendmsg: %s", strerror(errno));
}

/* Receives one fd; checks it is the buffer the sender meant. */
static int recv_fd(int sock)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u = {};
	unsigned long ino;
	struct iovec iov = { .iov_base = &ino, .iov_len = sizeof(ino) };
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = u.buf,
		.msg_controllen = sizeof(u.buf),
	};
	struct cmsghdr *cmsg;
	ssize_t n;
	int fd;

	do {
		n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		fail("recvmsg: %s", strerror(errno));
	if (n == 0)
		fail("recvmsg: the sender went away");
	cmsg = CMSG_FIRSTHDR(&msg);
	if (n != sizeof(ino) || !cmsg || cmsg->cmsg_type != SCM_RIGHTS ||
	    cmsg->cmsg_len != CMSG_LEN(sizeof(int)))
		fail("recvmsg: not one fd (%zd bytes)", n);
	memcpy(&fd, CMSG_DATA(cmsg), sizeof(int));
	if (ino_or_fail(fd) != ino)
		fail("received inode %lu, sender sent %lu", ino_of_fd(fd), ino);
	return fd;
}

static void run_camera(void)
{
	int sock = links[CAM_TO_COMP][0];
	int k, fd, dup_fd;

	for (k = 0; k < env.scale; k++) {
		fd = make(SRC_UDMABUF, PAGES_CAM_FRAME, "cam-frame-%d", k);
		hold_fd(fd);

		fd = make(SRC_UDMABUF, PAGES_CAM_DUP, "cam-dup-%d", k);
		dup_fd = dup(fd);
		if (dup_fd < 0)
			fail("dup: %s", strerror(errno));
		hold_fd(fd);
		hold_fd(dup_fd);

		/* shared: the camera keeps its fd */
		fd = make(SRC_UDMABUF, PAGES_CAM_SHARED, "cam-shared-%d", k);
		send_fd(sock, fd, ino_or_fail(fd));
		hold_fd(fd);

		/* handed off: only the compositor will hold it */
		fd = make(SRC_UDMABUF, PAGES_CAM_HANDOFF, "cam-handoff-%d", k);
		send_fd(sock, fd, ino_or_fail(fd));
		close(fd);

		fd = make(SRC_UDMABUF, PAGES_CAM_MMAP, "cam-mmap-%d", k);
		map(fd, pages(PAGES_CAM_MMAP));
		close(fd);
	}
}

static void run_gpu(void)
{
	int k, fd, card = -1, err;
	unsigned long ino;
	uint32_t handle;
	char name[32];

	if (have[SRC_VGEM]) {
		/* kept open: its GEM handles keep buffers in the kernel */
		card = vgem_open();
		if (card < 0)
			fail("open vgem: %s", strerror(-card));
	}

	for (k = 0; have[SRC_VGEM] && k < env.scale; k++) {
		fd = make(SRC_VGEM, PAGES_GPU_RT, "gpu-rt-%d", k);
		hold_fd(fd);

		fd = make(SRC_VGEM, PAGES_GPU_MMAP, "gpu-mmap-%d", k);
		map(fd, pages(PAGES_GPU_MMAP));
		close(fd);

		fd = make(SRC_VGEM, PAGES_GPU_SCANOUT, "gpu-scanout-%d", k);
		send_fd(links[GPU_TO_COMP][0], fd, ino_or_fail(fd));
		hold_fd(fd);
		map(fd, pages(PAGES_GPU_SCANOUT));

		/*
		 * An export made on our card, fd closed: the GEM object keeps
		 * its dma-buf for as long as the handle lives.
		 */
		snprintf(name, sizeof(name), "gpu-cache-%d", k);
		err = vgem_create(card, pages(PAGES_GPU_CACHE), &handle);
		if (err)
			fail("vgem create: %s", strerror(-err));
		fd = vgem_handle_to_fd(card, handle);
		if (fd < 0)
			fail("vgem export: %s", strerror(-fd));
		ino = label(fd, SRC_VGEM, pages(PAGES_GPU_CACHE), name);
		close(fd);
		report("handle %lu %d %u\n", ino, getpid(), handle);
	}

	for (k = 0; have[SRC_HEAP] && k < env.scale; k++) {
		/* shared with the NPU, which keeps its fd; vgem reads it too */
		fd = recv_fd(links[NPU_TO_GPU][1]);
		hold_fd(fd);
		if (have[SRC_VGEM]) {
			err = vgem_import(card, fd, &handle);
			if (err)
				fail("vgem import: %s", strerror(-err));
			report("import %lu %d %u\n", ino_or_fail(fd), getpid(),
			       handle);
		}

		if (!have[SRC_VGEM])
			continue;
		/* a tensor vgem consumes: imported, then every fd closed */
		fd = recv_fd(links[NPU_TO_GPU][1]);
		err = vgem_import(card, fd, &handle);
		if (err)
			fail("vgem import: %s", strerror(-err));
		report("import %lu %d %u\n", ino_or_fail(fd), getpid(), handle);
		close(fd);
	}
}

static void run_npu(void)
{
	int sock = links[NPU_TO_GPU][0];
	int k, fd;

	for (k = 0; k < env.scale; k++) {
		fd = make(SRC_HEAP, PAGES_NPU_WEIGHTS, "npu-weights-%d", k);
		hold_fd(fd);
		map(fd, pages(PAGES_NPU_WEIGHTS));

		fd = make(SRC_HEAP, PAGES_NPU_SHARED, "npu-shared-%d", k);
		send_fd(sock, fd, ino_or_fail(fd));
		hold_fd(fd);

		if (!have[SRC_VGEM])
			continue;
		fd = make(SRC_HEAP, PAGES_NPU_TENSOR, "npu-tensor-%d", k);
		send_fd(sock, fd, ino_or_fail(fd));
		close(fd);
	}
}

static void run_compositor(void)
{
	int k, fd;

	for (k = 0; have[SRC_UDMABUF] && k < env.scale; k++) {
		/* cam-shared: mapped for composition */
		fd = recv_fd(links[CAM_TO_COMP][1]);
		hold_fd(fd);
		map(fd, pages(PAGES_CAM_SHARED));
		/* cam-handoff */
		fd = recv_fd(links[CAM_TO_COMP][1]);
		hold_fd(fd);
	}
	for (k = 0; have[SRC_VGEM] && k < env.scale; k++) {
		fd = recv_fd(links[GPU_TO_COMP][1]);
		hold_fd(fd);
		map(fd, pages(PAGES_GPU_SCANOUT));
	}
	for (k = 0; have[SRC_HEAP] && k < env.scale; k++) {
		fd = make(SRC_HEAP, PAGES_COMP_FB, "comp-fb-%d", k);
		hold_fd(fd);
		map(fd, pages(PAGES_COMP_FB));
	}
}

/* --procs: one more holder, with a small buffer of its own */
static void run_client(int k)
{
	int fd = make(first_source(), PAGES_CLIENT, "client-%d", k);

	hold_fd(fd);
	map(fd, pages(PAGES_CLIENT));
}

/*
 * --leak: from the moment the coordinator says everything is in place
 * (SIGUSR1, blocked in @go), one more page-sized buffer every env.leak
 * seconds, held by fd until we die. Not reported: the manifest cannot list
 * what keeps changing. Out of fds or memory, we stop growing and hold on.
 */
static void __attribute__((noreturn)) run_leaker(const sigset_t *go)
{
	enum source src = first_source();
	struct timespec next;
	char name[32];
	int sig, n, fd, err;

	while (sigwait(go, &sig))
		;
	clock_gettime(CLOCK_MONOTONIC, &next);
	for (n = 1; ; n++) {
		timespec_add(&next, env.leak);
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next,
				       NULL) == EINTR)
			;
		fd = create(src, pages(PAGES_LEAK));
		if (fd < 0) {
			err = -fd;
			break;
		}
		snprintf(name, sizeof(name), "leak-%d", n);
		err = dmabuf_set_name(fd, name);
		if (err) {
			close(fd);
			err = -err;
			break;
		}
	}
	warnx("%s: holding %d buffers, making no more: %s", my_comm, n - 1,
	      strerror(err));
	for (;;)
		pause();
}

/* The link ends each role uses; a child closes all the others. */
static bool uses_link_end(enum role role, enum link link, int end)
{
	switch (link) {
	case CAM_TO_COMP:
		return end ? role == ROLE_COMPOSITOR : role == ROLE_CAMERA;
	case GPU_TO_COMP:
		return end ? role == ROLE_COMPOSITOR : role == ROLE_GPU;
	case NPU_TO_GPU:
		return end ? role == ROLE_GPU : role == ROLE_NPU;
	default:
		return false;
	}
}

static void __attribute__((noreturn))
child_main(const struct child *me, int ctl_fd, pid_t parent)
{
	sigset_t mask;
	int i, end;

	my_comm = me->comm;
	signal(SIGTERM, SIG_DFL);
	/* Ctrl-C is the coordinator's to handle: it tears us down */
	signal(SIGINT, SIG_IGN);
	sigemptyset(&mask);
	/* the leaker's go: blocked from the start so it cannot be missed */
	if (me->role == ROLE_LEAKER)
		sigaddset(&mask, SIGUSR1);
	sigprocmask(SIG_SETMASK, &mask, NULL);
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (getppid() != parent)
		_exit(EXIT_FAILURE);
	prctl(PR_SET_NAME, me->comm);

	ctl = fdopen(ctl_fd, "w");
	if (!ctl)
		_exit(EXIT_FAILURE);
	for (i = 0; i < nr_children; i++)
		if (children[i].running)
			close(children[i].ctl);
	for (i = 0; i < NR_LINKS; i++)
		for (end = 0; end < 2; end++)
			if (!uses_link_end(me->role, i, end))
				close(links[i][end]);

	report("proc %d %s\n", getpid(), me->comm);
	switch (me->role) {
	case ROLE_CAMERA:
		run_camera();
		break;
	case ROLE_GPU:
		run_gpu();
		break;
	case ROLE_NPU:
		run_npu();
		break;
	case ROLE_COMPOSITOR:
		run_compositor();
		break;
	case ROLE_CLIENT:
		run_client(me->k);
		break;
	default:
		break;
	}
	report("done\n");
	if (fflush(ctl))
		_exit(EXIT_FAILURE);
	if (me->role == ROLE_LEAKER)
		run_leaker(&mask);
	for (;;)
		pause();
}

/* Coordinator side */

/* A buffer as the manifest lists it, gathered from every report. */
struct mbuf {
	unsigned long ino;
	unsigned long long size;
	char source[16];
	char exp_name[64];
	char name[64];
	char *fds;		/* pid:fd,... */
	char *maps;		/* pid,... */
	char *imports;		/* pid:handle,... */
	char *handles;		/* pid:handle,... */
};

static void probe_sources(void)
{
	char why[NR_SOURCES][128];
	int fd, i;

	fd = open(UDMABUF_DEV, O_RDWR | O_CLOEXEC);
	have[SRC_UDMABUF] = fd >= 0;
	snprintf(why[SRC_UDMABUF], sizeof(why[0]), UDMABUF_DEV ": %s",
		 strerror(errno));
	if (fd >= 0)
		close(fd);

	fd = open(DMA_HEAP_DIR "/system", O_RDONLY | O_CLOEXEC);
	have[SRC_HEAP] = fd >= 0;
	snprintf(why[SRC_HEAP], sizeof(why[0]), DMA_HEAP_DIR "/system: %s",
		 strerror(errno));
	if (fd >= 0)
		close(fd);

	fd = vgem_open();
	have[SRC_VGEM] = fd >= 0;
	snprintf(why[SRC_VGEM], sizeof(why[0]), "no vgem card in /dev/dri: %s",
		 strerror(fd < 0 ? -fd : 0));
	if (fd >= 0)
		close(fd);

	for (i = 0; i < NR_SOURCES; i++)
		if (!have[i])
			warnx("skipping %s buffers: %s", src_name[i], why[i]);
}

/* Lists every child to run, in the order the manifest lists them. */
static int plan_children(void)
{
	int role, k, n;

	children = calloc(NR_ROLES - 1 + env.procs, sizeof(*children));
	if (!children) {
		warnx("out of memory");
		return -ENOMEM;
	}
	for (role = 0; role < NR_ROLES; role++) {
		if (!role_runs(role))
			continue;
		n = role == ROLE_CLIENT ? env.procs : 1;
		for (k = 1; k <= n; k++) {
			struct child *c = &children[nr_children++];

			c->role = role;
			c->k = k;
			c->ctl = -1;
			if (role == ROLE_CLIENT)
				snprintf(c->comm, sizeof(c->comm), "%s-%d",
					 role_comm[role], k);
			else
				snprintf(c->comm, sizeof(c->comm), "%s",
					 role_comm[role]);
		}
	}
	return 0;
}

static int ctl_fds(struct pollfd *pfd, int *child_of)
{
	int i, n = 0;

	for (i = 0; i < nr_children; i++) {
		if (!children[i].running || children[i].ctl < 0)
			continue;
		pfd[n].fd = children[i].ctl;
		pfd[n].events = POLLIN;
		pfd[n].revents = 0;
		child_of[n++] = i;
	}
	return n;
}

/* Shows why a child stopped: its error line, or how it ended. */
static void child_gone(struct child *c)
{
	const char *err = c->text ? strstr(c->text, "error ") : NULL;
	int status;

	if (err && (err == c->text || err[-1] == '\n')) {
		warnx("%.*s", (int)strcspn(err + 6, "\n"), err + 6);
	} else if (waitpid(c->pid, &status, 0) == c->pid) {
		c->running = false;
		if (WIFSIGNALED(status))
			warnx("%s (pid %d) killed by signal %d", c->comm,
			      c->pid, WTERMSIG(status));
		else
			warnx("%s (pid %d) exited with status %d", c->comm,
			      c->pid, WEXITSTATUS(status));
	} else {
		warnx("%s (pid %d) went away", c->comm, c->pid);
	}
}

/* Reads what a child wrote; returns false when it is gone. */
static bool read_child(struct child *c)
{
	ssize_t n;

	if (c->cap - c->len < 4096) {
		char *tmp = realloc(c->text, c->cap * 2 + 8192);

		if (!tmp) {
			warnx("out of memory");
			return false;
		}
		c->text = tmp;
		c->cap = c->cap * 2 + 8192;
	}
	n = read(c->ctl, c->text + c->len, c->cap - c->len - 1);
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return true;
	if (n <= 0) {
		c->text[c->len] = '\0';
		child_gone(c);
		close(c->ctl);
		c->ctl = -1;
		return false;
	}
	c->len += n;
	c->text[c->len] = '\0';
	if (c->len >= 5 && !strcmp(c->text + c->len - 5, "done\n") &&
	    (c->len == 5 || c->text[c->len - 6] == '\n'))
		c->done = true;
	return true;
}

/*
 * Waits for every child to report it is in place, or for one to fail, or
 * for a signal. While holding (setup done), waits for the deadline instead;
 * a child that goes away then is a failure too.
 */
static int wait_loop(const sigset_t *orig, const struct timespec *until,
		     struct pollfd *pfd, int *child_of)
{
	int i, n, cnt, pending;

	for (;;) {
		struct timespec now, left, *timeout = NULL;

		if (exiting)
			return -EINTR;
		pending = 0;
		for (i = 0; i < nr_children; i++)
			pending += children[i].running && !children[i].done;
		if (!until && !pending)
			return 0;
		if (until) {
			clock_gettime(CLOCK_MONOTONIC, &now);
			left.tv_sec = until->tv_sec - now.tv_sec;
			left.tv_nsec = until->tv_nsec - now.tv_nsec;
			if (left.tv_nsec < 0) {
				left.tv_sec--;
				left.tv_nsec += 1000000000L;
			}
			if (left.tv_sec < 0)
				return 0;
			timeout = &left;
		}

		cnt = ctl_fds(pfd, child_of);
		n = ppoll(pfd, cnt, timeout, orig);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			warnx("ppoll: %s", strerror(errno));
			return -errno;
		}
		for (i = 0; i < cnt; i++) {
			struct child *c = &children[child_of[i]];

			if (!pfd[i].revents)
				continue;
			if (!read_child(c))
				return -ECHILD;
			if (until)
				warnx("%s said something unexpected", c->comm);
		}
	}
}

static int wait_children(const sigset_t *orig, const struct timespec *until)
{
	struct pollfd *pfd = calloc(nr_children, sizeof(*pfd));
	int *child_of = calloc(nr_children, sizeof(*child_of));
	int err = -ENOMEM;

	if (pfd && child_of)
		err = wait_loop(orig, until, pfd, child_of);
	else
		warnx("out of memory");
	free(pfd);
	free(child_of);
	return err;
}

/* Hold until the deadline, or forever if there is none. */
static int hold(const sigset_t *orig)
{
	struct timespec until;

	clock_gettime(CLOCK_MONOTONIC, &until);
	if (env.hold < 0)
		/* a deadline no one will see */
		until.tv_sec += 100L * 365 * 24 * 3600;
	else
		timespec_add(&until, env.hold);
	return wait_children(orig, &until);
}

static void teardown(void)
{
	int i, status, tries;
	bool left = false;
	pid_t pid;

	for (i = 0; i < nr_children; i++)
		if (children[i].running)
			kill(children[i].pid, SIGTERM);
	/* they die at once; give them 5 s before SIGKILL */
	for (tries = 0; tries < 500; tries++) {
		left = false;
		for (i = 0; i < nr_children; i++) {
			struct child *c = &children[i];

			if (!c->running)
				continue;
			pid = waitpid(c->pid, &status, WNOHANG);
			if (pid == c->pid || (pid < 0 && errno == ECHILD))
				c->running = false;
			else
				left = true;
		}
		if (!left)
			return;
		usleep(10000);
	}
	for (i = 0; i < nr_children; i++) {
		if (!children[i].running)
			continue;
		warnx("%s (pid %d) ignored SIGTERM, killing it",
		      children[i].comm, children[i].pid);
		kill(children[i].pid, SIGKILL);
		waitpid(children[i].pid, &status, 0);
		children[i].running = false;
	}
}

static void list_add(char **list, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void list_add(char **list, const char *fmt, ...)
{
	char *item, *joined;
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = vasprintf(&item, fmt, ap);
	va_end(ap);
	if (ret < 0) {
		warnx("out of memory");
		exit(EXIT_FAILURE);
	}
	if (!*list) {
		*list = item;
		return;
	}
	if (asprintf(&joined, "%s,%s", *list, item) < 0) {
		warnx("out of memory");
		exit(EXIT_FAILURE);
	}
	free(*list);
	free(item);
	*list = joined;
}

static int cmp_ino(const void *a, const void *b)
{
	unsigned long x = ((const struct mbuf *)a)->ino;
	unsigned long y = ((const struct mbuf *)b)->ino;

	return (x > y) - (x < y);
}

/* Collects the "buf" lines of every report, sorted by inode. */
static struct mbuf *gather_bufs(int *nr)
{
	struct mbuf *bufs = NULL, *tmp, b;
	int i, n = 0, cap = 0;
	char *line, *end;

	for (i = 0; i < nr_children; i++) {
		for (line = children[i].text; line && *line; line = end + 1) {
			end = strchrnul(line, '\n');
			memset(&b, 0, sizeof(b));
			if (sscanf(line, "buf %lu %llu %15s %63s %63s", &b.ino,
				   &b.size, b.source, b.exp_name, b.name) == 5) {
				if (n == cap) {
					cap = cap ? cap * 2 : 64;
					tmp = realloc(bufs, cap * sizeof(*bufs));
					if (!tmp) {
						warnx("out of memory");
						exit(EXIT_FAILURE);
					}
					bufs = tmp;
				}
				bufs[n++] = b;
			}
			if (!*end)
				break;
		}
	}
	if (n)
		qsort(bufs, n, sizeof(*bufs), cmp_ino);
	*nr = n;
	return bufs;
}

/*
 * Adds the holders from every report to the buffers they hold: lines
 * "fd|map|import|handle INO PID VALUE ...".
 */
static int gather_holders(struct mbuf *bufs, int nr)
{
	unsigned long ino, val;
	char *line, *end;
	char what[16];
	int i, pid;

	for (i = 0; i < nr_children; i++) {
		for (line = children[i].text; line && *line; line = end + 1) {
			struct mbuf key, *b = NULL;
			int pos = 0;

			end = strchrnul(line, '\n');
			if (sscanf(line, "%15s", what) != 1 ||
			    (strcmp(what, "fd") && strcmp(what, "map") &&
			     strcmp(what, "import") && strcmp(what, "handle")))
				goto next;
			if (sscanf(line, "%*s %lu %d %n", &ino, &pid, &pos) < 2 ||
			    !pos) {
				warnx("%s: bad report line", children[i].comm);
				return -EPROTO;
			}
			val = strtoul(line + pos, NULL, 0);
			key.ino = ino;
			if (nr)
				b = bsearch(&key, bufs, nr, sizeof(*bufs),
					    cmp_ino);
			if (!b) {
				warnx("%s reported %s of unknown inode %lu",
				      children[i].comm, what, ino);
				return -EPROTO;
			}
			if (!strcmp(what, "fd"))
				list_add(&b->fds, "%d:%lu", pid, val);
			else if (!strcmp(what, "map"))
				list_add(&b->maps, "%d", pid);
			else if (!strcmp(what, "import"))
				list_add(&b->imports, "%d:%lu", pid, val);
			else if (!strcmp(what, "handle"))
				list_add(&b->handles, "%d:%lu", pid, val);
next:
			if (!*end)
				break;
		}
	}
	return 0;
}

static int write_manifest(FILE *f, struct mbuf *bufs, int nr)
{
	unsigned long long bytes = 0, kbytes = 0;
	int i, kernel_only = 0;
	bool first = true;
	char comm[32], *line;
	int pid;

	fprintf(f,
"# dmabuf-workload manifest: what the workload made and who holds it.\n"
"# workload: the coordinating process. process: one per process that\n"
"# holds buffers. buffer: one per buffer; fd= lists pid:fd of the fds on\n"
"# it, map= the pids mapping it, import= pid:handle of vgem imports and\n"
"# handle= pid:handle of the vgem handle an export was made from; both\n"
"# keep it in the kernel. \"-\" is none. total: sums of the buffers;\n"
"# kernel-only buffers are those no fd or mapping holds.\n");
	/* only with --leak, so the default manifest stays as it always was */
	if (env.leak > 0)
		fprintf(f,
"# leaker: the --leak process, which makes one more one-page buffer every=\n"
"# seconds from the moment the workload is ready and holds them by fd;\n"
"# they are not listed, as they keep changing.\n");
	fprintf(f, "workload pid=%d scale=%d sources=", getpid(), env.scale);
	for (i = 0; i < NR_SOURCES; i++) {
		if (!have[i])
			continue;
		fprintf(f, "%s%s", first ? "" : ",", src_name[i]);
		first = false;
	}
	fputc('\n', f);

	for (i = 0; i < nr_children; i++) {
		line = children[i].text;
		if (!line || sscanf(line, "proc %d %31s", &pid, comm) != 2)
			continue;
		if (children[i].role == ROLE_LEAKER)
			fprintf(f, "leaker pid=%d comm=%s every=%g\n", pid, comm,
				env.leak);
		else
			fprintf(f, "process pid=%d comm=%s\n", pid, comm);
	}

	for (i = 0; i < nr; i++) {
		struct mbuf *b = &bufs[i];

		fprintf(f, "buffer ino=%lu size=%llu source=%s exp_name=%s name=%s fd=%s map=%s import=%s handle=%s\n",
			b->ino, b->size, b->source, b->exp_name, b->name,
			b->fds ?: "-", b->maps ?: "-", b->imports ?: "-",
			b->handles ?: "-");
		bytes += b->size;
		if (!b->fds && !b->maps) {
			kernel_only++;
			kbytes += b->size;
		}
	}
	fprintf(f, "total buffers=%d bytes=%llu kernel_only=%d kernel_only_bytes=%llu\n",
		nr, bytes, kernel_only, kbytes);

	return fflush(f) ? -errno : 0;
}

/* Writes the manifest to a temporary file and renames it into place. */
static int save_manifest(struct mbuf *bufs, int nr)
{
	char *tmp;
	FILE *f;
	int err;

	if (!env.manifest)
		return write_manifest(stdout, bufs, nr);
	if (asprintf(&tmp, "%s.tmp", env.manifest) < 0)
		return -ENOMEM;
	f = fopen(tmp, "we");
	if (!f) {
		err = -errno;
		warnx("%s: %s", tmp, strerror(errno));
		free(tmp);
		return err;
	}
	err = write_manifest(f, bufs, nr);
	if (fclose(f) && !err)
		err = -errno;
	if (!err && rename(tmp, env.manifest))
		err = -errno;
	if (err) {
		warnx("%s: %s", env.manifest, strerror(-err));
		unlink(tmp);
	}
	free(tmp);
	return err;
}

static int touch_ready(void)
{
	FILE *f = fopen(env.ready_file, "we");

	if (!f || fprintf(f, "%d\n", getpid()) < 0 || fclose(f)) {
		warnx("%s: %s", env.ready_file, strerror(errno));
		return -errno;
	}
	return 0;
}

static void usage(FILE *f)
{
	fprintf(f,
"Usage: dmabuf-workload [--hold SECONDS] [--scale N] [--procs N]\n"
"                       [--leak SECONDS] [--manifest FILE]\n"
"                       [--ready-file FILE]\n"
"Makes a known population of dma-bufs in four processes (wl-camera,\n"
"wl-gpu, wl-npu, wl-compositor) from udmabuf, the system dma-heap and\n"
"vgem, held by fd, dup'd fd, fd passed over a unix socket, mapping only,\n"
"shared between processes, and by the kernel only (vgem); holds them,\n"
"then tears everything down. Sources whose device is missing are skipped.\n"
"\n"
"  --hold SECONDS      hold that long (default: until SIGTERM or SIGINT)\n"
"  --scale N           make N of each kind of buffer (default 1)\n"
"  --procs N           N more processes, wl-client-1 to wl-client-N, each\n"
"                      holding one buffer of its own (client-K, one page,\n"
"                      from the first source there is) by fd and mapping\n"
"                      (default 0, at most %d)\n"
"  --leak SECONDS      one more process, wl-leaker, that makes a new\n"
"                      one-page buffer (leak-1, leak-2, ...) every SECONDS\n"
"                      once everything is ready and holds them all by fd\n"
"                      until teardown (or until it runs out of fds); the\n"
"                      manifest names it but not its buffers\n"
"  --manifest FILE     write the manifest there (default: stdout)\n"
"  --ready-file FILE   write our pid there once everything is in place;\n"
"                      removed again at teardown\n"
"  -h, --help          show this help\n", MAX_PROCS);
}

static bool parse_args(int argc, char **argv)
{
	enum {
		OPT_HOLD = 256, OPT_SCALE, OPT_PROCS, OPT_LEAK, OPT_MANIFEST,
		OPT_READY,
	};
	static const struct option long_opts[] = {
		{ "hold", required_argument, NULL, OPT_HOLD },
		{ "scale", required_argument, NULL, OPT_SCALE },
		{ "procs", required_argument, NULL, OPT_PROCS },
		{ "leak", required_argument, NULL, OPT_LEAK },
		{ "manifest", required_argument, NULL, OPT_MANIFEST },
		{ "ready-file", required_argument, NULL, OPT_READY },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	char *end;
	long val;
	int c;

	while ((c = getopt_long(argc, argv, "h", long_opts, NULL)) != -1) {
		switch (c) {
		case OPT_HOLD:
			errno = 0;
			env.hold = strtod(optarg, &end);
			if (errno || end == optarg || *end || !(env.hold >= 0) ||
			    env.hold > 1e9) {
				warnx("invalid --hold '%s'", optarg);
				return false;
			}
			break;
		case OPT_SCALE:
			errno = 0;
			val = strtol(optarg, &end, 10);
			if (errno || end == optarg || *end || val < 1 ||
			    val > MAX_SCALE) {
				warnx("invalid --scale '%s' (1 to %d)", optarg,
				      MAX_SCALE);
				return false;
			}
			env.scale = val;
			break;
		case OPT_PROCS:
			errno = 0;
			val = strtol(optarg, &end, 10);
			if (errno || end == optarg || *end || val < 0 ||
			    val > MAX_PROCS) {
				warnx("invalid --procs '%s' (0 to %d)", optarg,
				      MAX_PROCS);
				return false;
			}
			env.procs = val;
			break;
		case OPT_LEAK:
			errno = 0;
			env.leak = strtod(optarg, &end);
			if (errno || end == optarg || *end || !(env.leak > 0) ||
			    env.leak > 1e9) {
				warnx("invalid --leak '%s'", optarg);
				return false;
			}
			break;
		case OPT_MANIFEST:
			env.manifest = optarg;
			break;
		case OPT_READY:
			env.ready_file = optarg;
			break;
		case 'h':
			usage(stdout);
			exit(EXIT_SUCCESS);
		default:
			usage(stderr);
			return false;
		}
	}
	if (optind < argc) {
		warnx("unexpected argument '%s'", argv[optind]);
		return false;
	}
	return true;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = sig_handler };
	int i, err, nr = 0, ret = EXIT_FAILURE;
	sigset_t block, orig;
	struct mbuf *bufs = NULL;
	struct rlimit rl;
	pid_t self;

	if (!parse_args(argc, argv))
		return 2;
	page_size = sysconf(_SC_PAGESIZE);

	probe_sources();
	if (!have[SRC_UDMABUF] && !have[SRC_HEAP] && !have[SRC_VGEM]) {
		warnx("no dma-buf source on this machine: nothing to do");
		return EXIT_FAILURE;
	}

	/*
	 * --scale multiplies the fds every process holds, --procs our report
	 * pipes; the leaker grows until it meets this limit
	 */
	if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}

	/*
	 * SIGTERM/SIGINT stay blocked but for ppoll(), so one arriving at any
	 * other moment is not lost.
	 */
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigprocmask(SIG_BLOCK, &block, &orig);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigdelset(&orig, SIGTERM);
	sigdelset(&orig, SIGINT);

	for (i = 0; i < NR_LINKS; i++) {
		if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0,
			       links[i])) {
			warnx("socketpair: %s", strerror(errno));
			return EXIT_FAILURE;
		}
	}

	if (plan_children())
		return EXIT_FAILURE;
	self = getpid();
	fflush(NULL);
	for (i = 0; i < nr_children; i++) {
		struct child *c = &children[i];
		int p[2];

		if (pipe2(p, O_CLOEXEC)) {
			warnx("pipe: %s", strerror(errno));
			goto out;
		}
		c->pid = fork();
		if (c->pid < 0) {
			warnx("fork: %s", strerror(errno));
			close(p[0]);
			close(p[1]);
			goto out;
		}
		if (!c->pid) {
			close(p[0]);
			child_main(c, p[1], self);
		}
		close(p[1]);
		c->ctl = p[0];
		c->running = true;
	}
	for (i = 0; i < NR_LINKS; i++) {
		close(links[i][0]);
		close(links[i][1]);
	}

	err = wait_children(&orig, NULL);
	if (err == -EINTR) {
		ret = EXIT_SUCCESS;
		goto out;
	}
	if (err)
		goto out;

	bufs = gather_bufs(&nr);
	if (gather_holders(bufs, nr) || save_manifest(bufs, nr))
		goto out;
	if (env.ready_file && touch_ready())
		goto out;
	{
		unsigned long long bytes = 0;
		int procs = 0;

		for (i = 0; i < nr; i++)
			bytes += bufs[i].size;
		for (i = 0; i < nr_children; i++)
			procs += children[i].running &&
				 children[i].role != ROLE_LEAKER;
		warnx("ready: %d buffers, %llu bytes, in %d processes", nr,
		      bytes, procs);
	}
	/* the leaker starts now, so the manifest was true when written */
	for (i = 0; i < nr_children; i++) {
		if (children[i].running && children[i].role == ROLE_LEAKER) {
			kill(children[i].pid, SIGUSR1);
			warnx("%s (pid %d): one more page every %g s",
			      children[i].comm, children[i].pid, env.leak);
		}
	}

	err = hold(&orig);
	if (!err || err == -EINTR)
		ret = EXIT_SUCCESS;
out:
	teardown();
	if (env.ready_file)
		unlink(env.ready_file);
	for (i = 0; i < nr; i++) {
		free(bufs[i].fds);
		free(bufs[i].maps);
		free(bufs[i].imports);
		free(bufs[i].handles);
	}
	free(bufs);
	for (i = 0; i < nr_children; i++)
		free(children[i].text);
	free(children);
	return ret;
}
