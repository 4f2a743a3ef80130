#!/bin/sh
# test_sweep_mpi.sh — soma sweep over MPI: builds soma with `make MPI=1` into its own
# directory (build/mpi, or $MPI_OUT), runs a sweep with `mpirun -np 2` and checks that the
# table equals the plain sweep's, row for row, that both ranks ran points, that failures reach
# the exit status and that running it again resumes. The plain build refuses to be run by
# mpirun with several ranks. Skipped (with the reason) only where mpirun cannot start 2 ranks.
. "$(dirname "$0")/sh_harness.sh"
P=tests/sweep/point.lua
MPI_OUT=${MPI_OUT:-build/mpi}
MSOMA=$MPI_OUT/soma
export SOMA_PROGRESS_INTERVAL=1000
# containers: no ptrace-based single copy between ranks; root needs --allow-run-as-root
export OMPI_MCA_btl_vader_single_copy_mechanism=none
export OMPI_MCA_rmaps_base_oversubscribe=1
ROOT=""
[ "$(id -u)" = 0 ] && ROOT=--allow-run-as-root
mpi() { mpirun $ROOT --oversubscribe -np 2 "$@"; }

if ! command -v mpirun >/dev/null || ! command -v mpicc >/dev/null; then
  echo "note: MPI sweep test skipped: mpirun or mpicc is not installed (make deps installs them)"
  ok "skipped: mpirun or mpicc is not installed (make deps installs openmpi-bin and libopenmpi-dev)"
  done_tests
  exit 0
fi
if ! out=$(mpi true 2>&1); then
  echo "note: MPI sweep test skipped: mpirun cannot start 2 ranks here: $(printf '%s' "$out" | head -3 | tr '\n' ' ')"
  ok "skipped: mpirun cannot start 2 ranks here"
  done_tests
  exit 0
fi

# the build: its own output directory, never sanitized (OpenMPI's allocations are not ours)
if env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make MPI=1 SANITIZE=0 OUT="$MPI_OUT" -j2 "$MSOMA" >"$tmp/build.out" 2>&1; then
  ok "make MPI=1 builds $MSOMA"
else
  not_ok "make MPI=1" "$(tail -5 "$tmp/build.out")"
  done_tests
  exit 1
fi

cat >"$tmp/compare.py" <<'EOF'
import csv, sys
def rows(path):
    r = list(csv.DictReader(open(path)))
    for row in r:
        row.pop("wall_s", None)
    return r
a, b = rows(sys.argv[1]), rows(sys.argv[2])
assert len(a) == len(b) and len(a) > 0, (len(a), len(b))
for x, y in zip(a, b):
    assert x == y, (x, y)
EOF

G="--grid g=1,2,3,4,5 --seeds 2 --set work_ms=30"
$SOMA sweep $P $G --out "$tmp/plain" --quiet
mpi "$MSOMA" sweep $P $G --out "$tmp/mpi" >"$tmp/mpi.out" 2>&1
rc=$?
if [ "$rc" = 0 ] && grep -q "sweep: 10 points: 10 ok, 0 failed" "$tmp/mpi.out" &&
   $PY "$tmp/compare.py" "$tmp/mpi/sweep.csv" "$tmp/plain/sweep.csv" >"$tmp/cmp.out" 2>&1; then
  ok "mpirun -np 2 soma sweep: the same table as the plain sweep, row for row"
else not_ok "mpirun -np 2 soma sweep" "rc $rc: $(cat "$tmp/mpi.out" "$tmp/cmp.out" | tail -5)"; fi
pids=$(cat "$tmp"/mpi/points/*/done.json | sed -n 's/.*"pid": \([0-9]*\).*/\1/p' | sort -u | wc -l)
[ "$pids" = 2 ] && ok "both ranks ran points" || not_ok "both ranks ran points" "$pids driver processes wrote done.json"

before=$(cat "$tmp"/mpi/points/*/done.json | md5sum)
mpi "$MSOMA" sweep $P $G --out "$tmp/mpi" >"$tmp/again.out" 2>&1
rc=$?
[ "$rc" = 0 ] && grep -q "10 of 10 points already done" "$tmp/again.out" && [ "$before" = "$(cat "$tmp"/mpi/points/*/done.json | md5sum)" ] &&
  ok "under MPI too, the same command again reruns nothing" || not_ok "MPI rerun" "rc $rc: $(tail -3 "$tmp/again.out")"

mpi "$MSOMA" sweep $P --grid g=1,2,3,4 --set fail_g=3 --out "$tmp/mfail" >"$tmp/mfail.out" 2>&1
rc=$?
[ "$rc" = 1 ] && grep -q "^p0002-g=3-seed=1,3,1,failed,.*deliberate failure at g = 3" "$tmp/mfail/sweep.csv" &&
  ok "a failing point under MPI: recorded, exit status 1" || not_ok "a failing point under MPI" "rc $rc: $(tail -3 "$tmp/mfail.out")"

"$MSOMA" sweep $P $G --out "$tmp/solo" --quiet
$PY "$tmp/compare.py" "$tmp/solo/sweep.csv" "$tmp/plain/sweep.csv" >"$tmp/cmp.out" 2>&1 &&
  ok "the MPI build without mpirun is a plain sweep" || not_ok "MPI build alone" "$(tail -2 "$tmp/cmp.out")"

mpi "$SOMA" sweep $P --grid g=1,2 --out "$tmp/nompi" >"$tmp/nompi.out" 2>&1
grep -q "built without MPI: build it with make MPI=1" "$tmp/nompi.out" && [ ! -e "$tmp/nompi" ] &&
  ok "a soma built without MPI refuses to run as several ranks" || not_ok "plain build under mpirun" "$(tail -3 "$tmp/nompi.out")"

done_tests
