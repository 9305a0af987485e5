// Random numbers for the night simulator, reproducible from a seed.
//
// The C++ standard specifies its engines bit for bit: std::mt19937_64 must yield
// 9981545732273789042 as its 10000th output from the default seed. It does not specify the
// distributions. std::uniform_int_distribution, std::normal_distribution and the others may
// use any algorithm, so their numbers can change between standard library implementations and
// versions. Random therefore takes only raw 64-bit words from std::mt19937_64 and turns them
// into numbers with its own code. The integer transforms give the same results everywhere.
// The floating-point ones, like the rest of the simulator, call <cmath> functions (log, sin,
// pow, ...) whose last bit may differ between math libraries, so simulated files are
// byte-identical for a seed on the same platform and math library.
#pragma once

#include <cstdint>
#include <random>

namespace skystream::sim {

// Mixes a 64-bit value with one step of SplitMix64, so that nearby seeds give unrelated
// streams.
std::uint64_t mix64(std::uint64_t x);

// A pseudo-random stream. Not thread-safe: use one per thread.
class Random {
 public:
  explicit Random(std::uint64_t seed) : engine_(seed) {}

  // Returns the next raw 64-bit word of std::mt19937_64.
  std::uint64_t next_word() { return engine_(); }

  // Returns a number uniform in [0, 1), with 53 random bits.
  double uniform01();

  // Returns a number uniform in [low, high).
  double uniform(double low, double high);

  // Returns an integer uniform in [low, high], both ends included. Requires low <= high.
  std::int64_t uniform_int(std::int64_t low, std::int64_t high);

  // Returns true with probability `p`.
  bool bernoulli(double p);

  // Returns a standard normal number (mean 0, standard deviation 1), by the Box-Muller
  // transform.
  double normal();

  // Returns a normal number with mean `mean` and standard deviation `sigma`.
  double normal(double mean, double sigma) { return mean + sigma * normal(); }

  // Returns the number of failures before the first success, each trial succeeding with
  // probability `p` in (0, 1]. The mean is (1 - p) / p.
  std::int64_t geometric(double p);

 private:
  std::mt19937_64 engine_;
  double spare_normal_ = 0;
  bool has_spare_normal_ = false;
};

}  // namespace skystream::sim
