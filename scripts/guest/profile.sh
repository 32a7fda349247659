#!/bin/sh
# vns.mode=profile (scripts/bench-profile.sh, on the VNS_PROFILE=prof kernel): where the instructions of the
# measured paths go. For each operation of /vns/vns_prof: its cost untraced (VNS_PROF_N calls), then the
# function_graph trace of VNS_PROF_CALLS calls, copied to tmpfs with the tracer off before it is printed.
# VNS_PROF_OPS: comma-separated operations. The module's Rust is not instrumented (no fentry): its own
# instructions show as the self time of the nearest traced caller, and every C function it calls by name.
T=/sys/kernel/tracing
mount -t tracefs tracefs $T 2>/dev/null
P=/vns/vns_prof
n=${VNS_PROF_N:-200}
ops=$(echo "${VNS_PROF_OPS:-vns-floor,kern-floor,vns-enotty,vns-uts,kern-uts,vns-cgroup,kern-cgroup,vns-time,kern-time,fork,fork-in}" | tr , " ")
echo 0 > $T/tracing_on
echo "VNS-PROF: untraced, $n calls each"
for op in $ops; do $P - "$op" "$n"; done
# The graph reduced to "function calls self inclusive" (the whole trace floods the console): self is a
# function's duration less its traced callees'; durations are in us (instructions/1000 under icount).
summarize() {
	awk '{ sub(/^ *[0-9]+\) */, ""); sub(/^[-+!#*@$] /, "") }
	/\|/ { d = 0; if (match($0, /[0-9.]+ us/)) d = substr($0, RSTART, RLENGTH - 3) + 0
		t = $0; sub(/^[^|]*\| */, "", t)
		if (t ~ /\{ *$/) { n = t; sub(/\(\).*/, "", n); st[++sp] = n; ch[sp] = 0 }
		else if (t ~ /; *$/) { n = t; sub(/\(\).*/, "", n); c[n]++; s[n] += d; inc[n] += d; if (sp) ch[sp] += d }
		else if (t ~ /^\}/ && sp) { n = st[sp]; c[n]++; s[n] += d - ch[sp]; inc[n] += d; sp--; if (sp) ch[sp] += d } }
	END { for (n in c) printf "%-44s %6d %10.3f %10.3f\n", n, c[n], s[n], inc[n] }'
}
# One tracer for every operation (switching tracers again hangs this guest under TCG): vns_prof turns
# tracing_on on and off around its loop and marks the trace with the operation's name.
echo 0 > $T/tracing_on
echo 16384 > $T/buffer_size_kb
echo function_graph > $T/current_tracer
echo 0 > $T/options/funcgraph-irqs
echo > $T/trace
for op in $ops; do $P $T/tracing_on "$op" "${VNS_PROF_CALLS:-4}"; done
cat $T/trace > /tmp/prof.trace
for op in $ops; do
	echo "VNS-PROF-BEGIN summary $op"
	awk -v op="$op" '/VNSOP / { on = index($0, "VNSOP " op " ") || $0 ~ ("VNSOP " op " *[*]/ *$") } on' \
		/tmp/prof.trace | summarize | sort -k3 -n -r > /tmp/prof.sum
	head -n "${VNS_PROF_TOP:-40}" /tmp/prof.sum
	echo "VNS-PROF-END"
	# The module's own entry points and what UNSHARE's cost is made of, whatever their rank.
	echo "VNS-PROF-BEGIN pick $op"
	grep -E '(vns|krealloc|kmalloc|kfree|call_rcu|capable|_raw_spin_(un)?lock|ns_tree|create_new_namespaces|copy_utsname|clone_uts|kmem_cache_(alloc|free)|__x64_sys_(ioctl|unshare)|ksys_unshare|put_|free_)' /tmp/prof.sum
	echo "VNS-PROF-END"
done
