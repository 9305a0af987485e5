// librdkafka's C API. Its header declares rd_kafka_TopicPartitionInfo_partition() with a
// const-qualified int return type, which -Wextra reports in every file that includes it.
#pragma once

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wignored-qualifiers"
#include <librdkafka/rdkafka.h>
#pragma GCC diagnostic pop
