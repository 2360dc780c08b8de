package io.selfstream.ops.pipeline;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Counts the committed records a topic received after a starting point. Offsets alone cannot do it:
 * exactly-once writers leave transaction markers that take offsets too.
 */
public final class TopicCounter implements AutoCloseable {

  /** Header the normalizer puts on every dead letter. */
  public static final String DLQ_REASON_HEADER = "selfstream.dlq.reason";

  private final KafkaConsumer<byte[], byte[]> consumer;
  private long count;
  private final Map<String, Long> byReason = new TreeMap<>();
  private final Map<String, Long> byKey = new TreeMap<>();
  private long lastArrivalNanos;

  private TopicCounter(KafkaConsumer<byte[], byte[]> consumer) {
    this.consumer = consumer;
  }

  /** Starts counting {@code topic} from its current end: only records written from now count. */
  public static TopicCounter fromNow(String bootstrap, String topic) throws Exception {
    Map<TopicPartition, Long> start = endOffsets(bootstrap, topic);
    KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(
            Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrap,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                IsolationLevel.READ_COMMITTED.toString().toLowerCase(),
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG,
                5000,
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
                ByteArrayDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
                ByteArrayDeserializer.class));
    consumer.assign(List.copyOf(start.keySet()));
    start.forEach(consumer::seek);
    return new TopicCounter(consumer);
  }

  static Map<TopicPartition, Long> endOffsets(String bootstrap, String topic) throws Exception {
    try (Admin admin =
        Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
      var description =
          admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic);
      Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
      description
          .partitions()
          .forEach(p -> latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
      Map<TopicPartition, Long> ends = new HashMap<>();
      admin
          .listOffsets(latest)
          .all()
          .get(30, TimeUnit.SECONDS)
          .forEach((tp, info) -> ends.put(tp, info.offset()));
      return ends;
    }
  }

  /** Reads whatever arrived, for up to {@code wait}. */
  public long poll(Duration wait) {
    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(wait)) {
      count++;
      lastArrivalNanos = System.nanoTime();
      String key = r.key() == null ? "" : new String(r.key(), StandardCharsets.UTF_8);
      byKey.merge(key, 1L, Long::sum);
      Header reason = r.headers().lastHeader(DLQ_REASON_HEADER);
      if (reason != null) {
        byReason.merge(new String(reason.value(), StandardCharsets.UTF_8), 1L, Long::sum);
      }
    }
    return count;
  }

  public long count() {
    return count;
  }

  /** Dead letters by reason (from the normalizer's header). */
  public Map<String, Long> byReason() {
    return byReason;
  }

  /** Records by record key (the source id on the frame topics; "" for none). */
  public Map<String, Long> byKey() {
    return byKey;
  }

  /** Records whose key matches {@code keyPattern} (a whole-key regex). */
  public long countKeys(java.util.regex.Pattern keyPattern) {
    long n = 0;
    for (Map.Entry<String, Long> e : byKey.entrySet()) {
      if (keyPattern.matcher(e.getKey()).matches()) {
        n += e.getValue();
      }
    }
    return n;
  }

  /** {@link System#nanoTime()} of the last record read, 0 if none. */
  public long lastArrivalNanos() {
    return lastArrivalNanos;
  }

  /**
   * Polls all counters until {@code done} holds or {@code timeout} passes; returns whether it held.
   */
  public static boolean pollUntil(
      List<TopicCounter> counters, BooleanSupplier done, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!done.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      for (TopicCounter counter : counters) {
        counter.poll(Duration.ofMillis(50));
      }
    }
    return true;
  }

  @Override
  public void close() {
    consumer.close(Duration.ofSeconds(5));
  }
}
