package io.selfstream.schemas;

import java.time.Duration;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;

/**
 * One topic of the catalogue: its name, the Avro type of its values (keys are always the UTF-8
 * source id or model name), and how the embedded stack creates it.
 *
 * @param name topic name
 * @param valueType generated Avro class of the values
 * @param partitions partitions on creation; order is per key, so any count keeps per-source order
 * @param retention how long records are kept ({@code null} = broker default)
 * @param compacted whether the topic is log-compacted (latest value per key)
 * @param doc what the topic carries
 */
public record TopicSpec<V extends SpecificRecord>(
    String name,
    Class<V> valueType,
    int partitions,
    Duration retention,
    boolean compacted,
    String doc) {

  public TopicSpec {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("topic name must not be blank");
    }
    if (partitions < 1) {
      throw new IllegalArgumentException(name + ": partitions must be >= 1");
    }
  }

  /** Topic-level configs for creation (cleanup.policy, retention.ms, ...). */
  public Map<String, String> topicConfigs() {
    Map<String, String> configs = new java.util.LinkedHashMap<>();
    configs.put("cleanup.policy", compacted ? "compact" : "delete");
    if (retention != null) {
      configs.put("retention.ms", Long.toString(retention.toMillis()));
    }
    return configs;
  }
}
