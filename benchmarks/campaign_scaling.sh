#!/usr/bin/env bash
# Farm efficiency of `legocryst campaign`: the same campaign (same model, seed and candidates) on 1 rank and on
# RANKS ranks, timed end to end; efficiency = T(1) / (RANKS x T(RANKS)). From /campaign/timing of the RANKS-rank
# database: the share of rank-seconds in I/O (segment writes, reading segments back, the collective write) and in
# communication (task counter, all-to-all exchange), and the wait for the slowest rank. Also checks that the
# two databases are the same.
# usage: benchmarks/campaign_scaling.sh LEGOCRYST DECK [CANDIDATES] [RANKS] [WORKDIR]
#   DECK: a campaign deck with a trained model ([sample] checkpoint), e.g. inputs/campaign_sp2.ini
set -euo pipefail
bin=$1 deck=$2 n=${3:-10000} ranks=${4:-2} work=${5:-$(mktemp -d)}
export OMPI_ALLOW_RUN_AS_ROOT=${OMPI_ALLOW_RUN_AS_ROOT:-1} OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1
mkdir -p "$work"
echo "campaign scaling: $n candidates, 1 vs $ranks ranks, $(nproc --all) cores: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2)"
run() { # RANKS
  local start end
  start=$(date +%s.%N)
  mpiexec -n "$1" --oversubscribe "$bin" campaign "$deck" --quiet --set campaign.candidates="$n" \
    --set campaign.output="$work/r$1.h5" --set campaign.best=0 > "$work/r$1.out"
  end=$(date +%s.%N)
  echo "$end - $start" | bc -l
}
t1=$(run 1)
tp=$(run "$ranks")
h5diff -q "$work/r1.h5" "$work/r$ranks.h5" /candidates /candidates && same=yes || same=NO
printf 'T(1) = %.1f s, T(%d) = %.1f s, efficiency T(1) / (%d T(%d)) = %.3f; databases identical: %s\n' \
  "$t1" "$ranks" "$tp" "$ranks" "$ranks" "$(echo "$t1 / ($ranks * $tp)" | bc -l)" "$same"
# per rank: compute counter segments wait merge_read exchange dedup write (seconds)
h5dump -d /campaign/timing -y -w 0 -o "$work/timing.txt" "$work/r$ranks.h5" > /dev/null
tr -s ' ,\n' '\n' < "$work/timing.txt" | grep . | awk -v r="$ranks" -v total="$tp" '{ s[(NR - 1) % 8] += $1 }
  END { all = r * total
        printf "%d-rank run, %.1f rank-seconds: farm compute %.1f%%, I/O %.2f%% (segments %.2f, merge read %.2f, write %.2f), communication %.2f%% (counter %.3f, exchange %.3f), wait for the slowest rank %.2f%%, dedup %.1f%%\n",
          r, all, 100 * s[0] / all, 100 * (s[2] + s[4] + s[7]) / all, 100 * s[2] / all, 100 * s[4] / all, 100 * s[7] / all,
          100 * (s[1] + s[5]) / all, 100 * s[1] / all, 100 * s[5] / all, 100 * s[3] / all, 100 * s[6] / all }'
# the farm alone (sampling, relaxation, judging): 1-rank compute over RANKS x the slowest rank's compute
h5dump -d /campaign/timing -y -w 0 -o "$work/timing1.txt" "$work/r1.h5" > /dev/null
c1=$(tr -s ' ,\n' '\n' < "$work/timing1.txt" | grep . | head -1)
tr -s ' ,\n' '\n' < "$work/timing.txt" | grep . | awk -v r="$ranks" -v c1="$c1" 'NR % 8 == 1 && $1 > m { m = $1 }
  END { printf "farm efficiency (compute only): %.3f\n", c1 / (r * m) }'
grep -E '^(candidates|  valid|  unique) ' "$work/r$ranks.out" || true
