#!/usr/bin/env bash
# Training throughput (rows/s) of legocryst's VAE and GAN against the same networks in PyTorch on the CPU, same
# training set, batch 500, hidden 512, latent 128 and thread count, measured in one run.
# usage: benchmarks/compare_torch.sh LEGOCRYST TRAINING.h5 [THREADS] [TORCH_STEPS]
# Needs Debian's python3-torch and python3-h5py; PyTorch uses the BLAS the alternatives point to (OpenBLAS here).
set -euo pipefail
bin=$1 training=$2 threads=${3:-1} steps=${4:-40}
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export OPENBLAS_NUM_THREADS=$threads OMP_NUM_THREADS=$threads
echo "threads $threads; OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-auto}; $(nproc --all) cores; $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
for model in vae gan; do
  printf '[train]\ntraining_set = %s\nmodel = %s\nepochs = 1\nblas_threads = %s\ncheckpoint = %s\nmetrics = %s\n' \
    "$training" "$model" "$threads" "$tmp/$model.h5" "$tmp/$model.csv" > "$tmp/$model.ini"
  "$bin" train "$tmp/$model.ini" --quiet
  ours=$(tail -n 1 "$tmp/$model.csv" | awk -F, '{ printf "%.0f", $NF }')
  theirs=$(/usr/bin/python3 "$here/torch_train.py" "$training" "$model" "$threads" "$steps" | tee /dev/stderr |
           sed 's/.*: \([0-9]*\) rows\/s.*/\1/')
  echo "$model: legocryst $ours rows/s (one epoch), PyTorch $theirs rows/s: ratio $(awk -v a="$ours" -v b="$theirs" 'BEGIN { printf "%.2f", a / b }')"
done
