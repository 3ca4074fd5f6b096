// SPDX-License-Identifier: GPL-2.0
/*
 * dmabuf-lifecycle: buffers with a life story, for the tracking tests.
 *
 *   lc-alloc     allocates lc-handed (passes it to lc-holder) and
 *                lc-orphan (passes it to lc-importer), closes both, exits
 *   lc-importer  imports lc-orphan into vgem and closes the fd: only its
 *                GEM handle keeps the buffer (kernel-only, orphaned)
 *   lc-server    then allocates lc-served (passes it to lc-holder) and
 *                lc-kept (keeps it by fd and mapping); stays
 *   lc-holder    holds what it was given, by fd
 *
 * Buffers are made one after the other in that order (lc-handed the
 * oldest). The manifest says, per buffer: inode, allocation order,
 * allocator pid and whether it exited, holders, the importer that keeps it
 * and whether it is an orphan; per process its pid and comm.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "bufsrc.h"

#define PAGE 4096

enum { HOLDER, IMPORTER, SERVER, ALLOC, NR_ROLES };
static const char *const comms[NR_ROLES] = {
	"lc-holder", "lc-importer", "lc-server", "lc-alloc",
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void die(const char *what, int err)
{
	fprintf(stderr, "dmabuf-lifecycle: %s: %s\n", what, strerror(err));
	exit(1);
}

static void send_fd(int sock, int fd)
{
	char c = 'f', ctl[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec iov = { &c, 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = ctl, .msg_controllen = sizeof(ctl),
	};
	struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);

	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	if (sendmsg(sock, &msg, 0) != 1)
		die("sendmsg", errno);
}

/* An fd passed over sock, -1 at the end of the stream. */
static int recv_fd(int sock)
{
	char c, ctl[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { &c, 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = ctl, .msg_controllen = sizeof(ctl),
	};
	struct cmsghdr *cm;
	int fd;

	if (recvmsg(sock, &msg, 0) != 1)
		return -1;
	cm = CMSG_FIRSTHDR(&msg);
	if (!cm || cm->cmsg_type != SCM_RIGHTS)
		return -1;
	memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	return fd;
}

static int alloc_named(const char *name)
{
	int fd = heap_alloc("system", PAGE);

	if (fd < 0)
		fd = udmabuf_create(PAGE);
	if (fd < 0)
		die("allocate a buffer (system heap or udmabuf)", -fd);
	dmabuf_set_name(fd, name);
	return fd;
}

/* Tells the parent "NAME INO" over its report socket. */
static void report(int sock, const char *name, int fd)
{
	char line[96];
	int n = snprintf(line, sizeof(line), "%s %lu\n", name, ino_of_fd(fd));

	if (write(sock, line, n) != n)
		die("report", errno);
}

static void wait_for_stop(void)
{
	while (!stop)
		pause();
}

/* The socket pair of each role: [0] the parent's end, [1] the child's. */
static int sk[NR_ROLES][2];
static pid_t pids[NR_ROLES];

static void run_holder(void)
{
	int fd;

	/* holds what comes, until the stream ends; then until stopped */
	while ((fd = recv_fd(sk[HOLDER][1])) >= 0)
		;
	wait_for_stop();
}

static void run_importer(void)
{
	uint32_t handle;
	int card, fd, err;

	card = vgem_open();
	fd = recv_fd(sk[IMPORTER][1]);
	if (card < 0 || fd < 0)
		die("vgem or the buffer to import", card < 0 ? -card : EIO);
	err = vgem_import(card, fd, &handle);
	if (err < 0)
		die("vgem import", -err);
	close(fd);
	if (write(sk[IMPORTER][1], "imported\n", 9) != 9)
		die("report", errno);
	wait_for_stop();
}

/* Sends fd to the role's child through the parent: the parent relays. */
static void run_alloc(bool with_import)
{
	int fd;

	fd = alloc_named("lc-handed");
	report(sk[ALLOC][1], "lc-handed", fd);
	send_fd(sk[ALLOC][1], fd);
	close(fd);
	if (with_import) {
		fd = alloc_named("lc-orphan");
		report(sk[ALLOC][1], "lc-orphan", fd);
		send_fd(sk[ALLOC][1], fd);
		close(fd);
	}
}

static void run_server(void)
{
	void *map;
	int fd;

	fd = alloc_named("lc-served");
	report(sk[SERVER][1], "lc-served", fd);
	send_fd(sk[SERVER][1], fd);
	close(fd);
	fd = alloc_named("lc-kept");
	map = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED)
		die("mmap lc-kept", errno);
	report(sk[SERVER][1], "lc-kept", fd);
	wait_for_stop();
}

static pid_t start(int role, bool with_import)
{
	pid_t pid;

	pid = fork();
	if (pid < 0)
		die("fork", errno);
	if (pid)
		return pid;
	prctl(PR_SET_NAME, comms[role]);
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	switch (role) {
	case HOLDER:
		run_holder();
		break;
	case IMPORTER:
		run_importer();
		break;
	case SERVER:
		run_server();
		break;
	case ALLOC:
		run_alloc(with_import);
		break;
	}
	_exit(0);
}

/* One "NAME INO" line from sock into name and *ino. */
static void read_report(int sock, char *name, size_t len, unsigned long *ino)
{
	char line[96];
	size_t n = 0;

	while (n + 1 < sizeof(line) && read(sock, &line[n], 1) == 1 &&
	       line[n] != '\n')
		n++;
	line[n] = '\0';
	if (sscanf(line, "%63s %lu", name, ino) != 2 || len < 64)
		die("a child's report", EPROTO);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "manifest", required_argument, NULL, 'm' },
		{ "ready-file", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *manifest = NULL, *ready = NULL;
	struct sigaction sa = { 0 };
	unsigned long ino[4];
	char name[64], line[16];
	bool with_import;
	int i, opt, fd, card;
	FILE *f;

	while ((opt = getopt_long(argc, argv, "m:r:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'm':
			manifest = optarg;
			break;
		case 'r':
			ready = optarg;
			break;
		default:
			printf("Usage: dmabuf-lifecycle --manifest FILE [--ready-file FILE]\n"
			       "Buffers allocated by one process and handed to others, one\n"
			       "kept only by a vgem import after its allocator exited (see\n"
			       "the source's head comment); holds them until SIGTERM.\n");
			return opt == 'h' ? 0 : 2;
		}
	}
	if (!manifest)
		die("--manifest FILE", EINVAL);
	/* no SA_RESTART: a holder blocked in recvmsg() must see it */
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	card = vgem_open();
	with_import = card >= 0;
	if (card >= 0)
		close(card);
	for (i = 0; i < NR_ROLES; i++)
		if (socketpair(AF_UNIX, SOCK_STREAM, 0, sk[i]))
			die("socketpair", errno);
	pids[HOLDER] = start(HOLDER, false);
	if (with_import)
		pids[IMPORTER] = start(IMPORTER, false);

	/* the allocator: two buffers, handed on, then it exits */
	pids[ALLOC] = start(ALLOC, with_import);
	read_report(sk[ALLOC][0], name, sizeof(name), &ino[0]);
	fd = recv_fd(sk[ALLOC][0]);
	send_fd(sk[HOLDER][0], fd);
	close(fd);
	if (with_import) {
		read_report(sk[ALLOC][0], name, sizeof(name), &ino[1]);
		fd = recv_fd(sk[ALLOC][0]);
		send_fd(sk[IMPORTER][0], fd);
		close(fd);
		if (read(sk[IMPORTER][0], line, 9) != 9)
			die("the importer", EIO);
	}
	waitpid(pids[ALLOC], NULL, 0);

	/* the server: one handed on, one kept */
	pids[SERVER] = start(SERVER, false);
	read_report(sk[SERVER][0], name, sizeof(name), &ino[2]);
	fd = recv_fd(sk[SERVER][0]);
	send_fd(sk[HOLDER][0], fd);
	close(fd);
	read_report(sk[SERVER][0], name, sizeof(name), &ino[3]);

	f = fopen(manifest, "w");
	if (!f)
		die(manifest, errno);
	fprintf(f, "# dmabuf-lifecycle: role pid comm exited; buffers by age (oldest first):\n"
		"# name ino order alloc=PID holders=PID,... keeper=PID orphan=0|1\n");
	for (i = 0; i < NR_ROLES; i++)
		if (pids[i])
			fprintf(f, "proc %s %d %s %d\n", comms[i] + 3, pids[i],
				comms[i], i == ALLOC);
	fprintf(f, "buf lc-handed %lu 0 alloc=%d holders=%d keeper=0 orphan=0\n",
		ino[0], pids[ALLOC], pids[HOLDER]);
	if (with_import)
		fprintf(f, "buf lc-orphan %lu 1 alloc=%d holders= keeper=%d orphan=1\n",
			ino[1], pids[ALLOC], pids[IMPORTER]);
	fprintf(f, "buf lc-served %lu 2 alloc=%d holders=%d keeper=0 orphan=0\n",
		ino[2], pids[SERVER], pids[HOLDER]);
	fprintf(f, "buf lc-kept %lu 3 alloc=%d holders=%d keeper=0 orphan=0\n",
		ino[3], pids[SERVER], pids[SERVER]);
	if (fclose(f))
		die(manifest, errno);
	if (ready) {
		f = fopen(ready, "w");
		if (!f || fprintf(f, "%d\n", getpid()) < 0 || fclose(f))
			die(ready, errno);
	}
	wait_for_stop();
	for (i = 0; i < NR_ROLES; i++)
		if (pids[i] && i != ALLOC) {
			kill(pids[i], SIGTERM);
			waitpid(pids[i], NULL, 0);
		}
	if (ready)
		unlink(ready);
	return 0;
}
