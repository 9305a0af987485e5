"""Write seed corpora for the fuzz targets from the official Rubin sample alerts.

Usage: make_seeds.py SCHEMA_ROOT OUT_DIR

Writes OUT_DIR/alert/ (bare Avro bodies of schema 11.0, for fuzz_decode, fuzz_decode_into
and fuzz_projection) and OUT_DIR/container/ (container files, for fuzz_container). Besides
the samples as shipped, it writes a variant of the 11.0 sample with every history array and
cutout filled, so that the fuzzer starts from inputs that reach those fields. It also writes
container files of that variant with the null and deflate codecs, and a container file with a
short schema.
"""

import glob
import io
import os
import shutil
import sys

import fastavro


def filled_variant(record, schema):
    """Return a copy of the 11.0 sample with forced-source history, ssSource and cutouts."""
    variant = dict(record)
    forced_schema = next(
        branch for branch in next(
            field["type"] for field in schema["fields"] if field["name"] == "prvDiaForcedSources"
        ) if branch != "null")["items"]
    forced = {}
    for field in forced_schema["fields"]:
        kind = field["type"] if isinstance(field["type"], str) else field["type"][1]
        forced[field["name"]] = {"long": 7, "int": 3, "double": 61000.5, "float": 12.5,
                                 "string": "r"}[kind]
    variant["prvDiaForcedSources"] = [forced, dict(forced, psfFlux=None)]
    variant["cutoutDifference"] = b"SIMPLE  =                    T"
    variant["cutoutScience"] = b"\x00\x01\x02"
    variant["cutoutTemplate"] = b"template"
    variant["observation_reason"] = "survey"
    return variant


def main(argv):
    schema_root, out_dir = argv[1], argv[2]
    alert_dir = os.path.join(out_dir, "alert")
    container_dir = os.path.join(out_dir, "container")
    os.makedirs(alert_dir, exist_ok=True)
    os.makedirs(container_dir, exist_ok=True)

    for path in sorted(glob.glob(os.path.join(schema_root, "*", "*", "sample_data",
                                              "fakeAlert.avro"))):
        version = "-".join(path.split(os.sep)[-4:-2])
        shutil.copy(path, os.path.join(container_dir, f"sample-{version}.avro"))
        if not version.startswith("11-"):
            continue
        with open(path, "rb") as handle:
            reader = fastavro.reader(handle)
            schema = fastavro.parse_schema(reader.writer_schema)
            records = list(reader)
        for index, record in enumerate(records):
            for name, value in (("sample", record), ("filled", filled_variant(record, schema))):
                body = io.BytesIO()
                fastavro.schemaless_writer(body, schema, value)
                with open(os.path.join(alert_dir, f"{name}-{version}-{index}.bin"), "wb") as out:
                    out.write(body.getvalue())
        if version == "11-0":
            # A short schema gives the fuzzer a writer schema small enough to mutate.
            small = {"type": "record", "name": "s", "fields": [
                {"name": "a", "type": {"type": "array", "items": "long"}},
                {"name": "u", "type": ["null", "string"]}]}
            with open(os.path.join(container_dir, "small.avro"), "wb") as out:
                fastavro.writer(out, small, [{"a": [1, -2], "u": "x"}, {"a": [], "u": None}])
            for codec in ("null", "deflate"):
                with open(os.path.join(container_dir, f"filled-{codec}.avro"), "wb") as out:
                    fastavro.writer(out, schema, [filled_variant(records[0], schema)],
                                    codec=codec)


if __name__ == "__main__":
    main(sys.argv)
