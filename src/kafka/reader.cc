#include "kafka/reader.h"

#include <fmt/format.h>

#include "logging.h"

namespace skystream::kafka {
namespace {

Config reader_config(Config config) {
  const Setting settings[] = {{"enable.partition.eof", "true"},
                              {"enable.auto.commit", "false"},
                              {"auto.offset.reset", "earliest"}};
  value_or_throw(config.set_all(settings));

  // librdkafka's consumer needs a group.id even to assign partitions. The reader never
  // subscribes or commits, so the group is never joined and its name does not matter.
  if (config.get("group.id").value_or("").empty()) {
    value_or_throw(config.set("group.id", "skystream-reader"));
  }
  return config;
}

}  // namespace

TopicReader::TopicReader(Config config, std::vector<std::string> topics, ReadOptions options)
    : consumer_(reader_config(std::move(config))), options_(options) {
  value_or_throw(consumer_.check_reachable(options_.metadata_timeout));

  for (const std::string& topic : topics) {
    const auto partitions =
        value_or_throw(consumer_.list_partitions(topic, options_.metadata_timeout));
    for (const std::int32_t partition : partitions) {
      const Watermarks watermarks =
          value_or_throw(consumer_.query_watermarks(topic, partition, options_.metadata_timeout));
      partitions_.push_back(Progress{topic, partition, watermarks, false});
    }
  }
  remaining_ = partitions_.size();
}

std::int64_t TopicReader::offsets_to_read() const {
  std::int64_t total = 0;
  for (const Progress& progress : partitions_) {
    total += progress.watermarks.high - progress.watermarks.low;
  }
  return total;
}

Result<void> TopicReader::read(const MessageHandler& on_message,
                               const PartitionEndHandler& on_end) {
  // Empty partitions are done before the first poll; the others are read from their start.
  std::vector<TopicPartitionOffset> assignment;
  for (Progress& progress : partitions_) {
    if (progress.watermarks.high <= progress.watermarks.low) {
      finish(progress, on_end);
    } else {
      assignment.push_back({progress.topic, progress.partition, kOffsetBeginning});
    }
  }
  if (auto assigned = consumer_.assign(assignment); !assigned) return assigned;

  auto last_activity = std::chrono::steady_clock::now();
  while (remaining_ > 0) {
    std::optional<Message> message = consumer_.poll(std::chrono::milliseconds(200));
    const auto now = std::chrono::steady_clock::now();
    if (!message) {
      if (now - last_activity > options_.idle_timeout) {
        return std::unexpected(
            make_error(RD_KAFKA_RESP_ERR__TIMED_OUT,
                       fmt::format("no message for {} ms while reading {}",
                                   options_.idle_timeout.count(), describe_remaining())));
      }
      continue;
    }

    // librdkafka retries broker and transport errors by itself; the idle timeout bounds them.
    if (message->is_error()) {
      logger("kafka")->warn("{}", message->error().message);
      continue;
    }
    last_activity = now;

    Progress* progress = find(message->topic(), message->partition());
    if (progress == nullptr || progress->done) continue;
    const std::int64_t end = progress->watermarks.high;
    if (message->is_partition_eof()) {
      if (message->offset() >= end) finish(*progress, on_end);
      continue;
    }
    if (message->offset() >= end) continue;
    on_message(*message);
    if (message->offset() + 1 >= end) finish(*progress, on_end);
  }
  return {};
}

TopicReader::Progress* TopicReader::find(std::string_view topic, std::int32_t partition) {
  for (Progress& progress : partitions_) {
    if (progress.partition == partition && progress.topic == topic) return &progress;
  }
  return nullptr;
}

void TopicReader::finish(Progress& progress, const PartitionEndHandler& on_end) {
  progress.done = true;
  --remaining_;
  on_end(PartitionEnd{progress.topic, progress.partition, progress.watermarks.high});
}

std::string TopicReader::describe_remaining() const {
  std::string text;
  for (const Progress& progress : partitions_) {
    if (progress.done) continue;
    if (!text.empty()) text += ", ";
    text += fmt::format("topic {} partition {} (end offset {})", progress.topic, progress.partition,
                        progress.watermarks.high);
  }
  return text;
}

}  // namespace skystream::kafka
