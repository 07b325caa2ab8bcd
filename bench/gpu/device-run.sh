#!/usr/bin/env bash
# On the GPU machine, in one device call carrying .gpu (staged by bench/gpu/stage.sh):
#   bash bench/gpu/device-run.sh [tests|bench|all]          (default: all)
# runs the gpu-tagged JUnit tests, then the speed table: Panamax (GpuBench) and PyTorch
# (torch_bench.py, the machine's python3) on the same cases in the same call, and prints
# the ratios. Logs, the JUnit reports and both raw tables go to $OUT (default /tmp/panamax-gpu).
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
out=${OUT:-/tmp/panamax-gpu}
mkdir -p "$out"
what=${1:-all}
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader | tee "$out/gpu.txt"

if [[ $what == all || $what == tests ]]; then
  OUT=$out timeout 420 bash .gpu/run.sh >"$out/gpu-tests.log" 2>&1
  echo "gpu tests: exit $? (log $out/gpu-tests.log, reports $out/junit)"
  grep -E 'tests (successful|failed|aborted)|✘' "$out/gpu-tests.log" | head -40
fi

if [[ $what == all || $what == bench ]]; then
  timeout 240 bash .gpu/java.sh -cp "$(cat .gpu/cp)" dev.panamax.bench.gpu.GpuBench >"$out/panamax.tsv" 2>"$out/panamax.err"
  echo "panamax bench: exit $?"
  timeout 240 python3 bench/gpu/torch_bench.py >"$out/torch.tsv" 2>"$out/torch.err"
  echo "pytorch bench: exit $?"
  grep '^#' "$out/torch.tsv" "$out/panamax.tsv"
  # case -> (PyTorch, Panamax, ratio against the issue's target)
  awk -F'\t' '
    BEGIN {
      target["matmul_4096_fp32"] = 1.05; target["matmul_4096_tf32"] = 1.05
      target["conv_fwd"] = 1.05; target["conv_fwd_bwd"] = 1.05
      target["batchnorm_train_fwd_bwd"] = 1.1; target["maxpool_fwd"] = 1.1; target["relu_64Mi"] = 1.05
      print "| work | PyTorch | Panamax | ratio | target |"
      print "|---|---|---|---|---|"
    }
    /^#/ { next }
    FNR == NR { torch[$1] = $2; next }
    {
      unit = $1 == "tiny_relu_host_us" ? " µs" : " ms"
      ratio = torch[$1] > 0 ? sprintf("%.2f×", $2 / torch[$1]) : "?"
      goal = $1 == "tiny_relu_host_us" ? "≤ 4 µs" : sprintf("≤ %.2f×", target[$1])
      printf "| %s | %.4g%s | %.4g%s | %s | %s |\n", $1, torch[$1], unit, $2, unit, ratio, goal
    }' "$out/torch.tsv" "$out/panamax.tsv" | tee "$out/table.md"
fi
