// Errors of the Kafka layer: librdkafka's error code with a message that names what failed.
//
// Calls made once per message (produce, poll) return Result values that must be checked; calls
// made while setting up a client throw KafkaError, so that the command line reports them with
// their context and exits non-zero.
#pragma once

#include <expected>
#include <stdexcept>
#include <string>

#include "kafka/librdkafka.h"

namespace skystream::kafka {

struct Error {
  rd_kafka_resp_err_t code = RD_KAFKA_RESP_ERR_NO_ERROR;
  std::string message;  // what failed, with the setting, topic or broker involved

  // librdkafka's name of the code, such as "_TRANSPORT" or "UNKNOWN_TOPIC_OR_PART".
  std::string_view code_name() const { return rd_kafka_err2name(code); }
};

template <typename T>
using Result = std::expected<T, Error>;

// Builds an Error for `code` whose message is "<context>: <librdkafka's description>".
Error make_error(rd_kafka_resp_err_t code, std::string_view context);

// A failure while creating or setting up a Kafka client, thrown at program edges.
class KafkaError : public std::runtime_error {
 public:
  explicit KafkaError(Error error) : std::runtime_error(error.message), error_(std::move(error)) {}
  const Error& error() const noexcept { return error_; }

 private:
  Error error_;
};

// Returns the value of `result`, or throws KafkaError with its error.
template <typename T>
T value_or_throw(Result<T> result) {
  if (!result) throw KafkaError(std::move(result.error()));
  if constexpr (!std::is_void_v<T>) return std::move(*result);
}

}  // namespace skystream::kafka
