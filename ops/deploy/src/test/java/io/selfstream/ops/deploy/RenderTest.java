package io.selfstream.ops.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The rendered sets of the base and the overlays, and what each overlay changes. */
class RenderTest {

  private static final List<String> EXPECTED =
      List.of(
          "Namespace/selfstream",
          "KafkaNodePool/dual-role",
          "Kafka/selfstream",
          "KafkaTopic/frames-raw",
          "KafkaTopic/frames",
          "KafkaTopic/frames-dlq",
          "KafkaTopic/views",
          "KafkaTopic/features",
          "KafkaTopic/model-updates",
          "KafkaTopic/segments",
          "KafkaTopic/frame-labels",
          "KafkaTopic/labels-eval",
          "Deployment/apicurio-registry",
          "Service/apicurio-registry",
          "ConfigMap/selfstream-client",
          "ConfigMap/selfstream-normalizer",
          "ConfigMap/selfstream-views",
          "ConfigMap/selfstream-apps",
          "ConfigMap/selfstream-trainer",
          "Deployment/selfstream-normalizer",
          "FlinkDeployment/selfstream-views",
          "PersistentVolumeClaim/selfstream-flink-data",
          "Deployment/selfstream-trainer-selfstream",
          "PersistentVolumeClaim/selfstream-trainer-selfstream-data",
          "Deployment/selfstream-trainer-tent",
          "PersistentVolumeClaim/selfstream-trainer-tent-data",
          "Deployment/selfstream-trainer-selftrain",
          "PersistentVolumeClaim/selfstream-trainer-selftrain-data",
          "Deployment/selfstream-segmentation");

  private final Map<String, List<ObjectNode>> rendered = Deploy.renderAll();

  @Test
  void everyOverlayRendersTheSameSetOfResources() {
    rendered.forEach(
        (name, resources) -> {
          System.out.println(
              name
                  + ": "
                  + resources.size()
                  + " resources "
                  + resources.stream().map(Kustomize::id).toList());
          assertThat(resources)
              .extracting(Kustomize::id)
              .as(name)
              .containsExactlyElementsOf(EXPECTED);
        });
  }

  @Test
  void namespaceAndPartOfLabelAreOnEveryResource() {
    rendered.forEach(
        (name, resources) -> {
          for (ObjectNode r : resources) {
            if (!r.path("kind").asText().equals("Namespace")) {
              assertThat(r.at("/metadata/namespace").asText())
                  .as(Kustomize.id(r))
                  .isEqualTo("selfstream");
            }
            assertThat(r.at("/metadata/labels/app.kubernetes.io~1part-of").asText())
                .as(Kustomize.id(r))
                .isEqualTo("selfstream");
          }
        });
  }

  @Test
  void devShrinksKafkaAndReplicas() {
    List<ObjectNode> dev = rendered.get("dev");
    assertThat(
            Deploy.find(dev, "KafkaNodePool", "dual-role")
                .orElseThrow()
                .at("/spec/replicas")
                .asInt())
        .isEqualTo(1);
    assertThat(Deploy.ofKind(dev, "KafkaTopic"))
        .allSatisfy(t -> assertThat(t.at("/spec/replicas").asInt()).isEqualTo(1));
    JsonNode kafkaConfig =
        Deploy.find(dev, "Kafka", "selfstream").orElseThrow().at("/spec/kafka/config");
    assertThat(kafkaConfig.get("default.replication.factor").asInt()).isEqualTo(1);
    // the patch merged into the base config, it did not replace it
    assertThat(kafkaConfig.get("message.max.bytes").asInt()).isEqualTo(2097152);
    assertThat(
            Deploy.find(dev, "Deployment", "selfstream-normalizer")
                .orElseThrow()
                .at("/spec/replicas")
                .asInt())
        .isEqualTo(1);
    assertThat(
            Deploy.find(dev, "PersistentVolumeClaim", "selfstream-flink-data")
                .orElseThrow()
                .at("/spec/accessModes/0")
                .asText())
        .isEqualTo("ReadWriteOnce");
    // the merge kept the container's other fields
    JsonNode trainer =
        Deploy.find(dev, "Deployment", "selfstream-trainer-tent")
            .orElseThrow()
            .at("/spec/template/spec/containers/0");
    assertThat(trainer.at("/resources/requests/cpu").asText()).isEqualTo("1");
    assertThat(trainer.at("/args/3").asText()).isEqualTo("tent");
    assertThat(trainer.at("/readinessProbe/httpGet/path").asText()).isEqualTo("/healthz");
  }

  @Test
  void gpuOverlayPutsEveryTrainerAndOnlyTrainersOnAGpu() {
    List<ObjectNode> base = rendered.get("base");
    for (String overlay : List.of("base", "dev", "gpu")) {
      for (ObjectNode d : Deploy.ofKind(rendered.get(overlay), "Deployment")) {
        boolean trainer =
            d.at("/metadata/labels/app.kubernetes.io~1component").asText().equals("trainer");
        for (JsonNode c : d.at("/spec/template/spec/containers")) {
          boolean gpu = c.at("/resources/limits/nvidia.com~1gpu").isTextual();
          assertThat(gpu)
              .as(overlay + " " + Kustomize.id(d))
              .isEqualTo(overlay.equals("gpu") && trainer);
          if (overlay.equals("gpu") && trainer) {
            assertThat(c.at("/resources/limits/nvidia.com~1gpu").asText()).isEqualTo("1");
            assertThat(c.path("image").asText()).endsWith("-cuda");
            assertThat(d.at("/spec/template/spec/tolerations/0/key").asText())
                .isEqualTo("nvidia.com/gpu");
            // env merged by name: the overlay's value wins, the base's other variables stay
            assertThat(c.get("env").findValuesAsText("name"))
                .contains("DJL_CACHE_DIR", "NVIDIA_DRIVER_CAPABILITIES");
          } else {
            assertThat(c.path("image").asText()).doesNotEndWith("-cuda");
          }
        }
      }
    }
    assertThat(Deploy.ofKind(base, "Deployment")).hasSize(6);
  }

  @Test
  void kustomizationsUseOnlyWhatTheRendererImplements() throws Exception {
    try (Stream<Path> files = Files.walk(Deploy.dir())) {
      List<Path> kustomizations =
          files
              .filter(p -> p.getFileName().toString().equals("kustomization.yaml"))
              .filter(p -> !p.toString().contains("/src/") && !p.toString().contains("/target/"))
              .toList();
      assertThat(kustomizations).hasSize(3);
      for (Path k : kustomizations) {
        JsonNode doc = Kustomize.readAll(k).get(0);
        assertThat(doc.path("apiVersion").asText()).isEqualTo("kustomize.config.k8s.io/v1beta1");
        doc.fieldNames()
            .forEachRemaining(
                f -> assertThat(Kustomize.SUPPORTED_FIELDS).as(k + " " + f).contains(f));
      }
    }
  }

  @Test
  void aPatchThatMatchesNothingFailsTheRender() {
    assertThatThrownBy(() -> Kustomize.build(Deploy.broken("unmatched-patch")))
        .hasMessageContaining("matches nothing");
  }
}
