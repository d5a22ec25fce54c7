#!/usr/bin/env bash
# `legocryst train` and `sample` on a small training set of the built-in structures, for the VAE, the GAN and the
# Transformer:
# the loss curve on 2 ranks equals the one on 1 rank (same global batch and seed), weights identical on all ranks,
# a resumed run continues exactly as the uninterrupted one, and sampled rows do not depend on the rank count; an
# Inf in the training rows stops training with the step and tensor named and the last good state written.
# usage: test_train.sh LEGOCRYST MPIEXEC SOURCE_DIR POISON_ROW
set -u
bin=$1 mpiexec=$2 src=$3 poison=$4
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0 checks=0
check() { checks=$((checks + 1)); if ! eval "$2"; then echo "FAIL: $1"; failures=$((failures + 1)); fi; }

"$bin" prepare "$src/inputs/prepare_demo.ini" --quiet --set prepare.output="$tmp/set.h5" > /dev/null
check "prepare the demo training set" "[ -s '$tmp/set.h5' ]"

# the loss columns of two metrics files agree to a relative 1e-4 (float summation order differs across ranks)
same_curve() {
  awk -F, 'NR == FNR { for (i = 2; i <= NF - 2; i++) a[FNR, i] = $i; next }
           FNR > 1 { for (i = 2; i <= NF - 2; i++) { d = a[FNR, i] - $i; if (d < 0) d = -d;
                     s = a[FNR, i] < 0 ? -a[FNR, i] : a[FNR, i]; if (d > 1e-4 * (s > 1 ? s : 1)) bad = 1 } }
           END { exit bad }' "$1" "$2"
}

for model in vae gan transformer; do
  cat > "$tmp/$model.ini" <<DECK
[train]
training_set = $tmp/set.h5
model = $model
epochs = 4
batch = 40
hidden = 32
latent = 8
width = 32
layers = 1
heads = 2
checkpoint_every = 2
[sample]
rows = 120
DECK
  run() { # run NAME RANKS EXTRA...
    local name=$1 ranks=$2; shift 2
    "$mpiexec" -n "$ranks" --oversubscribe "$bin" train "$tmp/$model.ini" --quiet \
      --set train.checkpoint="$tmp/${model}_$name.h5" --set train.metrics="$tmp/${model}_$name.csv" "$@" \
      > "$tmp/${model}_$name.out" 2>&1
  }
  run one 1
  check "$model: train on 1 rank exits 0" "[ $? -eq 0 ]"
  run two 2
  check "$model: train on 2 ranks exits 0" "[ $? -eq 0 ]"
  check "$model: 4 epochs in the metrics" "[ \$(wc -l < '$tmp/${model}_one.csv') -eq 5 ]"
  check "$model: 2-rank loss curve equals the 1-rank curve" "same_curve '$tmp/${model}_one.csv' '$tmp/${model}_two.csv'"
  check "$model: losses finite" "! grep -qi 'nan\|inf' '$tmp/${model}_one.csv'"

  # resume: 2 epochs, then continue to 4 from the checkpoint; on 1 rank the curves match exactly
  run part 1 --set train.epochs=2
  "$mpiexec" -n 1 "$bin" train "$tmp/$model.ini" --quiet --set train.checkpoint="$tmp/${model}_part.h5" \
    --set train.metrics="$tmp/${model}_part.csv" --set train.resume=true > /dev/null 2>&1
  check "$model: resumed run exits 0" "[ $? -eq 0 ]"
  losses_only() { awk -F, -v OFS=, '{ NF -= 2; print }' "$1"; } # drop seconds and rows/s
  check "$model: resumed loss curve equals the uninterrupted one" \
        "cmp -s <(losses_only '$tmp/${model}_one.csv') <(losses_only '$tmp/${model}_part.csv')"
  check "$model: resumed weights equal the uninterrupted ones" \
        "h5diff -q '$tmp/${model}_one.h5' '$tmp/${model}_part.h5' /model"

  # sampling: the same rows on 1 and 2 ranks
  for ranks in 1 2; do
    "$mpiexec" -n $ranks --oversubscribe "$bin" sample "$tmp/$model.ini" --quiet \
      --set sample.checkpoint="$tmp/${model}_one.h5" --set sample.output="$tmp/${model}_s$ranks.h5" \
      --set sample.training_set="$tmp/set.h5" > "$tmp/${model}_s$ranks.out" 2>&1
    check "$model: sample on $ranks rank(s) exits 0" "[ $? -eq 0 ]"
  done
  check "$model: sampled rows identical on 1 and 2 ranks" "h5diff -q '$tmp/${model}_s1.h5' '$tmp/${model}_s2.h5' /rows"
  check "$model: sample reports the decodable fraction" "grep -q '^sample: 120 rows, [0-9]* decodable' '$tmp/${model}_s1.out'"
done

# an Inf in a one-hot column of one training row: the gradient of the step that meets it is not finite, so that
# update is skipped, training stops with exit 2 naming the step and tensor, and the checkpoint holds the finite
# parameters of the steps before (on 2 ranks, which must stop together)
cp "$tmp/set.h5" "$tmp/poisoned.h5"
"$poison" "$tmp/poisoned.h5" encoded 7 0
check "poison one value" "[ $? -eq 0 ]"
for model in vae gan; do
  "$mpiexec" -n 2 --oversubscribe "$bin" train "$tmp/$model.ini" --quiet --set train.training_set="$tmp/poisoned.h5" \
    --set train.checkpoint="$tmp/${model}_stopped.h5" --set train.metrics="$tmp/${model}_stopped.csv" > /dev/null 2> "$tmp/err"
  check "$model: non-finite gradient stops training with exit 2" "[ $? -eq 2 ]"
  check "$model: the message names the step and the tensor" \
        "grep -q 'non-finite gradient at epoch 1 step [0-9]* (global step [0-9]*) in [a-z]* tensor [0-9]*; the last good state is in' '$tmp/err'"
  step=$(sed -n 's/.*(global step \([0-9]*\)).*/\1/p' "$tmp/err" | head -1)
  check "$model: the checkpoint is at the last good step ($step)" \
        "h5dump -a /step '$tmp/${model}_stopped.h5' | grep -q '(0): $step\$'"
  check "$model: the checkpoint's parameters are finite" "! h5dump -g /model '$tmp/${model}_stopped.h5' | grep -qi 'nan\|inf'"
done

# a batch the GAN cannot split into whole packs per rank is a user error
"$bin" train "$tmp/gan.ini" --quiet --set train.batch=45 > /dev/null 2> "$tmp/err"
check "GAN batch not a multiple of 10 is refused with exit 2" "[ $? -eq 2 ] && grep -q 'multiple of' '$tmp/err'"

echo "$((checks - failures)) passed, $failures failed"
[ $failures -eq 0 ]
