#!/usr/bin/env bash
# Compiles src/kernels.cu (every kernel family) into one fatbin with nvcc, for the jar:
#   OUT/panamax.fatbin      cubins for sm_80 and sm_90, PTX (compute_90) for newer GPUs
#   OUT/kernels.properties  what was built, or why nothing was (read by backend.cuda)
# nvcc is taken from -Dnvcc=PATH (NVCC here), else PATH, else $CUDA_HOME/bin. Without one the
# build goes on without kernels and says so; the CUDA backend then reports itself unavailable.
set -euo pipefail
out=${1:?usage: build-kernels.sh OUT_DIR}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out"
props=$out/kernels.properties

nvcc=${NVCC:-}
[ -z "$nvcc" ] && nvcc=$(command -v nvcc || true)
[ -z "$nvcc" ] && [ -n "${CUDA_HOME:-}" ] && [ -x "$CUDA_HOME/bin/nvcc" ] && nvcc=$CUDA_HOME/bin/nvcc
if [ -z "$nvcc" ]; then
  reason="panamax-native was built without nvcc (none on PATH, none in CUDA_HOME=${CUDA_HOME:-unset}), so this jar has no CUDA kernels; rebuild with the CUDA toolkit installed"
  echo "[WARNING] panamax-native: no nvcc found: building without CUDA kernels" >&2
  rm -f "$out/panamax.fatbin"
  printf '# written by build-kernels.sh\nkernels=absent\nreason=%s\n' "$reason" > "$props"
  exit 0
fi

release=$("$nvcc" --version | sed -n 's/.*release \([0-9]*\.[0-9]*\).*/\1/p')
fatbin=$out/panamax.fatbin
if [ -f "$fatbin" ] && [ -f "$props" ] && grep -q '^kernels=present' "$props" &&
   [ -z "$(find "$here/src" "$0" -newer "$fatbin" -print -quit)" ]; then
  echo "panamax-native: $fatbin is up to date"
  exit 0
fi
archs=(-gencode arch=compute_80,code=sm_80 -gencode 'arch=compute_90,code=[sm_90,compute_90]')
# --fmad=false: no fused multiply-adds where Java rounds twice, so the GPU computes the CPU's bits
# (Philox's floats above all); the kernels are memory-bound, so it costs nothing that matters.
start=$(date +%s)
"$nvcc" -fatbin --threads 0 --fmad=false -std=c++17 "${archs[@]}" "$here/src/kernels.cu" -o "$fatbin"
echo "panamax-native: built $fatbin with nvcc $release ($nvcc) in $(( $(date +%s) - start )) s"
cat > "$props" <<PROPS
# written by build-kernels.sh
kernels=present
cuda=$release
nvcc=$nvcc
archs=sm_80,sm_90,compute_90
PROPS
