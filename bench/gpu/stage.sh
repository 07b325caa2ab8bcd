#!/usr/bin/env bash
# Here (no GPU needed): builds everything and stages it in .gpu/ for the GPU machine.
#   bench/gpu/stage.sh
# then, in one device call carrying .gpu:  bash bench/gpu/device-run.sh
# Maven 3.8 resolves a sibling module for ../shared/gpu/stage.sh's dependency:copy-dependencies only
# from ~/.m2, hence install rather than package (it failed the same way for bench -> panamax before).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
mvn -q -B -DskipTests install
# jdk.zipfs: JUnit's class-path scan opens the staged jars as file systems; java.desktop: train draws curves.png
modules=jdk.zipfs,java.desktop
[[ $(cat .gpu/jre-modules 2>/dev/null) == "$modules" ]] || rm -f .gpu/jre.tgz # a runtime staged with other modules is rebuilt
GPU_JRE_EXTRA_MODULES=$modules "$root/../shared/gpu/stage.sh"
echo "$modules" >.gpu/jre-modules
grep -q '^kernels=present' native/target/classes/dev/panamax/native/kernels.properties ||
  { echo "stage.sh: native/target has no CUDA kernels (was nvcc found?); the GPU run would report the backend unavailable" >&2; exit 1; }
