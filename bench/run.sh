#!/usr/bin/env bash
# Times skystream's Avro codec next to fastavro on the same alert bodies and prints a table.
#
# Usage: bench/run.sh [REPETITIONS]   (default 5; each time is the best of that many passes)
#
# Inputs, written under build-bench/bench-data:
#   simulated    one visit of 10,000 alerts of schema 11.0 from `skystream simulate` with its
#                defaults: a year of history and three 70 x 70 pixel cutouts, about 77 KB per
#                alert on average (first detections and solar-system alerts have no history)
#   realistic    10,000 copies of an ~80 KB alert built from the official 11.0 sample with 30
#                prvDiaSources, 30 prvDiaForcedSources and three cutouts cut from the FITS
#                stamps in ../shared/rubin/stamps (override with STAMPS=DIR): real image data,
#                and every alert the same size
# ALERTS=N changes the number of alerts. Each set takes about 800 MB of disk, and as much
# again for its extracted bodies.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=${SKYSTREAM_BENCH_BUILD:-$root/build-bench}
data=$build/bench-data
python=${SKYSTREAM_PYTHON:-$root/.venv/bin/python}
stamps=${STAMPS:-$root/../shared/rubin/stamps}
alerts=${ALERTS:-10000}
repetitions=${1:-5}

cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DSKYSTREAM_BUILD_BENCH=ON \
  >/dev/null
ninja -C "$build" skystream skystream_bench >/dev/null
mkdir -p "$data"

schema_root=$("$python" -c \
  'import lsst.alert.packet as p, os; print(os.path.dirname(p.__file__) + "/schema")')
"$build/skystream" simulate --schema-version 11.0 --visits 1 --alerts-per-visit "$alerts" \
  --out "$data/simulated" 2>/dev/null
"$build/bench/skystream_bench" realistic --sample "$schema_root/11/0/sample_data/fakeAlert.avro" \
  --stamps "$stamps" --alerts "$alerts" --out "$data/realistic.avro" >/dev/null

echo "date:    $(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "fastavro $("$python" -c 'import fastavro; print(fastavro.__version__)'), best of" \
  "$repetitions passes per operation"
echo

for name in simulated realistic; do
  file=$data/$name.avro
  [ "$name" = simulated ] && file=$data/simulated/visit-000001.avro
  "$build/bench/skystream_bench" measure --file "$file" --repetitions "$repetitions" \
    --bodies-out "$data/$name.bodies" >"$data/$name-skystream.jsonl"
  "$python" "$root/bench/fastavro_bench.py" "$file" "$data/$name.bodies" "$repetitions" \
    >"$data/$name-fastavro.jsonl"
  "$python" "$root/bench/table.py" "$name" "$data/$name-skystream.jsonl" \
    "$data/$name-fastavro.jsonl"
done
