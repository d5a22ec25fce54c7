#!/usr/bin/env bash
# Training throughput (rows/s) of legocryst's VAE and GAN against the same networks in PyTorch on the CPU, same
# training set, batch 500, hidden 512, latent 128 and thread count, measured in one run; with RANKS > 1 also
# legocryst on RANKS MPI ranks (the same global batch, THREADS threads each). The programs take turns, REPEATS
# times (a shared machine's speed drifts), and the medians are compared.
# usage: benchmarks/compare_torch.sh LEGOCRYST TRAINING.h5 [THREADS] [TORCH_STEPS] [RANKS] [REPEATS]
#   legocryst trains one epoch (125 steps of 500 rows on the sp2 set); PyTorch TORCH_STEPS steps (default 125).
# Needs Debian's python3-torch and python3-h5py; PyTorch uses the BLAS the alternatives point to (OpenBLAS here).
set -euo pipefail
bin=$1 training=$2 threads=${3:-1} steps=${4:-125} ranks=${5:-1} repeats=${6:-3}
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export OPENBLAS_NUM_THREADS=$threads OMP_NUM_THREADS=$threads
echo "threads $threads; OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-auto}; $(nproc --all) cores; $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); $("$bin" version | head -n 1)"
median() { tr ' ' '\n' | sed '/^$/d' | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
for model in vae gan; do
  printf '[train]\ntraining_set = %s\nmodel = %s\nepochs = 1\nblas_threads = %s\ncheckpoint = %s\nmetrics = %s\n' \
    "$training" "$model" "$threads" "$tmp/$model.h5" "$tmp/$model.csv" > "$tmp/$model.ini"
  ours='' theirs='' many=''
  for (( r = 1; r <= repeats; r++ )); do
    rm -f "$tmp/$model.csv"
    "$bin" train "$tmp/$model.ini" --quiet
    ours+=" $(tail -n 1 "$tmp/$model.csv" | awk -F, '{ printf "%.0f", $NF }')"
    theirs+=" $(/usr/bin/python3 "$here/torch_train.py" "$training" "$model" "$threads" "$steps" |
                sed 's/.*: \([0-9]*\) rows\/s.*/\1/')"
    if (( ranks > 1 )); then
      rm -f "$tmp/$model.csv"
      mpiexec -n "$ranks" --bind-to core "$bin" train "$tmp/$model.ini" --quiet
      many+=" $(tail -n 1 "$tmp/$model.csv" | awk -F, '{ printf "%.0f", $NF }')"
    fi
  done
  o=$(echo "$ours" | median) t=$(echo "$theirs" | median)
  echo "$model: legocryst rows/s:$ours (median $o); PyTorch rows/s:$theirs (median $t); ratio of medians $(ratio "$o" "$t")"
  if (( ranks > 1 )); then
    m=$(echo "$many" | median)
    echo "$model: legocryst on $ranks ranks rows/s:$many (median $m): $(ratio "$m" "$o")x one rank, efficiency $(awk -v a="$m" -v b="$o" -v r="$ranks" 'BEGIN { printf "%.2f", a / b / r }')"
  fi
done
