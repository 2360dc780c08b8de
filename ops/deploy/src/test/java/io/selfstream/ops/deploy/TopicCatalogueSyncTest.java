package io.selfstream.ops.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.selfstream.schemas.TopicSpec;
import io.selfstream.schemas.Topics;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The KafkaTopic resources equal the topic catalogue ({@link Topics#ALL}) in every overlay. */
class TopicCatalogueSyncTest {

  /** Topic configs the manifests may add beyond the catalogue's (cluster tuning, not contract). */
  private static final Set<String> EXTRA_CONFIGS =
      Set.of("max.message.bytes", "min.insync.replicas");

  @Test
  void everyCatalogueTopicIsAKafkaTopicWithTheSameShape() {
    Deploy.renderAll()
        .forEach(
            (overlay, resources) -> {
              List<String> differences = differences(Deploy.ofKind(resources, "KafkaTopic"));
              System.out.println(
                  overlay
                      + ": "
                      + Topics.ALL.size()
                      + " catalogue topics, differences "
                      + differences);
              assertThat(differences).as(overlay).isEmpty();
            });
  }

  @Test
  void driftIsDetected() {
    List<ObjectNode> topics = new ArrayList<>();
    for (ObjectNode t : Deploy.ofKind(Deploy.renderAll().get("base"), "KafkaTopic")) {
      topics.add(t.deepCopy());
    }
    ((ObjectNode) topics.get(1).at("/spec/config")).put("retention.ms", "1");
    ((ObjectNode) topics.get(2).at("/spec")).put("partitions", 7);
    ((ObjectNode) topics.get(3).at("/spec/config")).put("segment.bytes", "1024");
    topics.remove(4);
    ObjectNode stray = topics.get(0).deepCopy();
    ((ObjectNode) stray.at("/spec")).put("topicName", "frames.extra");
    topics.add(stray);
    assertThat(differences(topics))
        .anySatisfy(d -> assertThat(d).contains("frames: config retention.ms"))
        .anySatisfy(d -> assertThat(d).contains("frames.dlq: partitions 7"))
        .anySatisfy(d -> assertThat(d).contains("views: config segment.bytes"))
        .anySatisfy(d -> assertThat(d).contains("features: missing"))
        .anySatisfy(d -> assertThat(d).contains("frames.extra: not in the catalogue"));
  }

  static List<String> differences(List<ObjectNode> kafkaTopics) {
    List<String> out = new ArrayList<>();
    Map<String, JsonNode> byTopic = new TreeMap<>();
    for (ObjectNode t : kafkaTopics) {
      String name = t.at("/spec/topicName").asText(t.at("/metadata/name").asText());
      if (byTopic.put(name, t) != null) {
        out.add(name + ": declared twice");
      }
      if (!"selfstream".equals(t.at("/metadata/labels/strimzi.io~1cluster").asText())) {
        out.add(name + ": label strimzi.io/cluster is not selfstream");
      }
    }
    for (TopicSpec<?> spec : Topics.ALL) {
      JsonNode t = byTopic.remove(spec.name());
      if (t == null) {
        out.add(spec.name() + ": missing");
        continue;
      }
      if (t.at("/spec/partitions").asInt() != spec.partitions()) {
        out.add(
            spec.name() + ": partitions " + t.at("/spec/partitions") + " != " + spec.partitions());
      }
      Map<String, String> configs = new TreeMap<>();
      t.at("/spec/config")
          .fields()
          .forEachRemaining(e -> configs.put(e.getKey(), e.getValue().asText()));
      spec.topicConfigs()
          .forEach(
              (k, v) -> {
                if (!v.equals(configs.get(k))) {
                  out.add(
                      spec.name() + ": config " + k + " = " + configs.get(k) + ", catalogue " + v);
                }
              });
      for (String k : configs.keySet()) {
        if (!spec.topicConfigs().containsKey(k) && !EXTRA_CONFIGS.contains(k)) {
          out.add(spec.name() + ": config " + k + " is neither in the catalogue nor allowed extra");
        }
      }
    }
    byTopic.keySet().forEach(name -> out.add(name + ": not in the catalogue"));
    return out;
  }
}
