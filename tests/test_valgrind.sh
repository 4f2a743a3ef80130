#!/bin/sh
# test_valgrind.sh — soma under valgrind memcheck (issue 10): the demo (the spiking agent in the
# labyrinth, in its quick form: three rewarded runs with replays, recorded, with the summary
# figure), the example script (a 1000-neuron network, recordings, a figure) and a short sweep
# with its points (child processes, followed with --trace-children) and --collect. Each must
# end with no
# memcheck error and no definite leak. valgrind does not know AVX-512, so it runs a build made
# without -march=native (build/vg/soma, made here). Third-party reports are suppressed by
# tests/valgrind.supp only. Prints "N passed, N failed".
cd "$(dirname "$0")/.." || exit 1
. tests/sh_harness.sh
if ! command -v valgrind >/dev/null 2>&1; then
  echo "note: valgrind is not installed: nothing checked (tools/deps.sh installs it)"
  done_tests
  exit 0
fi
if ! env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s SANITIZE=0 MPI=0 OUT=build/vg OPT='-O2 -g' build/vg/soma \
     >"$tmp/build.log" 2>&1; then
  not_ok "build/vg/soma builds" "$(tail -5 "$tmp/build.log")"
  done_tests
  exit 1
fi
VG="valgrind --leak-check=full --errors-for-leak-kinds=definite --error-exitcode=99 \
  --num-callers=30 --suppressions=tests/valgrind.supp"
vg() {   # NAME LOG ARGS...: soma under valgrind, its summary lines on failure
  name=$1 log=$2
  shift 2
  $VG --log-file="$log.%p" "$@" >"$tmp/out" 2>&1
  rc=$?
  defs=$(cat "$log".* | grep -c 'definitely lost: [1-9]')
  errs=$(cat "$log".* | grep 'ERROR SUMMARY' | grep -vc 'ERROR SUMMARY: 0 errors')
  procs=$(ls "$log".* | wc -l)
  if [ "$rc" = 0 ] && [ "$defs" = 0 ] && [ "$errs" = 0 ]; then
    ok "$name: no memcheck errors, no definite leaks ($procs process(es))"
  else
    not_ok "$name" "exit $rc; $(cat "$log".* | grep -E 'ERROR SUMMARY|definitely lost|Invalid|uninitialised' | sort | uniq -c | head -8)"
  fi
}
t0=$(date +%s)
vg "demo (labyrinth, quick)" "$tmp/demo" build/vg/soma run scripts/labyrinth_fewshot.lua \
  --set demo=true --set quick=true --quiet --out "$tmp/demo_run"
vg "ei_network (quick)" "$tmp/ei" build/vg/soma run scripts/ei_network.lua --set quick=true \
  --set episode_ms=50 --quiet --out "$tmp/ei_run"
vg "sweep of 4 points, 2 jobs" "$tmp/sweep" --trace-children=yes build/vg/soma sweep \
  tests/sweep/point.lua --grid g=1,2 --seeds 2 --jobs 2 --quiet --out "$tmp/sweep_run"
vg "sweep --collect" "$tmp/collect" build/vg/soma sweep --collect "$tmp/sweep_run" --quiet
echo "  valgrind took $(( $(date +%s) - t0 )) s"
done_tests
