#include "kafka/config.h"

#include <fmt/format.h>

#include <array>

namespace skystream::kafka {

Error make_error(rd_kafka_resp_err_t code, std::string_view context) {
  return Error{code, fmt::format("{}: {}", context, rd_kafka_err2str(code))};
}

Config::Config() : conf_(rd_kafka_conf_new()) {}

Config::Config(const Config& other) : conf_(rd_kafka_conf_dup(other.conf_.get())) {}

Config& Config::operator=(const Config& other) {
  if (this != &other) conf_.reset(rd_kafka_conf_dup(other.conf_.get()));
  return *this;
}

Result<Config> Config::from_settings(std::span<const Setting> settings) {
  Config config;
  if (auto applied = config.set_all(settings); !applied) {
    return std::unexpected(std::move(applied.error()));
  }
  return config;
}

Result<void> Config::set(std::string_view key, std::string_view value) {
  std::array<char, 512> reason{};
  const std::string key_text(key);
  const std::string value_text(value);
  const rd_kafka_conf_res_t status = rd_kafka_conf_set(
      conf_.get(), key_text.c_str(), value_text.c_str(), reason.data(), reason.size());
  if (status == RD_KAFKA_CONF_OK) return {};

  const char* kind =
      status == RD_KAFKA_CONF_UNKNOWN ? "unknown Kafka setting" : "invalid value for Kafka setting";
  return std::unexpected(Error{RD_KAFKA_RESP_ERR__INVALID_ARG,
                               fmt::format("{} {}={}: {}", kind, key, value, reason.data())});
}

Result<void> Config::set_all(std::span<const Setting> settings) {
  for (const auto& [key, value] : settings) {
    if (auto applied = set(key, value); !applied) return applied;
  }
  return {};
}

std::optional<std::string> Config::get(std::string_view key) const {
  return read_setting(conf_.get(), key);
}

std::optional<std::string> read_setting(const rd_kafka_conf_t* conf, std::string_view key) {
  const std::string name(key);
  std::size_t size = 0;
  if (rd_kafka_conf_get(conf, name.c_str(), nullptr, &size) != RD_KAFKA_CONF_OK) {
    return std::nullopt;
  }
  std::string value(size, '\0');
  rd_kafka_conf_get(conf, name.c_str(), value.data(), &size);
  value.resize(size > 0 ? size - 1 : 0);  // size counts the terminating NUL
  return value;
}

Result<Setting> parse_setting(std::string_view text) {
  const std::size_t equals = text.find('=');
  if (equals == std::string_view::npos || equals == 0) {
    return std::unexpected(
        Error{RD_KAFKA_RESP_ERR__INVALID_ARG,
              fmt::format("invalid Kafka setting \"{}\": expected key=value", text)});
  }
  return Setting{std::string(text.substr(0, equals)), std::string(text.substr(equals + 1))};
}

Result<std::vector<Setting>> parse_settings(std::span<const std::string> texts) {
  std::vector<Setting> settings;
  settings.reserve(texts.size());
  for (const std::string& text : texts) {
    auto setting = parse_setting(text);
    if (!setting) return std::unexpected(std::move(setting.error()));
    settings.push_back(std::move(*setting));
  }
  return settings;
}

}  // namespace skystream::kafka
