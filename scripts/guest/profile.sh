#!/bin/sh
# vns.mode=profile (scripts/bench-profile.sh, on the VNS_PROFILE=prof kernel): where the instructions of the
# measured paths go. For each operation of /vns/vns_prof: its cost untraced, the function profiler's
# per-function hits and self time (graph-time off) over VNS_PROF_N calls, and one call's function_graph.
# VNS_PROF_OPS and VNS_PROF_GRAPH_OPS: comma-separated operations.
# The module's Rust is not instrumented (no fentry): its own instructions show as the self time of the
# nearest traced caller (__x64_sys_ioctl), and every C function it calls shows by name.
T=/sys/kernel/tracing
mount -t tracefs tracefs $T 2>/dev/null
P=/vns/vns_prof
n=${VNS_PROF_N:-200}
ops=$(echo "${VNS_PROF_OPS:-vns-floor,kern-floor,vns-enotty,vns-uts,kern-uts,vns-cgroup,kern-cgroup,vns-time,kern-time,fork,fork-in}" | tr , " ")
echo 0 > $T/tracing_on
echo "VNS-PROF: untraced, $n calls each"
for op in $ops; do $P - "$op" "$n"; done
echo 0 > $T/options/graph-time
for op in $ops; do
	echo "VNS-PROF-BEGIN profile $op"
	$P $T/function_profile_enabled "$op" "$n"
	for f in $T/trace_stat/function*; do echo "VNS-PROF-CPU $f"; cat "$f"; done
	echo "VNS-PROF-END"
done
echo function_graph > $T/current_tracer
echo 1 > $T/options/funcgraph-proc 2>/dev/null
for op in $(echo "${VNS_PROF_GRAPH_OPS:-vns-uts,kern-uts,vns-cgroup,kern-cgroup,fork}" | tr , " "); do
	echo > $T/trace
	echo "VNS-PROF-BEGIN graph $op"
	$P $T/tracing_on "$op" 1
	cat $T/trace
	echo "VNS-PROF-END"
done
echo nop > $T/current_tracer
# The fork with the module not loaded, last (it unloads vns).
rmmod vns && {
	echo "VNS-PROF-BEGIN profile fork-unloaded"
	$P $T/function_profile_enabled fork "$n"
	for f in $T/trace_stat/function*; do echo "VNS-PROF-CPU $f"; cat "$f"; done
	echo "VNS-PROF-END"
	$P - fork "$n"
}
