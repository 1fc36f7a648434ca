#!/usr/bin/env bash
# bench.sh: cmsim's bench scenarios side by side with the peers in
# ../shared/bench (gofloor: bare Go heap; SimPy), on this machine, in one
# session. Prints one line per run and the medians; see docs/performance.md.
#
# usage: tools/bench.sh [REPEATS] [--no-simpy-150k]
# needs: go, /usr/bin/time, and for SimPy Debian's python3-simpy3.
# CMSIM_BASE=/path/to/an/older/cmsim also runs that binary on the same
# workloads, interleaved, to compare a change side by side.
set -euo pipefail
cd "$(dirname "$0")/.."
reps=${1:-3}
simpy150=1
[ "${2:-}" = "--no-simpy-150k" ] && simpy150=0
peers=../shared/bench
tmp=$(mktemp -d)
go build -o "$tmp/cmsim" ./cmd/cmsim
(cd "$peers/gofloor" && go build -o "$tmp/gofloor" .)

# run NAME CMD...: one timed run; records "NAME wall_s peak_rss_mb".
run() {
	local name=$1; shift
	/usr/bin/time -f "%e %M" -o "$tmp/time" "$@" >"$tmp/out" 2>&1 || { cat "$tmp/out"; exit 1; }
	read -r wall kb <"$tmp/time"
	printf '%-28s %7.2f s %7.1f MB  %s\n' "$name" "$wall" "$(echo "$kb/1000" | bc -l)" "$(grep -Eo 'p50=[^ ]+ p99=[^ ]+ max=[^ ]+' "$tmp/out" || grep -E '^ +(Watch|Get|Cache) ' "$tmp/out" | tr -s ' ' | head -1)"
	echo "$name|$wall|$kb" >>"$tmp/all"
}

cm() { run "cmsim $1 -j $2" "$tmp/cmsim" run "$1" -j "$2" --plots none --samples none -q --out "$tmp/o"; }
# The default command: charts, report and every latency row.
cmdefault() { run "cmsim $1 default" "$tmp/cmsim" run "$1" -q --out "$tmp/d"; }
base() { [ -n "${CMSIM_BASE:-}" ] && run "base $1 -j $2" "$CMSIM_BASE" run "$1" -j "$2" --plots none --samples none -q --out "$tmp/o" || true; }
for i in $(seq "$reps"); do
	for s in bench-watch-15k bench-watch-150k bench-get-150k bench-cache-150k; do
		cm "$s" 2; base "$s" 2; cm "$s" 1
	done
	cmdefault bench-watch-15k
	cmdefault bench-watch-150k
	# A finite apiserver couples the nodes: one engine on one core.
	run "cmsim get-150k capacity -j 2" "$tmp/cmsim" run bench-get-150k --set 'cluster.apiserver.capacity={}' -j 2 --plots none --samples none -q --out "$tmp/o"
	# The apiserver-restart study, one strategy at a time (5000 nodes).
	for st in Get Cache Watch; do
		run "cmsim apiserver-restart $st" "$tmp/cmsim" run apiserver-restart --set "sweep.cluster.kubelet.changeDetectionStrategy=[$st]" -j 2 --plots none --samples none -q --out "$tmp/o"
	done
	run "gofloor watch-15k" "$tmp/gofloor" 500 30 1000 3600
	run "gofloor watch-150k" "$tmp/gofloor" 5000 30 1000 3600
	if [ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import simpy' 2>/dev/null; then
		run "simpy watch-15k" /usr/bin/python3 "$peers/simpy/kubelet_watch.py" 500 30 1000 3600
		if [ "$simpy150" = 1 ] && [ "$i" = 1 ]; then
			run "simpy watch-150k" /usr/bin/python3 "$peers/simpy/kubelet_watch.py" 5000 30 1000 3600
		fi
	fi
done
cm bench-watch-2m 2
cmdefault bench-watch-2m
base bench-watch-2m 2
cm bench-watch-2m 1
run "gofloor watch-2m" "$tmp/gofloor" 65000 30 13000 3600

echo
echo "medians (wall s, peak RSS MB):"
python3 - "$tmp/all" <<'PY'
import statistics, sys
runs = {}
for line in open(sys.argv[1]):
    name, wall, kb = line.strip().split("|")
    runs.setdefault(name, []).append((float(wall), float(kb) / 1000))
med = {}
for name, v in runs.items():
    med[name] = statistics.median(w for w, _ in v)
    print(f"{name:28s} {med[name]:7.2f} s {statistics.median(m for _, m in v):7.1f} MB  (n={len(v)})")
print()
print("cmsim / gofloor (medians):")
for size in ("15k", "150k", "2m"):
    floor = med.get(f"gofloor watch-{size}")
    if not floor:
        continue
    for name in (f"cmsim bench-watch-{size} default", f"cmsim bench-watch-{size} -j 2", f"cmsim bench-watch-{size} -j 1"):
        if name in med:
            print(f"{name:34s} 1/{floor / med[name]:.1f}")
PY
rm -rf "$tmp"
