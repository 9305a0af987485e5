#include "kafka/consumer.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "logging.h"

namespace skystream::kafka {
namespace {

struct ListDeleter {
  void operator()(rd_kafka_topic_partition_list_t* list) const noexcept {
    rd_kafka_topic_partition_list_destroy(list);
  }
};
using PartitionList = std::unique_ptr<rd_kafka_topic_partition_list_t, ListDeleter>;

}  // namespace

Error Message::error() const {
  const std::string_view name = topic();
  if (name.empty()) return make_error(code(), "consumer error");
  return make_error(code(),
                    fmt::format("consumer error on topic {} partition {}", name, partition()));
}

std::string_view Message::topic() const {
  if (message_->rkt == nullptr) return {};
  return rd_kafka_topic_name(message_->rkt);
}

std::optional<std::string_view> Message::key() const {
  if (message_->key == nullptr) return std::nullopt;
  return std::string_view(static_cast<const char*>(message_->key), message_->key_len);
}

std::string_view Message::value() const {
  if (message_->payload == nullptr) return {};
  return std::string_view(static_cast<const char*>(message_->payload), message_->len);
}

std::optional<std::int64_t> Message::timestamp_ms() const {
  rd_kafka_timestamp_type_t type = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE;
  const std::int64_t timestamp = rd_kafka_message_timestamp(message_.get(), &type);
  if (type == RD_KAFKA_TIMESTAMP_NOT_AVAILABLE) return std::nullopt;
  return timestamp;
}

std::optional<std::string_view> Message::header(std::string_view name) const {
  rd_kafka_headers_t* headers = nullptr;
  if (rd_kafka_message_headers(message_.get(), &headers) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return std::nullopt;
  }
  const std::string key(name);
  const void* value = nullptr;
  std::size_t size = 0;
  if (rd_kafka_header_get_last(headers, key.c_str(), &value, &size) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return std::nullopt;
  }
  if (value == nullptr) return std::string_view();
  return std::string_view(static_cast<const char*>(value), size);
}

Consumer::Consumer(Config config) : Client(RD_KAFKA_CONSUMER, std::move(config), nullptr) {
  // Serve the handle's events (errors, logs) through poll() as well.
  rd_kafka_poll_set_consumer(raw());
}

Consumer::~Consumer() {
  if (raw() == nullptr || closed_) return;
  if (auto closed = close(); !closed) {
    logger("kafka")->warn("{}", closed.error().message);
  }
}

Result<void> Consumer::subscribe(std::span<const std::string> topics) {
  PartitionList list(rd_kafka_topic_partition_list_new(static_cast<int>(topics.size())));
  for (const std::string& topic : topics) {
    rd_kafka_topic_partition_list_add(list.get(), topic.c_str(), RD_KAFKA_PARTITION_UA);
  }
  const rd_kafka_resp_err_t code = rd_kafka_subscribe(raw(), list.get());
  if (code != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return std::unexpected(make_error(
        code, fmt::format("subscribing to {} on \"{}\"", fmt::join(topics, ", "), brokers())));
  }
  return {};
}

Result<void> Consumer::assign(std::span<const TopicPartitionOffset> partitions) {
  PartitionList list(rd_kafka_topic_partition_list_new(static_cast<int>(partitions.size())));
  for (const TopicPartitionOffset& entry : partitions) {
    rd_kafka_topic_partition_list_add(list.get(), entry.topic.c_str(), entry.partition)->offset =
        entry.offset;
  }
  const rd_kafka_resp_err_t code = rd_kafka_assign(raw(), list.get());
  if (code != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return std::unexpected(make_error(
        code, fmt::format("assigning {} partitions on \"{}\"", partitions.size(), brokers())));
  }
  return {};
}

std::optional<Message> Consumer::poll(std::chrono::milliseconds timeout) {
  if (closed_) return std::nullopt;
  rd_kafka_message_t* message = rd_kafka_consumer_poll(raw(), static_cast<int>(timeout.count()));
  if (message == nullptr) return std::nullopt;
  return Message(message);
}

Result<void> Consumer::commit(const Message& message, bool asynchronous) {
  const rd_kafka_resp_err_t code =
      rd_kafka_commit_message(raw(), message.raw(), asynchronous ? 1 : 0);
  if (code != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return std::unexpected(
        make_error(code, fmt::format("committing offset {} of topic {} partition {}",
                                     message.offset() + 1, message.topic(), message.partition())));
  }
  return {};
}

Result<void> Consumer::commit() {
  const rd_kafka_resp_err_t code = rd_kafka_commit(raw(), nullptr, 0);
  // Nothing consumed since the last commit is not a failure.
  if (code != RD_KAFKA_RESP_ERR_NO_ERROR && code != RD_KAFKA_RESP_ERR__NO_OFFSET) {
    return std::unexpected(make_error(code, "committing consumer positions"));
  }
  return {};
}

Result<void> Consumer::close() {
  if (closed_) return {};
  closed_ = true;
  const rd_kafka_resp_err_t code = rd_kafka_consumer_close(raw());
  // A consumer without group.id, one that only assigned partitions, has no group to leave.
  if (code != RD_KAFKA_RESP_ERR_NO_ERROR && code != RD_KAFKA_RESP_ERR__UNKNOWN_GROUP) {
    return std::unexpected(make_error(code, fmt::format("closing consumer of \"{}\"", brokers())));
  }
  return {};
}

}  // namespace skystream::kafka
