"""Print skystream's and fastavro's timings side by side, with ratios and targets.

Usage: table.py TITLE SKYSTREAM_JSONL FASTAVRO_JSONL

Each input has one JSON line per operation, as skystream_bench measure and fastavro_bench.py
print them. A ratio is skystream's alerts/s over fastavro's alerts/s for the reference
operation named in ROWS; projected decode is compared with fastavro's full decode, because
fastavro has no projection.
"""

import json
import sys

# skystream operation, label, fastavro reference operation, target ratio
ROWS = [
    ("projected_decode", "projected decode (diaSource.snr, psfFlux)", "full_decode", 50),
    ("full_decode", "full decode (decode_exact)", "full_decode", 3),
    ("full_decode_into", "full decode into a reused Value", "full_decode", 3),
    ("encode", "encode", "encode", 3),
]


def load(path):
    with open(path) as handle:
        return {row["operation"]: row for row in map(json.loads, handle)}


def rates(row):
    seconds = row["seconds"]
    return row["alerts"] / seconds, row["bytes"] / seconds / 1e6


def main(argv):
    title, ours, theirs = argv[1], load(argv[2]), load(argv[3])
    first = next(iter(ours.values()))
    mean_kb = ours["full_decode"]["bytes"] / first["alerts"] / 1000
    print(f"{title}: {first['alerts']} alerts, mean body {mean_kb:.1f} KB")
    header = (f"{'operation':44} {'skystream alerts/s':>18} {'MB/s':>8}"
              f" {'fastavro alerts/s':>18} {'MB/s':>8} {'ratio':>8} {'target':>7}")
    print(header)
    print("-" * len(header))
    for operation, label, reference, target in ROWS:
        ours_rate, ours_mb = rates(ours[operation])
        theirs_rate, theirs_mb = rates(theirs[reference])
        ratio = ours_rate / theirs_rate
        verdict = "met" if ratio >= target else "MISSED"
        print(f"{label:44} {ours_rate:18,.0f} {ours_mb:8,.1f} {theirs_rate:18,.0f}"
              f" {theirs_mb:8,.1f} {ratio:7,.1f}x {'>=' + str(target) + 'x':>7} {verdict}")
    print()


if __name__ == "__main__":
    main(sys.argv)
