#include "sim/random.h"

#include <cmath>
#include <numbers>

namespace skystream::sim {

std::uint64_t mix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

double Random::uniform01() {
  // The top 53 bits fill a double's mantissa exactly, so every result is a multiple of 2^-53.
  return static_cast<double>(next_word() >> 11) * 0x1.0p-53;
}

double Random::uniform(double low, double high) { return low + (high - low) * uniform01(); }

std::int64_t Random::uniform_int(std::int64_t low, std::int64_t high) {
  const std::uint64_t span = static_cast<std::uint64_t>(high) - static_cast<std::uint64_t>(low);
  if (span == UINT64_MAX) return static_cast<std::int64_t>(next_word());

  // Rejection sampling: draw below the largest multiple of the range size, so that every
  // value is equally likely.
  const std::uint64_t range = span + 1;
  const std::uint64_t limit = UINT64_MAX - UINT64_MAX % range;
  std::uint64_t word = next_word();
  while (word >= limit) word = next_word();
  return static_cast<std::int64_t>(static_cast<std::uint64_t>(low) + word % range);
}

bool Random::bernoulli(double p) { return uniform01() < p; }

double Random::normal() {
  if (has_spare_normal_) {
    has_spare_normal_ = false;
    return spare_normal_;
  }

  // Box-Muller: two uniforms give two independent normals; the second is kept for the next
  // call. 1 - uniform01() lies in (0, 1], so the logarithm is finite.
  const double radius = std::sqrt(-2.0 * std::log(1.0 - uniform01()));
  const double angle = 2.0 * std::numbers::pi * uniform01();
  spare_normal_ = radius * std::sin(angle);
  has_spare_normal_ = true;
  return radius * std::cos(angle);
}

std::int64_t Random::geometric(double p) {
  if (p >= 1.0) return 0;
  // Inversion: floor(log(U) / log(1 - p)) with U in (0, 1].
  return static_cast<std::int64_t>(std::floor(std::log(1.0 - uniform01()) / std::log1p(-p)));
}

}  // namespace skystream::sim
