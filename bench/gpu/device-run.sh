#!/usr/bin/env bash
# On the GPU machine, in one device call carrying .gpu (staged by bench/gpu/stage.sh):
#   bash bench/gpu/device-run.sh [tests|bench|train|all]          (default: all)
# prints `panamax info`, runs the gpu-tagged JUnit tests, then the speed table: Panamax (GpuBench)
# and PyTorch (torch_bench.py, the machine's python3) on the same cases in the same call, and
# prints the ratios; then `panamax train --device cuda` on the embedded Fashion-MNIST sample (the
# full set does not fit in what a device call carries), a resume on the GPU and an eval on the CPU.
# Logs and the table go to $OUT (default /tmp/panamax-gpu); a JVM crash leaves its hs_err file
# there too. TEST_TIMEOUT and BENCH_TIMEOUT bound those stages.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
out=${OUT:-/tmp/panamax-gpu}
mkdir -p "$out"
what=${1:-all}
export JAVA_OPTS="${JAVA_OPTS:-} -XX:ErrorFile=$out/hs_err.log"
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
bash .gpu/java.sh -cp "$(cat .gpu/cp)" dev.panamax.cli.Main info 2>&1 | tee "$out/info.txt"

if [[ $what == all || $what == tests ]]; then
  SECONDS=0
  OUT= timeout "${TEST_TIMEOUT:-240}" bash .gpu/run.sh >"$out/gpu-tests.log" 2>&1
  echo "gpu tests: exit $? in ${SECONDS} s (log $out/gpu-tests.log)"
  grep -E 'tests (successful|failed|aborted|skipped)|✘' "$out/gpu-tests.log" | head -60
fi

if [[ $what == all || $what == bench ]]; then
  timeout "${BENCH_TIMEOUT:-120}" bash .gpu/java.sh -cp "$(cat .gpu/cp)" dev.panamax.bench.gpu.GpuBench >"$out/panamax.tsv" 2>"$out/bench.err"
  echo "panamax bench: exit $?"
  timeout "${BENCH_TIMEOUT:-120}" python3 bench/gpu/torch_bench.py >"$out/torch.tsv" 2>>"$out/bench.err"
  echo "pytorch bench: exit $?"
  tail -30 "$out/bench.err"
  grep '^#' "$out/torch.tsv" "$out/panamax.tsv"
  # case -> (PyTorch, Panamax, ratio against the issue's target)
  awk -F'\t' '
    BEGIN {
      target["matmul_4096_fp32"] = 1.05; target["matmul_4096_tf32"] = 1.05
      target["conv_fwd"] = 1.05; target["conv_fwd_bwd"] = 1.05
      target["batchnorm_train_fwd_bwd"] = 1.1; target["maxpool_fwd"] = 1.1; target["relu_64Mi"] = 1.05
      target["lstm_fwd"] = 1.05; target["sdpa_fwd"] = 1.2; target["sdpa_fwd_bwd"] = 1.2
      target["nms_10k"] = 1.1; target["nms_50k"] = 1.1; target["roi_align_fwd"] = 1.1; target["roi_align_fwd_bwd"] = 1.1
      target["frcnn_r50fpn_fwd_800"] = 1.1
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

if [[ $what == all || $what == train ]]; then
  panamax=(bash .gpu/java.sh -cp "$(cat .gpu/cp)" dev.panamax.cli.Main)
  run=/tmp/panamax-gpu-run
  { timeout 120 "${panamax[@]}" train --device cuda --epochs 3 --batch-size 128 --out $run/first
    timeout 60 "${panamax[@]}" train --device cuda --epochs 4 --batch-size 128 --resume $run/first/last.safetensors --out $run/resumed
    timeout 60 "${panamax[@]}" eval $run/resumed/last.safetensors; } 2>&1 | grep -v '^WARNING' >"$out/train.log"
  grep -vE '^\s*(step|\[)' "$out/train.log" | tail -40
fi
