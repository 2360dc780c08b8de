package io.selfstream.ops.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every rendered manifest of the base and of each overlay against the Kubernetes and CRD schemas
 * (src/test/resources/schemas, see SOURCES.md), and proof that the validation can fail.
 */
class SchemaValidationTest {

  private static ManifestValidator validator;

  @BeforeAll
  static void load() {
    validator = new ManifestValidator();
  }

  @Test
  void crdSchemasAreLoaded() {
    assertThat(validator.customResourceKinds())
        .contains(
            "kafka.strimzi.io/v1/Kafka",
            "kafka.strimzi.io/v1/KafkaTopic",
            "kafka.strimzi.io/v1/KafkaNodePool",
            "flink.apache.org/v1beta1/FlinkDeployment");
  }

  @Test
  void everyRenderedManifestIsValid() {
    for (Map.Entry<String, List<ObjectNode>> e : Deploy.renderAll().entrySet()) {
      List<String> errors = new ArrayList<>();
      for (ObjectNode r : e.getValue()) {
        errors.addAll(validator.validate(r));
      }
      System.out.println(
          e.getKey()
              + ": "
              + e.getValue().size()
              + " manifests validated, "
              + errors.size()
              + " errors");
      assertThat(errors).as(e.getKey()).isEmpty();
    }
  }

  @Test
  void aTypoInARenderedOverlayIsRejected() {
    List<String> errors = new ArrayList<>();
    for (ObjectNode r : Kustomize.build(Deploy.broken("typo"))) {
      errors.addAll(validator.validate(r));
    }
    assertThat(errors)
        .singleElement()
        .asString()
        .contains("Deployment/selfstream-normalizer")
        .contains("imagePullPolicyy");
  }

  @Test
  void brokenCoreFieldsAreRejected() {
    ObjectNode d = deployment();
    obj(d, "/spec").put("replicas", "two");
    assertThat(validator.validate(d)).anySatisfy(m -> assertThat(m).contains("replicas"));

    d = deployment();
    obj(d, "/spec/template/spec/containers/0/resources/requests").putObject("memory");
    assertThat(validator.validate(d)).anySatisfy(m -> assertThat(m).contains("memory"));

    d = deployment();
    obj(d, "/metadata").put("name", "Selfstream_Normalizer");
    assertThat(validator.validate(d)).anySatisfy(m -> assertThat(m).contains("DNS-1123"));

    d = deployment();
    d.put("kind", "Deploymnet");
    assertThat(validator.validate(d)).anySatisfy(m -> assertThat(m).contains("no schema"));
  }

  @Test
  void brokenCustomResourcesAreRejected() {
    List<ObjectNode> base = Deploy.renderAll().get("base");
    ObjectNode topic = Deploy.find(base, "KafkaTopic", "frames").orElseThrow().deepCopy();
    obj(topic, "/spec").put("partitions", "four");
    assertThat(validator.validate(topic)).anySatisfy(m -> assertThat(m).contains("partitions"));

    topic = Deploy.find(base, "KafkaTopic", "frames").orElseThrow().deepCopy();
    obj(topic, "/spec").put("partition", 4);
    assertThat(validator.validate(topic)).anySatisfy(m -> assertThat(m).contains("partition"));

    ObjectNode flink =
        Deploy.find(base, "FlinkDeployment", "selfstream-views").orElseThrow().deepCopy();
    obj(flink, "/spec").put("flinkVersion", "v9_9");
    assertThat(validator.validate(flink)).anySatisfy(m -> assertThat(m).contains("flinkVersion"));

    flink = Deploy.find(base, "FlinkDeployment", "selfstream-views").orElseThrow().deepCopy();
    obj(flink, "/spec/job").put("upgradeMode", "whenever");
    assertThat(validator.validate(flink)).anySatisfy(m -> assertThat(m).contains("upgradeMode"));

    ObjectNode pool = Deploy.find(base, "KafkaNodePool", "dual-role").orElseThrow().deepCopy();
    obj(pool, "/spec").remove("roles");
    assertThat(validator.validate(pool)).anySatisfy(m -> assertThat(m).contains("roles"));

    ObjectNode kafka = Deploy.find(base, "Kafka", "selfstream").orElseThrow().deepCopy();
    obj(kafka, "/spec").put("zookeeper", "gone in KRaft");
    assertThat(validator.validate(kafka)).anySatisfy(m -> assertThat(m).contains("zookeeper"));
  }

  private static ObjectNode obj(ObjectNode root, String pointer) {
    return (ObjectNode) root.at(pointer);
  }

  private static ObjectNode deployment() {
    return Deploy.find(Deploy.renderAll().get("base"), "Deployment", "selfstream-normalizer")
        .orElseThrow()
        .deepCopy();
  }
}
