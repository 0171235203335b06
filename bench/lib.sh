# Shared by the bench scripts: sourced, never run.
# bench_build BUILD_DIR [TARGET...]: an up-to-date Release build of flowpol
# and of the other targets named.
bench_build() {
	local dir=$1; shift
	cmake -S "$src" -B "$dir" -DCMAKE_BUILD_TYPE=Release >/dev/null
	cmake --build "$dir" -j"$(nproc)" --target flowpol "$@" >/dev/null
}
# measure LABEL CMD...: run CMD (stdout to $work/out.txt, stderr to
# $work/err.txt), print its elapsed seconds, peak RSS, CPU seconds (user +
# system: what to compare when the machine is busy with other work), exit
# status and the start of its output. A non-zero exit is shown, not fatal
# (diff exits 1 on drift). $work/time.txt keeps "ELAPSED KIB CPU".
measure() {
	local label=$1 rc=0 secs kib usr sys cpu; shift
	/usr/bin/time -f "%e %M %U %S" -o "$work/time.txt" "$@" >"$work/out.txt" 2>"$work/err.txt" || rc=$?
	read -r secs kib usr sys < <(tail -n 1 "$work/time.txt")
	cpu=$(echo "$usr + $sys" | bc -l)
	echo "$secs $kib $cpu" >"$work/time.txt"
	printf '%-28s %8.2f s %8.1f MiB %8.2f s cpu  exit %d  %s\n' "$label" "$secs" \
		"$(echo "$kib / 1024" | bc -l)" "$cpu" "$rc" "$(head -c 80 "$work/out.txt" | tr '\n' ' ')"
}
