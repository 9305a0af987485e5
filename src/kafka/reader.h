// Reads topics from the beginning to the end they had when the read began, as print and verify
// do: no consumer group, every partition assigned from its first stored offset.
//
// The end of each partition is its high watermark when the read starts; messages produced
// after that are not returned, so a read of a topic that is still being written ends.
// A partition is done at its last message before the end, or at a partition-end event at or
// past it, because the last offsets of a transactional topic are commit markers that carry no
// message.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "kafka/client.h"
#include "kafka/consumer.h"
#include "kafka/error.h"

namespace skystream::kafka {

struct PartitionEnd {
  std::string_view topic;
  std::int32_t partition = 0;
  std::int64_t offset = 0;  // the high watermark when the read began
};

struct ReadOptions {
  // Time allowed for the broker to respond to metadata and watermark requests at the start.
  std::chrono::milliseconds metadata_timeout = kStartupTimeout;
  // read() fails when no message or event arrives for this long while partitions remain.
  std::chrono::milliseconds idle_timeout{30000};
};

using MessageHandler = std::function<void(const Message&)>;
using PartitionEndHandler = std::function<void(const PartitionEnd&)>;

class TopicReader {
 public:
  // Creates a consumer from `config` with the settings a reader needs added
  // (enable.partition.eof=true, enable.auto.commit=false, and a group.id when there is none,
  // which librdkafka requires even without a group), checks that a broker responds,
  // and records the watermarks of every partition of `topics`. Throws KafkaError naming the
  // brokers when none responds, and naming the topic when a topic does not exist.
  TopicReader(Config config, std::vector<std::string> topics, ReadOptions options = {});

  // Messages the partitions hold between their low and high watermarks at the start. The
  // count of messages read can be lower, by the commit markers of transactions.
  std::int64_t offsets_to_read() const;

  // Calls `on_message` for every message below the end of its partition, in partition order
  // within each partition, and `on_end` once per partition when it is done (at once for an
  // empty partition). Returns when every partition is done; fails when the idle timeout passes
  // first, naming the partitions still being read.
  [[nodiscard]] Result<void> read(const MessageHandler& on_message,
                                  const PartitionEndHandler& on_end);

  Consumer& consumer() { return consumer_; }

 private:
  struct Progress {
    std::string topic;
    std::int32_t partition = 0;
    Watermarks watermarks;
    bool done = false;
  };

  Progress* find(std::string_view topic, std::int32_t partition);
  void finish(Progress& progress, const PartitionEndHandler& on_end);
  std::string describe_remaining() const;

  Consumer consumer_;
  ReadOptions options_;
  std::vector<Progress> partitions_;
  std::size_t remaining_ = 0;
};

}  // namespace skystream::kafka
