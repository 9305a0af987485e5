#include "service/printer.h"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <map>
#include <nlohmann/json.hpp>

#include "avro/json.h"
#include "kafka/reader.h"
#include "kafka/validate.h"
#include "logging.h"
#include "verify/framed_alert.h"

namespace skystream::service {
namespace {

using Json = nlohmann::ordered_json;

// The current UTC time as ISO 8601 with milliseconds: 2026-02-15T03:04:05.123Z.
std::string utc_now() {
  const auto now = std::chrono::system_clock::now();
  const auto seconds = std::chrono::floor<std::chrono::seconds>(now);
  const auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(now - seconds).count();
  return fmt::format("{:%Y-%m-%dT%H:%M:%S}.{:03d}Z", seconds, millis);
}

struct PartitionCounts {
  std::int64_t messages = 0;
  std::int64_t invalid = 0;
};

class Printer {
 public:
  Printer(const PrintOptions& options, std::ostream& out)
      : options_(options), out_(out), catalog_(options.schema_root), alerts_(catalog_) {}

  void on_message(const kafka::Message& message);
  void on_end(const kafka::PartitionEnd& end);
  void write_total(std::size_t partitions);
  const PrintSummary& summary() const { return summary_; }

 private:
  void record_invalid(const kafka::Message& message, const avro::Error& error);

  const PrintOptions& options_;
  std::ostream& out_;
  std::shared_ptr<spdlog::logger> log_ = logger("print");
  wire::SchemaCatalog catalog_;
  verify::FramedAlertReader alerts_;
  verify::InvalidMessageLog invalid_{log_};
  std::map<std::int32_t, PartitionCounts> partitions_;
  PrintSummary summary_;
  std::string line_;
};

void Printer::on_message(const kafka::Message& message) {
  const std::int64_t ordinal = summary_.messages++;
  ++partitions_[message.partition()].messages;

  const bool print = !options_.count_only && ordinal % options_.every == 0;
  if (!print) {
    if (auto checked = alerts_.check_frame(message.value()); !checked) {
      record_invalid(message, checked.error());
    }
    return;
  }

  auto alert = alerts_.decode(message.value());
  if (!alert) {
    record_invalid(message, alert.error());
    return;
  }
  line_.clear();
  avro::append_json(*alert, line_);
  line_.push_back('\n');
  out_ << line_;
  ++summary_.printed;
}

void Printer::record_invalid(const kafka::Message& message, const avro::Error& error) {
  invalid_.record(message.topic(), message.partition(), message.offset(), error);
  ++partitions_[message.partition()].invalid;
  ++summary_.invalid;
}

void Printer::on_end(const kafka::PartitionEnd& end) {
  const PartitionCounts& counts = partitions_[end.partition];
  const Json line{
      {"event", "partition_end"}, {"topic", end.topic},          {"partition", end.partition},
      {"offset", end.offset},     {"messages", counts.messages}, {"invalid", counts.invalid},
      {"time", utc_now()}};
  out_ << line.dump() << '\n';
  out_.flush();
}

void Printer::write_total(std::size_t partitions) {
  const Json line{{"event", "total"},
                  {"topic", options_.topic},
                  {"partitions", partitions},
                  {"messages", summary_.messages},
                  {"printed", summary_.printed},
                  {"invalid", summary_.invalid}};
  out_ << line.dump() << '\n';
  out_.flush();
}

}  // namespace

PrintSummary run_print(const PrintOptions& options, std::ostream& out) {
  kafka::value_or_throw(kafka::check_broker_list(options.brokers));
  kafka::value_or_throw(kafka::check_topic_name(options.topic));
  kafka::Config config =
      kafka::value_or_throw(kafka::Config::from_settings(std::vector<kafka::Setting>{
          {"bootstrap.servers", options.brokers}, {"client.id", "skystream-print"}}));
  kafka::value_or_throw(config.set_all(options.settings));

  kafka::ReadOptions read_options;
  read_options.idle_timeout = options.idle_timeout;
  kafka::TopicReader reader(std::move(config), {options.topic}, read_options);
  logger("print")->info("reading topic {} from the beginning: {} offsets", options.topic,
                        reader.offsets_to_read());

  Printer printer(options, out);
  std::size_t partitions = 0;
  kafka::value_or_throw(
      reader.read([&](const kafka::Message& message) { printer.on_message(message); },
                  [&](const kafka::PartitionEnd& end) {
                    ++partitions;
                    printer.on_end(end);
                  }));
  printer.write_total(partitions);
  return printer.summary();
}

}  // namespace skystream::service
