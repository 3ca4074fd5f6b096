/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every source of libdmabufstat, one line each; within a kind (buffers,
 * processes) the order is AUTO's preference. The includer defines
 * DS_SOURCE(name); name is the ds_src_<name> that sources/<name>.c defines.
 *
 * Adding a source: its file under sources/, one line here, and (for users
 * to name it) its value in libdmabufstat.h's backend enum.
 */
DS_SOURCE(bpf_pin_bufs)	/* buffers: the pinned iter/dmabuf, nothing loaded */
DS_SOURCE(bpf_iter)	/* buffers: iter/dmabuf, everything known */
DS_SOURCE(bufinfo)	/* buffers: debugfs dma_buf/bufinfo */
DS_SOURCE(sysfs)	/* buffers: CONFIG_DMABUF_SYSFS_STATS */
DS_SOURCE(procs)	/* buffers: only those some process holds */
DS_SOURCE(bpf_pin_procs)	/* processes: the pinned task walks */
DS_SOURCE(bpf_task)	/* processes: iter/task_file + iter/task_vma */
DS_SOURCE(procfs)	/* processes: /proc/<pid>/fd, fdinfo, maps */
DS_SOURCE(no_procs)	/* processes: no walk at all, by name only */
DS_SOURCE(replay_bufs)	/* buffers: recorded streams, by name only */
DS_SOURCE(replay_procs)	/* processes: recorded streams, by name only */
