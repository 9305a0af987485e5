// An alert of Rubin schema 11.0 with the size and shape of a production alert, built from the
// official sample alert, for benchmarks.
//
// The official sample (lsst-alert-packet's fakeAlert.avro) is about 700 bytes: most of its
// fields are null and it has no forced-source history and no cutouts. Production alerts are
// about 80 KB. The realistic alert has every null scalar field of diaSource and diaObject
// filled, and 30 prvDiaSources and 30 prvDiaForcedSources with all fields set. Its three
// cutouts contain bytes from FITS stamps and are sized so that the encoded alert takes about
// `target_bytes`.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

#include "avro/error.h"
#include "avro/value.h"

namespace skystream::bench {

struct RealisticAlertOptions {
  std::size_t history = 30;                   // prvDiaSources, and prvDiaForcedSources as many
  std::size_t target_bytes = 80000;           // encoded size to reach with the cutouts
  std::vector<std::filesystem::path> stamps;  // at least 3 files, one per cutout
};

// Builds the alert from `sample`, a decoded 11.0 alert. Fails when a stamp cannot be read or
// is too small for its cutout.
[[nodiscard]] avro::Result<avro::Value> build_realistic_alert(const avro::Value& sample,
                                                              const RealisticAlertOptions& options);

}  // namespace skystream::bench
