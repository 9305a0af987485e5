#include "kafka/producer.h"

#include <fmt/format.h>

#include <array>
#include <atomic>

#include "logging.h"

namespace skystream::kafka {

struct Producer::State {
  DeliveryCallback on_delivery;
  // Messages produced whose delivery reports have not been served. rd_kafka_outq_len() would
  // also count librdkafka's own requests and events.
  std::atomic<std::int64_t> outstanding = 0;
};

namespace {

Config with_delivery_callback(Config config,
                              void (*callback)(rd_kafka_t*, const rd_kafka_message_t*, void*)) {
  rd_kafka_conf_set_dr_msg_cb(config.raw(), callback);
  return config;
}

// Describes why a delivery failed: librdkafka's text for the message, else for the code, then
// the code's name. rd_kafka_message_errstr() is not used, because for a produced message it
// returns the payload, which reads as an empty string when the value starts with a zero byte,
// as every Confluent frame does.
std::string delivery_error_message(const rd_kafka_message_t* message) {
  const char* detail = rd_kafka_message_produce_errstr(message);
  const std::string_view cause =
      detail != nullptr && *detail != '\0' ? detail : rd_kafka_err2str(message->err);
  return fmt::format("{} ({})", cause, rd_kafka_err2name(message->err));
}

}  // namespace

Producer::Producer(Config config, DeliveryCallback on_delivery)
    : Producer(std::make_unique<State>(std::move(on_delivery)), std::move(config)) {}

Producer::Producer(std::unique_ptr<State> state, Config config)
    : Client(RD_KAFKA_PRODUCER, with_delivery_callback(std::move(config), &Producer::on_delivery),
             state.get()),
      state_(std::move(state)) {}

Producer::~Producer() {
  if (raw() == nullptr) return;  // moved from
  const std::int64_t outstanding = state_->outstanding;
  if (outstanding > 0) {
    logger("kafka")->warn("producer for \"{}\" destroyed with {} messages not yet delivered",
                          brokers(), outstanding);
  }
  destroy();
}

Result<void> Producer::produce(const OutgoingMessage& message) {
  if (message.headers.size() > kMaxHeaders) {
    return std::unexpected(Error{RD_KAFKA_RESP_ERR__INVALID_ARG,
                                 fmt::format("{} headers on one message, at most {} allowed",
                                             message.headers.size(), kMaxHeaders)});
  }

  // librdkafka needs a NUL-terminated topic name; names are short, so a local copy is cheap.
  std::array<char, 256> topic{};
  if (message.topic.empty() || message.topic.size() >= topic.size()) {
    return std::unexpected(Error{RD_KAFKA_RESP_ERR__INVALID_ARG,
                                 fmt::format("invalid topic name \"{}\"", message.topic)});
  }
  message.topic.copy(topic.data(), message.topic.size());

  std::array<rd_kafka_vu_t, 7 + kMaxHeaders> fields{};
  std::size_t count = 0;
  auto add = [&](rd_kafka_vtype_t type) -> rd_kafka_vu_t& {
    fields[count].vtype = type;
    return fields[count++];
  };
  add(RD_KAFKA_VTYPE_TOPIC).u.cstr = topic.data();
  add(RD_KAFKA_VTYPE_PARTITION).u.i32 = message.partition;
  add(RD_KAFKA_VTYPE_MSGFLAGS).u.i = RD_KAFKA_MSG_F_COPY;
  add(RD_KAFKA_VTYPE_VALUE).u.mem = {const_cast<char*>(message.value.data()), message.value.size()};
  if (message.key) {
    add(RD_KAFKA_VTYPE_KEY).u.mem = {const_cast<char*>(message.key->data()), message.key->size()};
  }
  add(RD_KAFKA_VTYPE_TIMESTAMP).u.i64 = message.timestamp_ms;
  add(RD_KAFKA_VTYPE_OPAQUE).u.ptr = message.opaque;

  // Header names must be NUL-terminated too; they are copied into one small buffer.
  std::array<char, 1024> names{};
  std::size_t used = 0;
  for (const Header& header : message.headers) {
    if (used + header.name.size() + 1 > names.size()) {
      return std::unexpected(
          Error{RD_KAFKA_RESP_ERR__INVALID_ARG, "header names longer than 1024 bytes in total"});
    }
    char* name = names.data() + used;
    header.name.copy(name, header.name.size());
    used += header.name.size() + 1;
    add(RD_KAFKA_VTYPE_HEADER).u.header = {name, header.value.data(),
                                           static_cast<ssize_t>(header.value.size())};
  }

  rd_kafka_error_t* error = rd_kafka_produceva(raw(), fields.data(), count);
  if (error == nullptr) {
    ++state_->outstanding;
    return {};
  }
  Error result{
      rd_kafka_error_code(error),
      fmt::format("producing to topic {} failed: {}", message.topic, rd_kafka_error_string(error))};
  rd_kafka_error_destroy(error);
  return std::unexpected(std::move(result));
}

int Producer::poll(std::chrono::milliseconds timeout) {
  return rd_kafka_poll(raw(), static_cast<int>(timeout.count()));
}

Result<void> Producer::flush(std::chrono::milliseconds timeout) {
  const rd_kafka_resp_err_t code = rd_kafka_flush(raw(), static_cast<int>(timeout.count()));
  if (code == RD_KAFKA_RESP_ERR_NO_ERROR) return {};
  return std::unexpected(
      make_error(code, fmt::format("flushing {} messages to \"{}\"", outstanding(), brokers())));
}

std::int64_t Producer::outstanding() const { return state_->outstanding; }

void Producer::on_delivery(rd_kafka_t* /*handle*/, const rd_kafka_message_t* message,
                           void* opaque) {
  auto* state = static_cast<State*>(opaque);
  --state->outstanding;
  DeliveryReport report;
  report.opaque = message->_private;
  report.topic = rd_kafka_topic_name(message->rkt);
  report.partition = message->partition;
  report.offset = message->offset;
  rd_kafka_timestamp_type_t type = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE;
  report.timestamp_ms = rd_kafka_message_timestamp(message, &type);
  if (message->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    report.error = Error{message->err, delivery_error_message(message)};
  }
  state->on_delivery(report);
}

}  // namespace skystream::kafka
