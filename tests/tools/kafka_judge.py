"""Independent checks for the integration tests, written with confluent-kafka and fastavro.

Usage:
  kafka_judge.py count BROKERS TOPIC...
      prints {"topic": message count, ...}, reading each topic from its start to its end
  kafka_judge.py produce BROKERS TOPIC HEX...
      produces each hex string as one message value and waits for the delivery reports
  kafka_judge.py first BROKERS TOPIC
      prints the value of the first message of partition 0 (or the first partition with one)
      as hex
  kafka_judge.py partitions BROKERS TOPIC...
      prints {"topic": partition count, ...}, with -1 for a topic that does not exist, read
      from the cluster's metadata through the admin client
  kafka_judge.py campaign-matches DIR
      prints {"file name": count, ...}: per visit file, the alerts with
      diaSource.snr > 5 and diaSource.psfFlux > 36310, counted with fastavro
"""

import json
import os
import sys

from confluent_kafka import Consumer, Producer, TopicPartition
from confluent_kafka.admin import AdminClient


def consumer(brokers):
    return Consumer({"bootstrap.servers": brokers, "group.id": "kafka-judge",
                     "enable.auto.commit": False, "enable.partition.eof": True,
                     "fetch.message.max.bytes": 10485760})


def read_topic(brokers, topic):
    """Yields every message of `topic` from the start of each partition to its high mark."""
    client = consumer(brokers)
    metadata = client.list_topics(topic, timeout=10)
    partitions = [TopicPartition(topic, p, 0) for p in metadata.topics[topic].partitions]
    ends = {p.partition: client.get_watermark_offsets(p, timeout=10)[1] for p in partitions}
    open_partitions = {p for p, high in ends.items() if high > 0}
    client.assign(partitions)
    while open_partitions:
        message = client.poll(10)
        if message is None:
            raise SystemExit(f"timed out reading {topic}")
        if message.error():
            if message.error().code() == -191:  # _PARTITION_EOF
                open_partitions.discard(message.partition())
                continue
            raise SystemExit(f"error reading {topic}: {message.error()}")
        yield message
        if message.offset() + 1 >= ends[message.partition()]:
            open_partitions.discard(message.partition())
    client.close()


def count(brokers, topics):
    print(json.dumps({topic: sum(1 for _ in read_topic(brokers, topic)) for topic in topics}))


def produce(brokers, topic, values):
    failures = []
    producer = Producer({"bootstrap.servers": brokers, "acks": "all"})
    for value in values:
        producer.produce(topic, bytes.fromhex(value),
                         on_delivery=lambda error, _: failures.append(error) if error else None)
    producer.flush(30)
    if failures:
        raise SystemExit(f"delivery failed: {failures}")


def first(brokers, topic):
    for message in read_topic(brokers, topic):
        print(message.value().hex())
        return


def campaign_matches(directory):
    import fastavro

    counts = {}
    for name in sorted(os.listdir(directory)):
        if not name.endswith(".avro"):
            continue
        with open(os.path.join(directory, name), "rb") as handle:
            matches = 0
            for alert in fastavro.reader(handle):
                source = alert["diaSource"]
                snr, flux = source.get("snr"), source.get("psfFlux")
                if snr is not None and flux is not None and snr > 5 and flux > 36310:
                    matches += 1
        counts[name] = matches
    print(json.dumps(counts))


def partitions(brokers, topics):
    metadata = AdminClient({"bootstrap.servers": brokers}).list_topics(timeout=10)
    counts = {}
    for topic in topics:
        found = metadata.topics.get(topic)
        counts[topic] = len(found.partitions) if found is not None and found.error is None else -1
    print(json.dumps(counts))


def main(argv):
    command = argv[1]
    if command == "count":
        count(argv[2], argv[3:])
    elif command == "produce":
        produce(argv[2], argv[3], argv[4:])
    elif command == "first":
        first(argv[2], argv[3])
    elif command == "partitions":
        partitions(argv[2], argv[3:])
    elif command == "campaign-matches":
        campaign_matches(argv[2])
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
