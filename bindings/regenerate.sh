#!/usr/bin/env bash
# Regenerates every file under src/main/java/dev/panamax/bindings (and the header versions in
# src/main/resources) with jextract, from the .args files in jextract/. The only way files here
# change: never edit the generated code by hand.
#
#   bindings/regenerate.sh JEXTRACT HEADER_DIR...
#     JEXTRACT    the jextract launcher (../shared/jextract/build.sh builds one)
#     HEADER_DIR  folders holding cuda_runtime_api.h, cuda.h, cublas_v2.h and cudnn.h (passed
#                 to jextract as -I, in this order), e.g. /usr/local/cuda/include and the
#                 folders ../shared/jextract/headers.sh prints
set -euo pipefail
jextract=${1:?usage: regenerate.sh JEXTRACT HEADER_DIR...}
shift
[ $# -ge 1 ] || { echo "regenerate.sh: give the folders that hold the CUDA, cuBLAS and cuDNN headers" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
src=$here/src/main/java
includes=()
for d in "$@"; do includes+=(-I "$d"); done

# the first folder that holds a header, or a clear failure
find_header() {
  local name=$1 dir
  shift
  for dir in "$@"; do
    [ -f "$dir/$name" ] && { echo "$dir/$name"; return 0; }
  done
  echo "regenerate.sh: $name is in none of: $*" >&2
  return 1
}

# the value of '#define NAME value' in a header
define() { sed -n "s/^#define $2[[:space:]]\{1,\}\([0-9]\{1,\}\).*/\1/p" "$1" | head -n 1; }

declare -A header=([cudart]=cuda_runtime_api.h [cuda]=cuda.h [cublas]=cublas_v2.h [cudnn]=cudnn.h)
for lib in cudart cuda cublas cudnn; do
  find_header "${header[$lib]}" "$@" >/dev/null
  rm -rf "${src:?}/dev/panamax/bindings/$lib"
  "$jextract" "${includes[@]}" --output "$src" @"$here/jextract/$lib.args" "<${header[$lib]}>"
  echo "regenerate.sh: $lib: $(find "$src/dev/panamax/bindings/$lib" -name '*.java' | wc -l) files"
done

cuda_h=$(find_header cuda.h "$@")
cublas_h=$(find_header cublas_api.h "$@")
cudnn_h=$(find_header cudnn_version.h "$@")
cuda=$(define "$cuda_h" CUDA_VERSION)
res=$here/src/main/resources/dev/panamax/bindings
mkdir -p "$res"
cat > "$res/headers.properties" <<PROPS
# The header versions the bindings were generated from (written by regenerate.sh).
cuda=$((cuda / 1000)).$((cuda % 1000 / 10))
cublas=$(define "$cublas_h" CUBLAS_VER_MAJOR).$(define "$cublas_h" CUBLAS_VER_MINOR).$(define "$cublas_h" CUBLAS_VER_PATCH)
cudnn=$(define "$cudnn_h" CUDNN_MAJOR).$(define "$cudnn_h" CUDNN_MINOR).$(define "$cudnn_h" CUDNN_PATCHLEVEL)
PROPS
cat "$res/headers.properties"
