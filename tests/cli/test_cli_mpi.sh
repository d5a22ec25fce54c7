#!/usr/bin/env bash
# The command line on 2 MPI ranks: output and errors appear once, exit statuses as on one rank.
# usage: test_cli_mpi.sh MPIEXEC LEGOCRYST_BINARY SOURCE_DIR
set -u
mpiexec=$1
bin=$2
src=$3
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
failures=0
out=$("$mpiexec" -n 2 --oversubscribe "$bin" info "$src"/inputs/structures/graphite.cif 2>&1)
status=$?
[ $status -eq 0 ] || { echo "FAIL: info on 2 ranks exited $status"; failures=$((failures + 1)); }
n=$(grep -c "space group  P6_3/mmc (194)" <<<"$out")
[ "$n" -eq 1 ] || { echo "FAIL: info printed its report $n times on 2 ranks"; failures=$((failures + 1)); }
err=$("$mpiexec" -n 2 --oversubscribe "$bin" wyckoff 999 2>&1 >/dev/null)
status=$?
[ $status -eq 2 ] || { echo "FAIL: user error on 2 ranks exited $status, not 2"; failures=$((failures + 1)); }
n=$(grep -c "^legocryst: error: " <<<"$err")
[ "$n" -eq 1 ] || { echo "FAIL: user error printed $n times on 2 ranks"; failures=$((failures + 1)); }
echo "$((4 - failures)) passed, $failures failed"
[ $failures -eq 0 ]
