#include "kafka/client.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <mutex>
#include <thread>

#include "logging.h"

namespace skystream::kafka {
namespace {

// Owns a librdkafka object and frees it with `Free`.
template <typename T, void (*Free)(T*)>
struct Deleter {
  void operator()(T* object) const noexcept { Free(object); }
};
template <typename T, void (*Free)(T*)>
using Owned = std::unique_ptr<T, Deleter<T, Free>>;

void destroy_metadata(const rd_kafka_metadata_t* metadata) { rd_kafka_metadata_destroy(metadata); }
using OwnedMetadata = Owned<const rd_kafka_metadata_t, destroy_metadata>;

// librdkafka logs with syslog levels: 0-3 are errors, 4 warnings, 5-6 notices and information.
// Its errors are logged as warnings because librdkafka retries them (a refused connection, for
// one); the calls that finally fail return their own error.
spdlog::level::level_enum log_level(int syslog_level) {
  if (syslog_level <= 4) return spdlog::level::warn;
  if (syslog_level <= 6) return spdlog::level::info;
  return spdlog::level::debug;
}

void on_log(const rd_kafka_t* handle, int level, const char* facility, const char* message) {
  logger("kafka")->log(log_level(level), "{} {}: {}", rd_kafka_name(handle), facility, message);
}

// Logs librdkafka's error events, collapsing repeats: librdkafka raises the same event (all
// brokers down, for one) on every reconnection attempt.
class ErrorLog {
 public:
  void log(rd_kafka_t* handle, rd_kafka_resp_err_t code, std::string_view reason) {
    std::lock_guard lock(mutex_);
    const auto now = std::chrono::steady_clock::now();
    const bool repeat = code == last_code_ && reason == last_reason_;
    if (repeat && now - last_logged_ < kRepeatInterval) {
      ++suppressed_;
      return;
    }
    std::string suffix;
    if (repeat && suppressed_ > 0) suffix = fmt::format(" ({} more since the last)", suppressed_);
    logger("kafka")->warn("{} {}: {}{}", rd_kafka_name(handle), rd_kafka_err2name(code), reason,
                          suffix);
    last_code_ = code;
    last_reason_ = reason;
    last_logged_ = now;
    suppressed_ = 0;
  }

 private:
  static constexpr std::chrono::seconds kRepeatInterval{10};
  std::mutex mutex_;
  rd_kafka_resp_err_t last_code_ = RD_KAFKA_RESP_ERR_NO_ERROR;
  std::string last_reason_;
  std::chrono::steady_clock::time_point last_logged_;
  std::int64_t suppressed_ = 0;
};

// librdkafka retries transport errors by itself, so they are warnings. A fatal error stops
// every later produce: it means an idempotent producer can no longer guarantee order.
void on_error(rd_kafka_t* handle, int code, const char* reason, void* /*opaque*/) {
  if (code == RD_KAFKA_RESP_ERR__FATAL) {
    std::array<char, 512> fatal_reason{};
    const rd_kafka_resp_err_t fatal =
        rd_kafka_fatal_error(handle, fatal_reason.data(), fatal_reason.size());
    logger("kafka")->error("{} fatal error {}: {}", rd_kafka_name(handle), rd_kafka_err2name(fatal),
                           fatal_reason.data());
    return;
  }
  static ErrorLog errors;
  errors.log(handle, static_cast<rd_kafka_resp_err_t>(code), reason);
}

int to_int_ms(std::chrono::milliseconds timeout) {
  return static_cast<int>(std::clamp<std::int64_t>(timeout.count(), 0, INT32_MAX));
}

}  // namespace

Client::Client(rd_kafka_type_t type, Config config, void* opaque) : brokers_(config.brokers()) {
  rd_kafka_conf_set_log_cb(config.raw(), on_log);
  rd_kafka_conf_set_error_cb(config.raw(), on_error);
  rd_kafka_conf_set_opaque(config.raw(), opaque);

  std::array<char, 512> reason{};
  rd_kafka_t* handle = rd_kafka_new(type, config.raw(), reason.data(), reason.size());
  if (handle == nullptr) {
    const char* kind = type == RD_KAFKA_PRODUCER ? "producer" : "consumer";
    throw KafkaError(Error{RD_KAFKA_RESP_ERR__INVALID_ARG,
                           fmt::format("cannot create a Kafka {} for brokers \"{}\": {}", kind,
                                       brokers_, reason.data())});
  }
  config.release();  // rd_kafka_new() owns the configuration once it succeeds
  handle_.reset(handle);
}

Client::~Client() = default;

std::optional<std::string> Client::setting(std::string_view key) const {
  return read_setting(rd_kafka_conf(raw()), key);
}

Result<void> Client::check_reachable(std::chrono::milliseconds timeout) const {
  const rd_kafka_metadata_t* metadata = nullptr;
  const rd_kafka_resp_err_t code =
      rd_kafka_metadata(raw(), 0, nullptr, &metadata, to_int_ms(timeout));
  OwnedMetadata owned(metadata);
  if (code != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return std::unexpected(
        Error{code, fmt::format("no Kafka broker at \"{}\" responded within {} ms: {}", brokers_,
                                timeout.count(), rd_kafka_err2str(code))});
  }
  return {};
}

Result<std::vector<std::int32_t>> Client::list_partitions(std::string_view topic,
                                                          std::chrono::milliseconds timeout) const {
  const std::string name(topic);
  const Owned<rd_kafka_topic_t, rd_kafka_topic_destroy> handle(
      rd_kafka_topic_new(raw(), name.c_str(), nullptr));
  const auto deadline = std::chrono::steady_clock::now() + timeout;

  // A topic created a moment ago may have no leader yet, so that response is retried.
  while (true) {
    const auto remaining = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    const rd_kafka_metadata_t* metadata = nullptr;
    const rd_kafka_resp_err_t code =
        rd_kafka_metadata(raw(), 0, handle.get(), &metadata, to_int_ms(remaining));
    OwnedMetadata owned(metadata);
    if (code != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return std::unexpected(make_error(
          code, fmt::format("metadata request for topic {} to \"{}\" failed", name, brokers_)));
    }

    const rd_kafka_metadata_topic_t* found = nullptr;
    for (int i = 0; i < metadata->topic_cnt; ++i) {
      if (name == metadata->topics[i].topic) found = &metadata->topics[i];
    }
    const rd_kafka_resp_err_t topic_code =
        found == nullptr ? RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART : found->err;
    const bool retry = topic_code == RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE ||
                       (topic_code == RD_KAFKA_RESP_ERR_NO_ERROR && found->partition_cnt == 0);
    if (topic_code == RD_KAFKA_RESP_ERR_NO_ERROR && !retry) {
      std::vector<std::int32_t> partitions;
      for (int i = 0; i < found->partition_cnt; ++i) partitions.push_back(found->partitions[i].id);
      std::ranges::sort(partitions);
      return partitions;
    }
    if (topic_code == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART) {
      return std::unexpected(
          Error{topic_code, fmt::format("topic {} not found on \"{}\"", name, brokers_)});
    }
    if (!retry || std::chrono::steady_clock::now() >= deadline) {
      return std::unexpected(
          make_error(topic_code, fmt::format("metadata of topic {} on \"{}\"", name, brokers_)));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

Result<Watermarks> Client::query_watermarks(std::string_view topic, std::int32_t partition,
                                            std::chrono::milliseconds timeout) const {
  const std::string name(topic);
  Watermarks watermarks;
  const rd_kafka_resp_err_t code = rd_kafka_query_watermark_offsets(
      raw(), name.c_str(), partition, &watermarks.low, &watermarks.high, to_int_ms(timeout));
  if (code != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return std::unexpected(make_error(
        code,
        fmt::format("watermarks of topic {} partition {} on \"{}\"", name, partition, brokers_)));
  }
  return watermarks;
}

Result<void> Client::create_topic(const TopicSpec& spec, std::chrono::milliseconds timeout) const {
  std::array<char, 512> reason{};
  const Owned<rd_kafka_NewTopic_t, rd_kafka_NewTopic_destroy> topic(rd_kafka_NewTopic_new(
      spec.name.c_str(), spec.partitions, spec.replication_factor, reason.data(), reason.size()));
  if (!topic) {
    return std::unexpected(Error{RD_KAFKA_RESP_ERR__INVALID_ARG,
                                 fmt::format("invalid topic {}: {}", spec.name, reason.data())});
  }
  for (const auto& [key, value] : spec.settings) {
    const rd_kafka_resp_err_t code =
        rd_kafka_NewTopic_set_config(topic.get(), key.c_str(), value.c_str());
    if (code != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return std::unexpected(
          make_error(code, fmt::format("topic {} setting {}={}", spec.name, key, value)));
    }
  }

  // The request waits until the broker has created the topic, or until the timeout.
  const Owned<rd_kafka_AdminOptions_t, rd_kafka_AdminOptions_destroy> options(
      rd_kafka_AdminOptions_new(raw(), RD_KAFKA_ADMIN_OP_CREATETOPICS));
  rd_kafka_AdminOptions_set_request_timeout(options.get(), to_int_ms(timeout), reason.data(),
                                            reason.size());
  rd_kafka_AdminOptions_set_operation_timeout(options.get(), to_int_ms(timeout), reason.data(),
                                              reason.size());
  const Owned<rd_kafka_queue_t, rd_kafka_queue_destroy> queue(rd_kafka_queue_new(raw()));
  rd_kafka_NewTopic_t* topics[] = {topic.get()};
  rd_kafka_CreateTopics(raw(), topics, 1, options.get(), queue.get());

  const Owned<rd_kafka_event_t, rd_kafka_event_destroy> event(
      rd_kafka_queue_poll(queue.get(), to_int_ms(timeout + std::chrono::seconds(1))));
  if (!event) {
    return std::unexpected(
        make_error(RD_KAFKA_RESP_ERR__TIMED_OUT,
                   fmt::format("creating topic {} on \"{}\"", spec.name, brokers_)));
  }
  if (rd_kafka_event_error(event.get()) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return std::unexpected(Error{rd_kafka_event_error(event.get()),
                                 fmt::format("creating topic {} on \"{}\" failed: {}", spec.name,
                                             brokers_, rd_kafka_event_error_string(event.get()))});
  }

  std::size_t count = 0;
  const rd_kafka_topic_result_t** results =
      rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(event.get()), &count);
  for (std::size_t i = 0; i < count; ++i) {
    const rd_kafka_resp_err_t code = rd_kafka_topic_result_error(results[i]);
    if (code != RD_KAFKA_RESP_ERR_NO_ERROR) {
      const char* message = rd_kafka_topic_result_error_string(results[i]);
      return std::unexpected(
          Error{code, fmt::format("creating topic {} on \"{}\" failed: {}", spec.name, brokers_,
                                  message != nullptr ? message : rd_kafka_err2str(code))});
    }
  }
  return {};
}

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace skystream::kafka
