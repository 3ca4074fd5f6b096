#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# bench/guest.sh: the guest half of `make bench` (bench/run boots the guest
# and starts it). It prints
#   INFO,KEY,VALUE
#   RESULT,KERNEL,CASE,N,P,REPS,MEDIAN_US,MIN_US,MAX_US,CHECK,MAXRSS_KIB
# lines, which bench/run collects. Set by bench/run:
#   BENCH_PART     readers or alloc
#   BENCH_KERNEL   the kernel's label in the results (sysfs-on, sysfs-off)
#   BENCH_MATRIX   readers: N:P pairs, e.g. "1000:1 10000:100"
#   BENCH_REPS     timed runs per case (each after one untimed run)
#   BENCH_ALLOC_SECONDS  alloc: seconds per timed run
# The commands of the cases that the fast-path work will change:
#   BENCH_TOTALS   dmabuf-bench arguments timing a totals-only sample
#   BENCH_PIN      what pins our iterators
#   BENCH_READER   our tools reading in a loop, during the alloc cases
set -e
PART=${BENCH_PART:-readers}
KERNEL=${BENCH_KERNEL:-patched}
MATRIX=${BENCH_MATRIX:-1000:1}
REPS=${BENCH_REPS:-5}
ALLOC_SECONDS=${BENCH_ALLOC_SECONDS:-2}
# totals: the library's dmabufstat_totals_only() (the CLI's per-sample
# cost, e.g. "loop K -- dmabufstat summary --backend bpf-iter+none -o json",
# is a difference of two BPF-loading runs: noisy)
TOTALS=${BENCH_TOTALS:-totals auto}
PIN=${BENCH_PIN:-dmabufstat pin}
READER=${BENCH_READER:-dmabufstat -o json --interval 1}
HOLDER=

info() {
	echo "INFO,$1,$2"
}

# case NAME N P dmabuf-bench-args...
# (CASE_REPS, when set, instead of REPS)
run_case() {
	name=$1 n=$2 p=$3 reps=${CASE_REPS:-$REPS}
	shift 3
	if out=$(dmabuf-bench --reps "$reps" "$@"); then
		echo "RESULT,$KERNEL,$name,$n,$p,$reps,$(echo "$out" | tr ' ' ,)"
	else
		echo "bench: case $name (N=$n P=$p) failed" >&2
	fi
}

# hold N P: N buffers in P processes, in the background until release
hold() {
	rm -f /tmp/bench-ready
	start=$(date +%s)
	dmabuf-bench hold "$1" "$2" /tmp/bench-ready &
	HOLDER=$!
	while [ ! -e /tmp/bench-ready ]; do
		kill -0 "$HOLDER" 2>/dev/null || {
			echo "bench: could not hold $1 buffers in $2 processes" >&2
			exit 1
		}
		sleep 0.2
	done
	info "hold_seconds_$1_$2" $(($(date +%s) - start))
}

release() {
	kill "$HOLDER"
	wait "$HOLDER" || true
	HOLDER=
}

unpin_all() {
	dmabufstat unpin >/dev/null 2>&1 || true
	dmabufstat unpin --android >/dev/null 2>&1 || true
}

# A clock with microsecond resolution, or no bench at all.
clocksource=$(cat /sys/devices/system/clocksource/clocksource0/current_clocksource)
resolution=$(dmabuf-bench clock)
info clocksource "$clocksource"
info clock_resolution_ns "$resolution"
info kernel "$(uname -r) $KERNEL"
info cpus "$(grep -c ^processor /proc/cpuinfo)"
info mem_kib "$(sed -n 's/^MemTotal: *\([0-9]*\).*/\1/p' /proc/meminfo)"
if [ "$resolution" -ge 1000 ]; then
	echo "bench: the guest clock ($clocksource) steps by $resolution ns: not a microsecond clock; refusing to measure" >&2
	exit 3
fi

readers() {
	n=$1 p=$2
	hold "$n" "$p"
	unpin_all
	run_case sysfs_walk "$n" "$p" read sysfs
	run_case bufinfo "$n" "$p" read bufinfo
	run_case proc_scan "$n" "$p" read procs
	dmabufstat pin --android >/dev/null
	run_case android_iter "$n" "$p" read android
	dmabufstat unpin --android >/dev/null
	run_case floor "$n" "$p" read floor
	run_case cli_oneshot "$n" "$p" exec -- dmabufstat -o json
	$PIN >/dev/null
	run_case cli_oneshot_pinned "$n" "$p" exec -- dmabufstat -o json
	unpin_all
	run_case lib_sample_bufs "$n" "$p" lib bpf-iter+none
	run_case lib_sample "$n" "$p" lib auto
	# shellcheck disable=SC2086 # a dmabuf-bench command line
	run_case totals "$n" "$p" $TOTALS
	run_case proc_attr "$n" "$p" lib procs+bpf-task
	# one run (after the untimed one): for its peak RSS
	CASE_REPS=1
	run_case top_oneshot "$n" "$p" exec -- dmabuf-top -b 0.1 1
	CASE_REPS=
	release
}

# alloc CONDITION: every source and size, printed as alloc_SRC_SIZE_COND
alloc_all() {
	for src in heap udmabuf; do
		for size in 4096 1048576; do
			run_case "alloc_${src}_${size}_$1" 1000 10 \
				alloc "$src" "$size" "$ALLOC_SECONDS"
		done
	done
}

# lifecycle tracking's cost: 4 KiB system-heap buffers, tracking off and
# on in turn, twice (the two offs bound the drift between them)
tracking() {
	for round in 1 2; do
		run_case "alloc_heap_4096_trackoff$round" 1000 10 \
			alloc heap 4096 "$ALLOC_SECONDS"
		if ! dmabufstat track start >/dev/null; then
			echo "bench: dmabufstat track start failed" >&2
			return
		fi
		info track_method "$(dmabufstat track status | sed -n 's/^method: *//p')"
		run_case "alloc_heap_4096_tracking$round" 1000 10 \
			alloc heap 4096 "$ALLOC_SECONDS"
		info "track_entries_$round" "$(dmabufstat track status | sed -n 's/^entries: *//p')"
		dmabufstat track stop
	done
}

alloc() {
	# a population for the readers to walk meanwhile
	hold 1000 10
	unpin_all
	alloc_all idle
	# shellcheck disable=SC2086 # a command line
	$READER >/tmp/bench-reader.out 2>&1 &
	reader=$!
	# measure once it reads, not while it loads
	while [ ! -s /tmp/bench-reader.out ]; do
		kill -0 "$reader" 2>/dev/null || {
			echo "bench: $READER stopped:" >&2
			cat /tmp/bench-reader.out >&2
			exit 1
		}
		sleep 0.2
	done
	alloc_all reading
	kill "$reader"
	wait "$reader" || true
	info reader_samples "$(grep -c . /tmp/bench-reader.out)"
	$PIN >/dev/null
	dmabufstat pin --android >/dev/null
	alloc_all pinned
	unpin_all
	tracking
	# idle once more: drift over the run shows as a change from the first
	alloc_all again
	release
}

case $PART in
readers)
	for np in $MATRIX; do
		readers "${np%:*}" "${np#*:}"
	done
	;;
alloc) alloc ;;
*)
	echo "bench: BENCH_PART must be readers or alloc" >&2
	exit 2
	;;
esac
# against the host's run time: a check that the guest clock keeps time
info "uptime_seconds_$PART" "$(cut -d. -f1 /proc/uptime)"
