// The part that producers and consumers share: one librdkafka handle, its log and error
// callbacks routed to the "kafka" logger, and metadata requests.
//
// A Client owns its rd_kafka_t and destroys it on destruction. Metadata requests block the
// calling thread for at most their timeout and may be called from any thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "kafka/config.h"
#include "kafka/error.h"
#include "kafka/librdkafka.h"

namespace skystream::kafka {

// Time allowed for a broker to respond when a command starts; past it the broker counts as
// unreachable, so that a wrong address fails within seconds instead of hanging.
inline constexpr std::chrono::milliseconds kStartupTimeout{5000};

// Offsets of a partition: `low` is the first offset still stored and `high` is the offset the
// next message will get (the high watermark). The partition contains high - low offsets, some of
// which may be transaction markers rather than messages.
struct Watermarks {
  std::int64_t low = 0;
  std::int64_t high = 0;
};

struct TopicSpec {
  std::string name;
  int partitions = 1;
  int replication_factor = -1;    // -1: the broker's default.replication.factor
  std::vector<Setting> settings;  // topic configs, such as {"max.message.bytes", "..."}
};

class Client {
 public:
  Client(Client&&) noexcept = default;
  Client& operator=(Client&&) noexcept = default;
  virtual ~Client();

  rd_kafka_t* raw() const noexcept { return handle_.get(); }
  const std::string& brokers() const noexcept { return brokers_; }

  // The value of the librdkafka setting `key` in effect for this client, defaults included, or
  // nothing when the key is unknown.
  std::optional<std::string> setting(std::string_view key) const;

  // Requests the cluster's metadata and fails unless a broker responds within `timeout`. The
  // error names the bootstrap brokers.
  [[nodiscard]] Result<void> check_reachable(std::chrono::milliseconds timeout) const;

  // Returns the partition ids of `topic` in ascending order. Fails with
  // RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART when the topic does not exist, unless this client
  // is a producer and the broker creates topics on first use.
  [[nodiscard]] Result<std::vector<std::int32_t>> list_partitions(
      std::string_view topic, std::chrono::milliseconds timeout) const;

  // Requests the low and high watermarks of one partition from its leader.
  [[nodiscard]] Result<Watermarks> query_watermarks(std::string_view topic, std::int32_t partition,
                                                    std::chrono::milliseconds timeout) const;

  // Creates a topic through the admin API and waits for the broker's response. Fails with
  // RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS when the topic exists.
  [[nodiscard]] Result<void> create_topic(const TopicSpec& spec,
                                          std::chrono::milliseconds timeout) const;

 protected:
  // Creates a handle of `type` from `config`, with `opaque` as the handle's opaque pointer
  // (returned by rd_kafka_opaque() in callbacks). Throws KafkaError naming the reason when
  // librdkafka rejects the configuration.
  Client(rd_kafka_type_t type, Config config, void* opaque);

  // Destroys the handle now; derived classes call it before their callback state goes away.
  void destroy() noexcept { handle_.reset(); }

 private:
  struct Destroy {
    void operator()(rd_kafka_t* handle) const noexcept { rd_kafka_destroy(handle); }
  };
  std::unique_ptr<rd_kafka_t, Destroy> handle_;
  std::string brokers_;
};

// Milliseconds since the Unix epoch on the system clock, the unit of Kafka timestamps.
std::int64_t now_ms();

}  // namespace skystream::kafka
