"""Judge skystream's schema resolution and fingerprints with fastavro.

Usage:
  fastavro_resolve.py canonical SCHEMA...
      one JSON line per schema: {"form": Parsing Canonical Form, "rabin": CRC-64-AVRO}, the
      fingerprint as the hex of its 8 bytes, least significant first, as fastavro writes it
  fastavro_resolve.py read WRITER READER HEX...
      decodes each bare Avro body, given in hex, twice: with WRITER alone and with WRITER
      resolved to READER; prints one line per body, {"writer": OUTCOME, "reader": OUTCOME},
      where OUTCOME is {"record": value} or {"error": text}
  fastavro_resolve.py container READER FILE
      one JSON line per record of an Object Container File read as READER, or a line
      {"error": text} at the first record that fails

SCHEMA, WRITER and READER are either JSON text (starting with '{', '[' or '"') or the path of a
.avsc file; fastavro.schema.load_schema finds the named types such a file refers to in sibling
files named <full name>.avsc, as the Rubin schema folders are laid out. Values are printed as
fastavro_dump.py prints them (bytes and fixed as hex, NaN and infinities as strings).
"""

import io
import json
import sys

import fastavro

from fastavro_dump import plain


def load(text):
    if text[:1] in ("{", "[", '"'):
        return fastavro.parse_schema(json.loads(text))
    return fastavro.schema.load_schema(text)


def outcome(data, writer, reader):
    stream = io.BytesIO(data)
    try:
        if reader is None:
            record = fastavro.schemaless_reader(stream, writer)
        else:
            record = fastavro.schemaless_reader(stream, writer, reader)
    except Exception as error:  # the caller compares verdicts, not exception types
        return {"error": repr(error)}
    return {"record": plain(record)}


def main(argv):
    if len(argv) >= 3 and argv[1] == "canonical":
        for text in argv[2:]:
            form = fastavro.schema.to_parsing_canonical_form(load(text))
            rabin = fastavro.schema.fingerprint(form, "CRC-64-AVRO")
            print(json.dumps({"form": form, "rabin": rabin}))
    elif len(argv) >= 5 and argv[1] == "read":
        writer, reader = load(argv[2]), load(argv[3])
        for body in argv[4:]:
            data = bytes.fromhex(body)
            print(json.dumps({"writer": outcome(data, writer, None),
                              "reader": outcome(data, writer, reader)}))
    elif len(argv) == 4 and argv[1] == "container":
        reader = load(argv[2])
        with open(argv[3], "rb") as handle:
            try:
                for record in fastavro.reader(handle, reader_schema=reader):
                    print(json.dumps(plain(record)))
            except Exception as error:  # reported in place of the remaining records
                print(json.dumps({"error": repr(error)}))
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
