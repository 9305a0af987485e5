"""Decode and re-encode every record of an Object Container File with fastavro.

The cross-check tests use this as an independent judge of skystream's decoder and encoder.
Prints each record as one JSON line in the form of fastavro_dump.py: bytes as hex, NaN and
infinities as strings, timestamps as integers. Writes fastavro's own binary encoding of each
record to ENCODED_OUT, each body preceded by its length as a 4-byte big-endian integer.

Usage: fastavro_crosscheck.py CONTAINER_FILE ENCODED_OUT
"""

import io
import json
import struct
import sys

import fastavro

from fastavro_dump import plain


def main(argv):
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    with open(argv[1], "rb") as handle, open(argv[2], "wb") as encoded:
        reader = fastavro.reader(handle)
        schema = fastavro.parse_schema(reader.writer_schema)
        body = io.BytesIO()
        lines = []
        for record in reader:
            body.seek(0)
            body.truncate()
            fastavro.schemaless_writer(body, schema, record)
            encoded.write(struct.pack(">I", body.tell()))
            encoded.write(body.getvalue())
            lines.append(json.dumps(plain(record)))
            if len(lines) == 1000:
                print("\n".join(lines))
                lines.clear()
        if lines:
            print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
