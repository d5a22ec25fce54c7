#!/usr/bin/env bash
# `legocryst relax` over the 140 sp2 training structures, each from its own row (the first row of each source of
# the training set test_prepare_sp2 writes): all stay valid and none ends above its starting objective + 1e-3.
# usage: test_relax_sp2.sh LEGOCRYST CHECKER WORKDIR
set -u
bin=$1 checker=$2 work=$3
training=$work/sp2_1rank.h5
if [ ! -f "$training" ]; then echo "skipped: $training not found (test_prepare_sp2 makes it)"; exit 77; fi
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
printf '[relax]\ninput = %s\nfirst_of_source = true\noutput = %s\n' "$training" "$work/relax_sp2.h5" > "$work/relax_sp2.ini"
"$bin" relax "$work/relax_sp2.ini" || { echo "FAIL: relax exited $?"; exit 1; }
"$checker" "$work/relax_sp2.h5" 140
