package io.selfstream.ops.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** Paths of ops/deploy and helpers over rendered resources. */
final class Deploy {

  private Deploy() {}

  /** ops/deploy (the module's base directory, where surefire runs). */
  static Path dir() {
    Path base = Path.of(System.getProperty("basedir", ".")).toAbsolutePath().normalize();
    if (!Files.isDirectory(base.resolve("base"))) {
      throw new IllegalStateException("not ops/deploy: " + base);
    }
    return base;
  }

  /** The repository root. */
  static Path repo() {
    return dir().getParent().getParent();
  }

  /** A deliberately broken kustomization under src/test/resources/broken (source tree paths). */
  static Path broken(String name) {
    return dir().resolve("src/test/resources/broken").resolve(name);
  }

  static final List<String> OVERLAYS = List.of("dev", "gpu");

  /** Rendered base and overlays, by name ("base", "dev", "gpu"). */
  static Map<String, List<ObjectNode>> renderAll() {
    Map<String, List<ObjectNode>> all = new TreeMap<>();
    all.put("base", Kustomize.build(dir().resolve("base")));
    for (String overlay : OVERLAYS) {
      all.put(overlay, Kustomize.build(dir().resolve("overlays").resolve(overlay)));
    }
    return all;
  }

  static List<ObjectNode> ofKind(List<ObjectNode> resources, String kind) {
    List<ObjectNode> out = new ArrayList<>();
    for (ObjectNode r : resources) {
      if (kind.equals(r.path("kind").asText())) {
        out.add(r);
      }
    }
    return out;
  }

  static Optional<ObjectNode> find(List<ObjectNode> resources, String kind, String name) {
    return resources.stream()
        .filter(r -> kind.equals(r.path("kind").asText()))
        .filter(r -> name.equals(r.at("/metadata/name").asText()))
        .findFirst();
  }

  /** The pod spec of a Deployment or the pod template of a FlinkDeployment. */
  static JsonNode podSpec(JsonNode workload) {
    return "FlinkDeployment".equals(workload.path("kind").asText())
        ? workload.at("/spec/podTemplate/spec")
        : workload.at("/spec/template/spec");
  }
}
