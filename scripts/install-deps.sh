#!/usr/bin/env bash
# Installs the Debian 12 packages legocryst needs to build and test. Idempotent: when every package is already
# installed it changes nothing and does not touch the network.
#   bash scripts/install-deps.sh            build + test dependencies
#   bash scripts/install-deps.sh --fuzz     also clang and its runtime for the libFuzzer targets
set -euo pipefail

packages=(
  build-essential cmake pkg-config            # toolchain
  openmpi-bin libopenmpi-dev                  # MPI
  libhdf5-openmpi-dev hdf5-tools              # parallel HDF5; h5diff for tests
  libsymspg-dev                               # spglib
  petsc-dev                                   # PETSc 3.18 with TAO
  libopenblas-dev                             # BLAS
  librandom123-dev                            # Philox counter-based RNG (headers)
  libcodcif-dev libcexceptions-dev            # COD CIF parser (needs cexceptions, not pulled in by Debian)
  libinih-dev                                 # INI parser for the input deck
  zlib1g-dev                                  # DEFLATE and CRC-32 for the report's PNG plots
  python3 python3-numpy python3-ase python3-pymatgen python3-spglib   # peers used by tests, never by legocryst
  python3-matplotlib                          # scripts/plot_metrics.py: training metrics CSV -> PNG
)
if [[ "${1:-}" == "--fuzz" ]]; then
  packages+=(clang libclang-rt-14-dev)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
  echo "install-deps: all ${#packages[@]} packages already installed"
  exit 0
fi

sudo=""
if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi
echo "install-deps: installing ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
