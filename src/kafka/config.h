// Settings of a librdkafka client (a producer, a consumer or an admin client).
//
// Keys and values are librdkafka's configuration properties ("bootstrap.servers",
// "compression.type", "sasl.mechanism", ...), documented in its CONFIGURATION.md. A Config owns
// an rd_kafka_conf_t; creating a client from it hands that object to librdkafka.
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "kafka/error.h"
#include "kafka/librdkafka.h"

namespace skystream::kafka {

using Setting = std::pair<std::string, std::string>;

class Config {
 public:
  // An empty configuration: librdkafka's defaults for every key.
  Config();
  Config(const Config& other);
  Config& operator=(const Config& other);
  Config(Config&&) noexcept = default;
  Config& operator=(Config&&) noexcept = default;
  ~Config() = default;

  // Applies `settings` in order, a later value of a key replacing an earlier one. Fails on the
  // first key that librdkafka does not know or whose value it rejects, naming that key.
  [[nodiscard]] static Result<Config> from_settings(std::span<const Setting> settings);

  // Sets `key` to `value`; fails naming the key and the value when librdkafka rejects either.
  [[nodiscard]] Result<void> set(std::string_view key, std::string_view value);

  // Sets every setting in order, as from_settings() does.
  [[nodiscard]] Result<void> set_all(std::span<const Setting> settings);

  // Returns the value of `key`, or nothing when the key is unknown.
  std::optional<std::string> get(std::string_view key) const;

  // The "bootstrap.servers" list, as given.
  std::string brokers() const { return get("bootstrap.servers").value_or(""); }

  // Hands the rd_kafka_conf_t to the caller, leaving this Config empty and unusable. Used when
  // creating a client: rd_kafka_new() takes ownership only when it succeeds.
  rd_kafka_conf_t* release() noexcept { return conf_.release(); }
  rd_kafka_conf_t* raw() noexcept { return conf_.get(); }

 private:
  struct Destroy {
    void operator()(rd_kafka_conf_t* conf) const noexcept { rd_kafka_conf_destroy(conf); }
  };
  std::unique_ptr<rd_kafka_conf_t, Destroy> conf_;
};

// Returns the value of `key` in `conf`, defaults included, or nothing when the key is unknown.
std::optional<std::string> read_setting(const rd_kafka_conf_t* conf, std::string_view key);

// Parses "key=value" into a Setting; fails when there is no '=' or the key is empty.
[[nodiscard]] Result<Setting> parse_setting(std::string_view text);

// Parses every "key=value" of `texts`, failing on the first invalid one.
[[nodiscard]] Result<std::vector<Setting>> parse_settings(std::span<const std::string> texts);

}  // namespace skystream::kafka
