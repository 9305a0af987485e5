"""Print the records of Avro data as JSON lines, decoded by fastavro.

The tests use this as an independent judge of skystream's own decoder. Bytes and fixed values
are written as hex strings, NaN and infinities as the strings "NaN", "Infinity" and
"-Infinity", and timestamps as integers in their logical unit (microseconds or milliseconds
since the Unix epoch), so the output holds exactly what the file holds.

Usage:
  fastavro_dump.py container FILE           records of an Object Container File
  fastavro_dump.py schemaless SCHEMA_DIR ROOT_NAME FILE
                                            one bare Avro body, schema from a directory of .avsc
"""

import datetime
import io
import json
import math
import os
import sys

import fastavro

EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)


def plain(value):
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain(item) for item in value]
    if isinstance(value, (bytes, bytearray)):
        return value.hex()
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        return value
    if isinstance(value, datetime.datetime):
        # Every timestamp in the Rubin schemas is timestamp-micros.
        return (value - EPOCH) // datetime.timedelta(microseconds=1)
    return value


def load_schema(directory, root_name):
    documents = {}
    for name in sorted(os.listdir(directory)):
        if name.endswith(".avsc"):
            with open(os.path.join(directory, name)) as handle:
                documents[name] = json.load(handle)

    # Files refer to each other's types, so a file that meets an unknown type moves to the end
    # of the order and every file is parsed again with a fresh set of names.
    order = list(documents)
    for _ in range(len(order) + 1):
        named, parsed, failed = {}, {}, []
        for name in order:
            try:
                parsed[name] = fastavro.schema.parse_schema(documents[name], named_schemas=named)
            except fastavro.schema.UnknownType:
                failed.append(name)
        if not failed:
            break
        order = [name for name in order if name not in failed] + failed
    for schema in parsed.values():
        if schema.get("name") == root_name:
            return schema
    raise SystemExit(f"{root_name} is not defined in {directory}")


def main(argv):
    if argv[1] == "container":
        with open(argv[2], "rb") as handle:
            for record in fastavro.reader(handle):
                print(json.dumps(plain(record)))
    elif argv[1] == "schemaless":
        schema = load_schema(argv[2], argv[3])
        with open(argv[4], "rb") as handle:
            data = handle.read()
        stream = io.BytesIO(data)
        try:
            record = fastavro.schemaless_reader(stream, schema)
        except Exception as error:  # the caller compares the failure position
            print(json.dumps({"error": repr(error), "offset": stream.tell()}))
            return 0
        print(json.dumps({"record": plain(record), "offset": stream.tell()}))
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
