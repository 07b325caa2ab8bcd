#!/usr/bin/env bash
# Times Panamax against its peers (OpenBLAS, DJL, ND4J, ONNX Runtime) on the same inputs and prints a table.
# Usage: [BENCH_PROFILES=djl,nd4j,ort] bench/compare.sh [--threads 1,2] [--cases gemm,conv] [--peers djl] [--reps N]
# (see bench/README.md). BENCH_PROFILES names the Maven profiles of the peers to build (default: those built
# before). Extra JVM flags for Panamax go in PANAMAX_JVM_OPTS, e.g. PANAMAX_JVM_OPTS=-XX:UseAVX=2.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

java_feature() { # prints the feature release of the java at $1 (e.g. 25), or nothing
    "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = \([0-9]*\).*/\1/p'
}

find_jdk() {
    if [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" && "$(java_feature "$JAVA_HOME/bin/java")" -ge 25 ]]; then
        echo "$JAVA_HOME"
        return
    fi
    for candidate in /usr/lib/jvm/*25*; do
        if [[ -x "$candidate/bin/java" && "$(java_feature "$candidate/bin/java")" -ge 25 ]]; then
            echo "$candidate"
            return
        fi
    done
    echo "bench/compare.sh: no JDK 25 found; set JAVA_HOME to one (e.g. Eclipse Temurin 25)" >&2
    exit 1
}

export JAVA_HOME="$(find_jdk)"
jar=bench/target/benchmarks.jar
if [[ -z "${BENCH_PROFILES+set}" ]]; then
    BENCH_PROFILES=$(for p in djl nd4j ort; do if [[ -f bench/target/peers/$p.classpath ]]; then printf '%s,' "$p"; fi; done)
fi
profiles=${BENCH_PROFILES%,}
missing_profile=$(for p in ${profiles//,/ }; do [[ -f bench/target/peers/$p.classpath ]] || echo "$p"; done)
if [[ ! -f "$jar" || -n "$missing_profile" \
      || -n "$(find java/src/main bench/src bench/pom.xml java/pom.xml pom.xml -newer "$jar" -print -quit)" ]]; then
    echo "building $jar${profiles:+ with the profiles $profiles} ..." >&2
    mvn -q -pl bench -am package -DskipTests ${profiles:+-P$profiles} >&2
fi

# Same glibc allocator settings for every peer (each worker JVM inherits them): freed blocks stay mapped,
# so no peer pays page faults that another does not (see shared/notes/peers.md).
export MALLOC_MMAP_THRESHOLD_=33554432 MALLOC_TRIM_THRESHOLD_=4294967296 MALLOC_TOP_PAD_=268435456

# shellcheck disable=SC2086  # PANAMAX_JVM_OPTS is a list of flags
exec "$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED \
    ${PANAMAX_JVM_OPTS:-} -cp "$jar" dev.panamax.bench.compare.CompareMain "$@"
