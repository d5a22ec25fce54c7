#!/usr/bin/env bash
# `legocryst campaign`: the database is the same on 1, 2 and 3 ranks; a 2-rank campaign killed (SIGKILL of a
# random rank) at random moments several times, then resumed, gives the same database as an uninterrupted run;
# a kill never leaves an unreadable file or a database that looks complete when it is not; SIGTERM saves and
# exits with status 3 within the grace period, and --resume finishes the campaign; the verdicts (valid, duplicate)
# are those of `legocryst relax` on the same rows.
# usage: test_campaign.sh LEGOCRYST MPIEXEC SOURCE_DIR [SEED]
set -u
bin=$1 mpiexec=$2 src=$3 seed=${4:-$RANDOM}
RANDOM=$seed
echo "random seed of this test: $seed (rerun with it as the 4th argument)"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0 checks=0
check() { checks=$((checks + 1)); if ! eval "$2"; then echo "FAIL: $1"; failures=$((failures + 1)); fi; }

# a small model of the built-in structures
"$bin" prepare "$src/inputs/prepare_demo.ini" --quiet --set prepare.output="$tmp/set.h5" > /dev/null
cat > "$tmp/deck.ini" <<DECK
[train]
training_set = $tmp/set.h5
epochs = 6
batch = 40
hidden = 32
latent = 8
checkpoint = $tmp/model.h5
metrics = $tmp/metrics.csv
[sample]
checkpoint = $tmp/model.h5
seed = 7
[relax]
min_dimensionality = 0
max_iterations = 200
[campaign]
candidates = 240
chunk = 4
segment_candidates = 8
grace_seconds = 10
best = 3
DECK
"$bin" train "$tmp/deck.ini" --quiet > /dev/null
check "train the model" "[ -s '$tmp/model.h5' ]"

rank_pids() { pgrep -f "^$bin campaign .*campaign.output=$1"; } # the ranks (not the launcher) writing $1
# As a batch system ends a job: the launcher and every rank gone. Open MPI's launcher may hang after a rank was
# killed; Slurm would kill the step.
end_job() { # LAUNCHER_PID OUTPUT
  for _ in $(seq 100); do kill -0 "$1" 2> /dev/null || break; sleep 0.2; done
  pkill -KILL -f "mpiexec.*campaign.output=$2" 2> /dev/null
  wait "$1" 2> /dev/null
  while rank_pids "$2" > /dev/null; do sleep 0.1; done
}
campaign() { # campaign RANKS OUTPUT EXTRA...
  local ranks=$1 out=$2; shift 2
  "$mpiexec" -n "$ranks" "$bin" campaign "$tmp/deck.ini" --quiet --set campaign.output="$out" "$@"
}
# same content: every candidate's record and atoms, and the summary's counts
same_database() {
  h5diff -q "$1" "$2" /candidates /candidates && h5diff -q "$1" "$2" /atoms /atoms &&
    h5diff -q "$1" "$2" /summary/spacegroup_counts /summary/spacegroup_counts &&
    for a in n_total n_decodable n_valid_env n_unique n_3d; do
      [ "$(h5dump -a /summary/$a "$1" | grep -A1 DATA)" = "$(h5dump -a /summary/$a "$2" | grep -A1 DATA)" ] || return 1
    done
}

start=$(date +%s%N)
campaign 1 "$tmp/one.h5" > "$tmp/one.out" 2>&1
check "1 rank exits 0" "[ $? -eq 0 ]"
one_rank_ms=$((($(date +%s%N) - start) / 1000000))
check "1 rank: 240 candidates" "grep -q 'candidates *240' '$tmp/one.out'"
check "1 rank: segments removed when complete" "[ ! -e '$tmp/one.h5.segments' ]"
check "1 rank: best candidates as CIF" "ls '$tmp/one_best/'*.cif > /dev/null 2>&1"
for ranks in 2 3; do
  campaign $ranks "$tmp/r$ranks.h5" > "$tmp/r$ranks.out" 2>&1
  check "$ranks ranks exit 0" "[ $? -eq 0 ]"
  check "$ranks ranks: the same database as 1 rank" "same_database '$tmp/one.h5' '$tmp/r$ranks.h5'"
done
check "the summary is stored and says 240" "h5dump -a /summary/n_total '$tmp/one.h5' | grep -q '240'"
# the campaign's verdicts, dedup included, are those of `sample` + `relax` on the same rows (one process, no merge)
"$bin" sample "$tmp/deck.ini" --quiet --set sample.rows=240 --set sample.output="$tmp/rows.h5" > /dev/null
"$bin" relax "$tmp/deck.ini" --quiet --set relax.input="$tmp/rows.h5" --set relax.output="$tmp/relaxed.h5" > /dev/null
check "relax of the same rows: the same statuses" "h5diff -q '$tmp/one.h5' '$tmp/relaxed.h5' /candidates/status /candidates/status"
check "relax of the same rows: the same duplicates" \
  "h5diff -q '$tmp/one.h5' '$tmp/relaxed.h5' /candidates/duplicate_of /candidates/duplicate_of"
summary_value() { h5dump -a "/summary/$2" "$1" | grep -A1 DATA | sed -n 's/.*(0): *//p'; }
echo "1 rank: $(summary_value "$tmp/one.h5" n_valid_env) valid, $(summary_value "$tmp/one.h5" n_unique) unique"
check "some valid candidates are duplicates (the dedup is exercised)" \
  "[ $(summary_value "$tmp/one.h5" n_unique) -lt $(summary_value "$tmp/one.h5" n_valid_env) ]"

# killed at random moments, resumed each time
out="$tmp/killed.h5"
resume=""
for attempt in 1 2 3 4; do
  campaign 2 "$out" $resume > "$tmp/kill$attempt.out" 2>&1 &
  launcher=$!
  # a random moment within the first third of a 1-rank run, so that kills land on fast and slow machines alike
  sleep "$(((RANDOM * 32768 + RANDOM) % (one_rank_ms / 3 + 1) + 200))e-3"
  ranks=($(rank_pids "$out"))
  if [ ${#ranks[@]} -gt 0 ]; then
    victim=${ranks[$((RANDOM % ${#ranks[@]}))]}
    kill -KILL "$victim" 2> /dev/null && echo "attempt $attempt: killed rank pid $victim"
  fi
  end_job $launcher "$out"
  resume="--resume"
  # never a database that looks complete when it is not, never an unreadable file
  if [ -e "$out" ]; then
    check "attempt $attempt: a database left by a killed run is complete" "same_database '$tmp/one.h5' '$out'"
  fi
  check "attempt $attempt: no half-written database under the final name" "[ ! -e '$out.partial' ] || [ ! -e '$out' ]"
  for segment in "$out.segments"/*.h5; do
    [ -e "$segment" ] || continue
    check "attempt $attempt: segment $(basename "$segment") opens" "h5dump -H '$segment' > /dev/null 2>&1"
  done
done
campaign 2 "$out" --resume > "$tmp/final.out" 2>&1
check "the resumed campaign completes" "[ $? -eq 0 ] && [ -s '$out' ]"
check "killed and resumed: the same database as the uninterrupted run" "same_database '$tmp/one.h5' '$out'"

# SIGTERM (as Slurm sends it to every task): save, exit 3 within the grace period; --resume finishes
out="$tmp/term.h5"
campaign 2 "$out" > "$tmp/term.out" 2>&1 &
launcher=$!
# signal once the farm is under way (its first segment is written), however fast this machine is
for _ in $(seq 600); do ls "$out.segments"/*.h5 > /dev/null 2>&1 && break; sleep 0.05; done
started=$SECONDS
kill -TERM $(rank_pids "$out") 2> /dev/null
wait $launcher
code=$?
check "SIGTERM: exit status 3 (stopped, resumable), got $code" "[ $code -eq 3 ]"
check "SIGTERM: stopped within the grace period" "[ $((SECONDS - started)) -le 10 ]"
check "SIGTERM: no database yet" "[ ! -e '$out' ]"
check "SIGTERM: says how to go on" "grep -q 'resume' '$tmp/term.out'"
campaign 2 "$out" --resume > "$tmp/term2.out" 2>&1
check "SIGTERM then --resume completes" "[ $? -eq 0 ]"
check "SIGTERM then --resume: the same database" "same_database '$tmp/one.h5' '$out'"

# a resume with other settings is refused
campaign 1 "$tmp/other.h5" > /dev/null 2>&1 &
launcher=$!
sleep 1
kill -KILL $(rank_pids "$tmp/other.h5") 2> /dev/null
end_job $launcher "$tmp/other.h5"
if [ -d "$tmp/other.h5.segments" ] && ls "$tmp/other.h5.segments"/*.h5 > /dev/null 2>&1; then
  campaign 1 "$tmp/other.h5" --resume --set sample.seed=8 > /dev/null 2> "$tmp/other.err"
  check "resume with another seed is refused (exit 2)" "[ $? -eq 2 ] && grep -q 'other settings' '$tmp/other.err'"
fi

echo "$((checks - failures)) of $checks checks passed"
[ $failures -eq 0 ]
