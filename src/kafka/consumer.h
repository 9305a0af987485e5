// A Kafka consumer: either a member of a consumer group (subscribe) or a reader of chosen
// partitions from chosen offsets (assign), with the messages it returns.
//
// A Consumer is used from one thread at a time. poll() returns messages and also events
// carried as messages: the end of a partition (when enable.partition.eof=true) and consumer
// errors. Messages own their librdkafka buffer and may outlive the poll() that returned them,
// but not the Consumer.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "kafka/client.h"
#include "kafka/config.h"
#include "kafka/error.h"
#include "kafka/librdkafka.h"

namespace skystream::kafka {

// Offsets with a special meaning in assign().
inline constexpr std::int64_t kOffsetBeginning = RD_KAFKA_OFFSET_BEGINNING;
inline constexpr std::int64_t kOffsetEnd = RD_KAFKA_OFFSET_END;
inline constexpr std::int64_t kOffsetStored = RD_KAFKA_OFFSET_STORED;

class Message {
 public:
  explicit Message(rd_kafka_message_t* message) noexcept : message_(message) {}

  // The end of a partition: every message up to offset() - 1 has been returned.
  bool is_partition_eof() const { return code() == RD_KAFKA_RESP_ERR__PARTITION_EOF; }
  // A consumer error instead of a message; see error().
  bool is_error() const { return code() != RD_KAFKA_RESP_ERR_NO_ERROR && !is_partition_eof(); }
  // The error of an error event, with the topic and partition when librdkafka gives them.
  Error error() const;

  std::string_view topic() const;  // empty for errors that concern no topic
  std::int32_t partition() const { return message_->partition; }
  // The message's offset; for a partition end, the offset the next message will get.
  std::int64_t offset() const { return message_->offset; }
  // Nothing for a null key.
  std::optional<std::string_view> key() const;
  std::string_view value() const;
  // Milliseconds since the epoch: the producer's create time or the broker's log append time,
  // as the topic's message.timestamp.type says. Nothing when the message has no timestamp.
  std::optional<std::int64_t> timestamp_ms() const;
  // The value of the last header called `name`, or nothing.
  std::optional<std::string_view> header(std::string_view name) const;

  rd_kafka_message_t* raw() const noexcept { return message_.get(); }

 private:
  rd_kafka_resp_err_t code() const { return message_->err; }
  struct Destroy {
    void operator()(rd_kafka_message_t* message) const noexcept {
      rd_kafka_message_destroy(message);
    }
  };
  std::unique_ptr<rd_kafka_message_t, Destroy> message_;
};

struct TopicPartitionOffset {
  std::string topic;
  std::int32_t partition = 0;
  std::int64_t offset = kOffsetBeginning;
};

class Consumer : public Client {
 public:
  // Creates a consumer from `config`; throws KafkaError when librdkafka rejects it. A consumer
  // that subscribes needs group.id; one that only assigns partitions does not.
  explicit Consumer(Config config);
  Consumer(Consumer&&) noexcept = default;
  Consumer& operator=(Consumer&&) noexcept = default;

  // Closes the consumer (see close()) unless that was done, logging a failure as a warning.
  ~Consumer() override;

  // Joins the consumer group of group.id and takes the partitions of `topics` that the group
  // gives this member. Partitions arrive as poll() is called.
  [[nodiscard]] Result<void> subscribe(std::span<const std::string> topics);

  // Reads exactly `partitions`, each from its offset (kOffsetBeginning, kOffsetEnd, or an
  // absolute offset), with no consumer group; replaces any earlier assignment.
  [[nodiscard]] Result<void> assign(std::span<const TopicPartitionOffset> partitions);

  // Returns the next message or event, or nothing when none came within `timeout`.
  std::optional<Message> poll(std::chrono::milliseconds timeout);

  // Commits `message`'s offset + 1 for its partition to the consumer group. With
  // `asynchronous`, returns at once and reports failures through the log.
  [[nodiscard]] Result<void> commit(const Message& message, bool asynchronous = false);

  // Commits the current position of every assigned partition and waits for the broker.
  [[nodiscard]] Result<void> commit();

  // Leaves the consumer group, committing offsets first when enable.auto.commit is true.
  // Polling after close() returns nothing.
  [[nodiscard]] Result<void> close();

 private:
  bool closed_ = false;
};

}  // namespace skystream::kafka
