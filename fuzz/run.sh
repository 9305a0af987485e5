#!/usr/bin/env bash
# Builds the libFuzzer targets with clang and runs each for a bounded time.
#
# Usage: fuzz/run.sh [SECONDS]   (default 60 seconds per target)
#
# The targets are built in build-fuzz with clang-19 (override with CLANG and CLANGXX), the
# address and undefined-behaviour sanitizers and libFuzzer. Seeds come from the official
# Rubin samples (fuzz/make_seeds.py). Corpora grow in build-fuzz/fuzz-work/corpus across runs.
# An input that crashes, hangs or exhausts memory is copied to tests/data/fuzz-regressions/
# as <target>-<libFuzzer's file name>, where the unit tests replay it. Exits 1 when a target
# found such an input.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=${SKYSTREAM_FUZZ_BUILD:-$root/build-fuzz}
python=${SKYSTREAM_PYTHON:-$root/.venv/bin/python}
seconds=${1:-60}
work=$build/fuzz-work
regressions=$root/tests/data/fuzz-regressions
targets=(fuzz_decode fuzz_decode_into fuzz_projection fuzz_container)

CC=${CLANG:-clang-19} CXX=${CLANGXX:-clang++-19} cmake -S "$root" -B "$build" -G Ninja \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSKYSTREAM_BUILD_FUZZ=ON >/dev/null
ninja -C "$build" "${targets[@]}" >/dev/null

schema_root=$("$python" -c \
  'import lsst.alert.packet as p, os; print(os.path.dirname(p.__file__) + "/schema")')
rm -rf "$work/seeds"
"$python" "$root/fuzz/make_seeds.py" "$schema_root" "$work/seeds"

status=0
for target in "${targets[@]}"; do
  seeds=$work/seeds/alert
  [ "$target" = fuzz_container ] && seeds=$work/seeds/container
  corpus=$work/corpus/$target
  artifacts=$work/artifacts/$target
  rm -rf "$artifacts"
  mkdir -p "$corpus" "$artifacts"

  # libFuzzer adds new inputs to the first folder and only reads the seed folder.
  if ! "$build/fuzz/$target" "$corpus" "$seeds" -max_total_time="$seconds" -timeout=10 \
    -rss_limit_mb=2048 -artifact_prefix="$artifacts/" -print_final_stats=1 \
    >"$work/$target.log" 2>&1; then
    status=1
  fi

  runs=$(grep -m1 -o 'stat::number_of_executed_units: [0-9]*' "$work/$target.log" |
    grep -o '[0-9]*$' || echo "?")
  echo "$target: $runs runs in ${seconds} s, corpus $(ls "$corpus" | wc -l) inputs"
  for artifact in "$artifacts"/*; do
    [ -e "$artifact" ] || continue
    name=$target-$(basename "$artifact")
    cp "$artifact" "$regressions/$name"
    echo "$target: saved $regressions/$name (log: $work/$target.log)"
  done
done
exit "$status"
