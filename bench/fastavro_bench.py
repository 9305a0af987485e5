"""Time fastavro on the alert bodies that skystream_bench wrote, as the reference for run.sh.

Usage: fastavro_bench.py CONTAINER_FILE BODIES_FILE REPETITIONS

CONTAINER_FILE supplies the writer schema. BODIES_FILE contains the bodies, each as a 4-byte
little-endian length and the Avro body. The script prints one JSON line per operation: full
decode with schemaless_reader, and encode with schemaless_writer cycling through the first 100
decoded alerts, as skystream_bench does. Each time is the best of REPETITIONS passes.
"""

import io
import json
import struct
import sys
import time

import fastavro

ENCODE_SET_SIZE = 100


def read_bodies(path):
    with open(path, "rb") as handle:
        data = handle.read()
    bodies, offset = [], 0
    while offset < len(data):
        (length,) = struct.unpack_from("<I", data, offset)
        bodies.append(data[offset + 4 : offset + 4 + length])
        offset += 4 + length
    return bodies


def best_of(repetitions, run):
    best = float("inf")
    for _ in range(repetitions):
        start = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - start)
    return best


def report(operation, alerts, size, seconds):
    print(json.dumps({"tool": "fastavro", "operation": operation, "alerts": alerts,
                      "bytes": size, "seconds": seconds}))


def main(argv):
    container, bodies_file, repetitions = argv[1], argv[2], int(argv[3])
    with open(container, "rb") as handle:
        schema = fastavro.parse_schema(fastavro.reader(handle).writer_schema)
    bodies = read_bodies(bodies_file)
    total = sum(len(body) for body in bodies)

    def decode_all():
        for body in bodies:
            fastavro.schemaless_reader(io.BytesIO(body), schema)

    report("full_decode", len(bodies), total, best_of(repetitions, decode_all))

    records = [fastavro.schemaless_reader(io.BytesIO(body), schema)
               for body in bodies[:ENCODE_SET_SIZE]]
    buffer = io.BytesIO()
    encoded = [0]

    def encode_all():
        encoded[0] = 0
        for i in range(len(bodies)):
            buffer.seek(0)
            buffer.truncate()
            fastavro.schemaless_writer(buffer, schema, records[i % len(records)])
            encoded[0] += buffer.tell()

    seconds = best_of(repetitions, encode_all)
    report("encode", len(bodies), encoded[0], seconds)


if __name__ == "__main__":
    main(sys.argv)
