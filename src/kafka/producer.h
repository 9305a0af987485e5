// A Kafka producer with per-message delivery reports.
//
// produce() only queues a message; librdkafka sends it in batches from its own threads. Each
// message's outcome (partition and offset, or the error) comes back as a DeliveryReport, passed
// to the DeliveryCallback from inside poll() or flush() on the thread that calls them, together
// with the opaque pointer given to produce(). The caller owns what the opaque points to and
// keeps it alive until that message's report has come back.
//
// Thread safety: produce(), poll() and flush() may be called from several threads, but the
// callback then runs on whichever thread polls.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string_view>

#include "kafka/client.h"
#include "kafka/config.h"
#include "kafka/error.h"
#include "kafka/librdkafka.h"

namespace skystream::kafka {

struct Header {
  std::string_view name;
  std::string_view value;
};

// One message to produce. Every view is copied by produce(), so the bytes need to live only
// for the duration of the call.
struct OutgoingMessage {
  std::string_view topic;
  std::optional<std::string_view> key;  // nothing: a null key
  std::string_view value;
  std::int64_t timestamp_ms = 0;  // 0: the time of the produce() call
  std::span<const Header> headers;
  std::int32_t partition = RD_KAFKA_PARTITION_UA;  // unassigned: the partitioner chooses
  void* opaque = nullptr;                          // handed back in the DeliveryReport
};

struct DeliveryReport {
  void* opaque = nullptr;
  std::string_view topic;                         // valid during the callback only
  std::int32_t partition = -1;                    // -1 when the message never reached a partition
  std::int64_t offset = RD_KAFKA_OFFSET_INVALID;  // when the broker did not acknowledge it
  std::int64_t timestamp_ms = -1;
  std::optional<Error> error;  // set when delivery failed
};

using DeliveryCallback = std::function<void(const DeliveryReport&)>;

class Producer : public Client {
 public:
  // Creates a producer from `config`. Throws KafkaError when librdkafka rejects the
  // configuration. `on_delivery` is called once per produced message.
  Producer(Config config, DeliveryCallback on_delivery);
  Producer(Producer&&) noexcept = default;
  Producer& operator=(Producer&&) noexcept = default;

  // Destroys the handle; logs a warning with the count of messages whose delivery reports
  // never came, because those messages may not have been sent.
  ~Producer() override;

  // The maximum number of headers on one message.
  static constexpr std::size_t kMaxHeaders = 16;

  // Queues one message. Fails with RD_KAFKA_RESP_ERR__QUEUE_FULL when librdkafka's local queue
  // is full (poll() and try again), with RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE when the message
  // exceeds message.max.bytes, and with RD_KAFKA_RESP_ERR__FATAL after a fatal error.
  [[nodiscard]] Result<void> produce(const OutgoingMessage& message);

  // Serves delivery reports for up to `timeout`; returns how many events were served.
  int poll(std::chrono::milliseconds timeout);

  // Sends every queued message and waits for their delivery reports, for up to `timeout`.
  // Fails with RD_KAFKA_RESP_ERR__TIMED_OUT when messages are still outstanding.
  [[nodiscard]] Result<void> flush(std::chrono::milliseconds timeout);

  // Messages produced whose delivery reports have not been served yet.
  std::int64_t outstanding() const;

 private:
  struct State;
  Producer(std::unique_ptr<State> state, Config config);
  static void on_delivery(rd_kafka_t* handle, const rd_kafka_message_t* message, void* opaque);

  std::unique_ptr<State> state_;
};

}  // namespace skystream::kafka
