#!/usr/bin/env bash
# Runs the test suite several times in a row while CPU hogs keep the machine busy, to show the
# tests wait on events and not on time. Stops at the first failing run.
#
#   scripts/loaded_suite.sh [RUNS]          # default 3 runs of `npm test`
#
# Settings (environment):
#   SUITE_CMD   the command of one run (default: npm test), e.g. "npm run test:node"
#   HOGS        busy-loop processes beside it (default: one per core minus one, at least 1)
#   CLONE=1     run in a fresh `git clone` of HEAD (committed files only) in a temporary
#               directory; its node_modules is `npm ci`, or a symlink to LINK_NODE_MODULES
#   LOG_DIR     where each run's output goes (default: a temporary directory)
set -u -o pipefail

runs="${1:-${RUNS:-3}}"
suite_cmd="${SUITE_CMD:-npm test}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cores="$(nproc 2>/dev/null || getconf _NPROCESSORS_ONLN 2>/dev/null || echo 2)"
hogs="${HOGS:-$((cores > 1 ? cores - 1 : 1))}"
log_dir="${LOG_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/loaded-suite.XXXXXX")}"
mkdir -p "$log_dir"

if ! [[ "$runs" =~ ^[1-9][0-9]*$ ]]; then
  echo "usage: $0 [RUNS] (a positive number; got \"$runs\")" >&2
  exit 2
fi

node_bin="$root/node_modules/.bin/node"
[ -x "$node_bin" ] || node_bin="node"

hog_pids=()
clone_dir=""
stop_hogs() {
  for pid in "${hog_pids[@]}"; do kill "$pid" 2>/dev/null; done
  for pid in "${hog_pids[@]}"; do wait "$pid" 2>/dev/null; done
  hog_pids=()
}
cleanup() {
  stop_hogs
  [ -n "$clone_dir" ] && rm -rf "$clone_dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

workdir="$root"
if [ "${CLONE:-0}" = "1" ]; then
  clone_dir="$(mktemp -d "${TMPDIR:-/tmp}/loaded-suite-clone.XXXXXX")"
  git clone --quiet --no-hardlinks "$root" "$clone_dir/repo" || exit 2
  workdir="$clone_dir/repo"
  if [ -n "${LINK_NODE_MODULES:-}" ]; then
    ln -s "$LINK_NODE_MODULES" "$workdir/node_modules" || exit 2
  else
    (cd "$workdir" && npm ci --no-audit --no-fund) || exit 2
  fi
  echo "clean clone of $(git -C "$root" rev-parse --short HEAD) in $workdir"
fi

for _ in $(seq "$hogs"); do
  "$node_bin" -e 'for (;;) {}' &
  hog_pids+=("$!")
done
echo "$hogs CPU hog(s) on $cores core(s): ${hog_pids[*]}"
echo "running \"$suite_cmd\" up to $runs time(s) in $workdir; logs in $log_dir"

passed=0
failed=0
results=()
for i in $(seq "$runs"); do
  log="$log_dir/run-$i.log"
  started=$SECONDS
  (cd "$workdir" && bash -c "$suite_cmd") >"$log" 2>&1
  code=$?
  took=$((SECONDS - started))
  load="$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || uptime)"
  if [ "$code" -eq 0 ]; then
    passed=$((passed + 1))
    results+=("run $i: pass in ${took}s (load average $load)")
  else
    failed=$((failed + 1))
    results+=("run $i: FAIL (exit $code) in ${took}s (load average $load), see $log")
  fi
  echo "${results[-1]}"
  [ "$code" -eq 0 ] || break
done
stop_hogs

echo
echo "== loaded suite summary =="
echo "command:  $suite_cmd"
echo "hogs:     $hogs busy loop(s) on $cores core(s)"
echo "runs:     $((passed + failed)) of $runs, $passed passed, $failed failed"
printf '%s\n' "${results[@]}"
if [ "$failed" -gt 0 ]; then
  echo "last lines of the failing run:"
  tail -n 40 "$log"
  exit 1
fi
echo "all $passed run(s) passed under load"
