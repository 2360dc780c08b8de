package io.selfstream.ops.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A tiny, strict subset of {@code kustomize build}: enough for ops/deploy, and it refuses any
 * kustomization field it does not implement (so a new field cannot be silently ignored here while
 * kubectl applies it).
 *
 * <p>Supported: {@code resources} (files and directories with a kustomization), {@code namespace}
 * (set on every namespaced resource), {@code labels} (pairs, metadata only), {@code patches}
 * (strategic-merge patch files, optionally with a {@code target} of kind / name / labelSelector
 * {@code k=v[,k=v]}; with a target the patch's own name is ignored, as in kustomize), {@code
 * images} (name, newName, newTag) on {@code containers} / {@code initContainers} of pod templates.
 *
 * <p>Strategic merge: maps merge recursively; {@code null} deletes a key; lists of {@code
 * containers}, {@code initContainers}, {@code env}, {@code volumes} merge by {@code name}, {@code
 * volumeMounts} by {@code mountPath}, {@code ports} by {@code containerPort} in built-in kinds;
 * every other list (and every list in custom resources, which have no patch strategy) is replaced.
 */
final class Kustomize {

  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  static final Set<String> SUPPORTED_FIELDS =
      Set.of("apiVersion", "kind", "namespace", "labels", "resources", "patches", "images");
  private static final Set<String> BUILT_IN_GROUPS = Set.of("v1", "apps/v1");
  private static final Map<String, String> MERGE_KEYS =
      Map.of(
          "containers", "name",
          "initContainers", "name",
          "env", "name",
          "volumes", "name",
          "volumeMounts", "mountPath",
          "ports", "containerPort");

  private Kustomize() {}

  /** Renders the kustomization in {@code dir} to its resources, in order. */
  static List<ObjectNode> build(Path dir) {
    Path file = dir.resolve("kustomization.yaml");
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException("no kustomization.yaml in " + dir);
    }
    ObjectNode k = (ObjectNode) readAll(file).get(0);
    for (Iterator<String> it = k.fieldNames(); it.hasNext(); ) {
      String field = it.next();
      if (!SUPPORTED_FIELDS.contains(field)) {
        throw new IllegalArgumentException(
            file + ": field '" + field + "' is not supported by this renderer");
      }
    }
    List<ObjectNode> out = new ArrayList<>();
    for (JsonNode r : k.path("resources")) {
      Path p = dir.resolve(r.asText()).normalize();
      if (Files.isDirectory(p)) {
        out.addAll(build(p));
      } else {
        for (JsonNode doc : readAll(p)) {
          out.add((ObjectNode) doc);
        }
      }
    }
    for (JsonNode patch : k.path("patches")) {
      applyPatch(dir, patch, out);
    }
    for (JsonNode image : k.path("images")) {
      for (ObjectNode res : out) {
        retagImages(res, image);
      }
    }
    if (k.has("namespace")) {
      String ns = k.get("namespace").asText();
      for (ObjectNode res : out) {
        if (!"Namespace".equals(res.path("kind").asText())) {
          ((ObjectNode) res.get("metadata")).put("namespace", ns);
        }
      }
    }
    for (JsonNode labels : k.path("labels")) {
      for (Iterator<String> it = labels.fieldNames(); it.hasNext(); ) {
        String f = it.next();
        if (!f.equals("pairs")) {
          throw new IllegalArgumentException(file + ": labels." + f + " is not supported");
        }
      }
      for (ObjectNode res : out) {
        ObjectNode meta = (ObjectNode) res.get("metadata");
        ObjectNode l =
            meta.has("labels") ? (ObjectNode) meta.get("labels") : meta.putObject("labels");
        labels.get("pairs").fields().forEachRemaining(e -> l.set(e.getKey(), e.getValue()));
      }
    }
    return out;
  }

  static List<JsonNode> readAll(Path file) {
    try (YAMLParser parser = (YAMLParser) YAML.getFactory().createParser(file.toFile())) {
      List<JsonNode> docs = new ArrayList<>();
      for (Iterator<JsonNode> it = YAML.readValues(parser, JsonNode.class); it.hasNext(); ) {
        JsonNode doc = it.next();
        if (doc != null && !doc.isNull() && !doc.isMissingNode() && !doc.isEmpty()) {
          docs.add(doc);
        }
      }
      return docs;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  static String id(JsonNode res) {
    return res.path("kind").asText() + "/" + res.path("metadata").path("name").asText();
  }

  private static void applyPatch(Path dir, JsonNode spec, List<ObjectNode> resources) {
    for (Iterator<String> it = spec.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!f.equals("path") && !f.equals("target")) {
        throw new IllegalArgumentException("patch field '" + f + "' is not supported");
      }
    }
    Path file = dir.resolve(spec.path("path").asText());
    for (JsonNode patch : readAll(file)) {
      JsonNode target = spec.get("target");
      int matched = 0;
      for (ObjectNode res : resources) {
        boolean hit =
            target == null
                ? id(res).equals(id(patch))
                    && res.path("apiVersion").asText().equals(patch.path("apiVersion").asText())
                : matches(res, target);
        if (hit) {
          ObjectNode copy = patch.deepCopy();
          ((ObjectNode) copy.get("metadata")).remove("name");
          merge(res, copy, BUILT_IN_GROUPS.contains(res.path("apiVersion").asText()));
          matched++;
        }
      }
      if (matched == 0) {
        throw new IllegalArgumentException(file + ": patch " + id(patch) + " matches nothing");
      }
    }
  }

  private static boolean matches(JsonNode res, JsonNode target) {
    for (Iterator<String> it = target.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!Set.of("kind", "name", "labelSelector").contains(f)) {
        throw new IllegalArgumentException("patch target field '" + f + "' is not supported");
      }
    }
    if (target.has("kind") && !target.get("kind").asText().equals(res.path("kind").asText())) {
      return false;
    }
    if (target.has("name")
        && !res.path("metadata").path("name").asText().matches(target.get("name").asText())) {
      return false;
    }
    if (target.has("labelSelector")) {
      for (String term : target.get("labelSelector").asText().split(",")) {
        String[] kv = term.trim().split("=", 2);
        if (!kv[1].equals(res.path("metadata").path("labels").path(kv[0]).asText(null))) {
          return false;
        }
      }
    }
    return true;
  }

  static void merge(ObjectNode into, ObjectNode patch, boolean builtIn) {
    patch
        .fields()
        .forEachRemaining(
            e -> {
              String key = e.getKey();
              JsonNode value = e.getValue();
              JsonNode current = into.get(key);
              if (value.isNull()) {
                into.remove(key);
              } else if (value.isObject() && current != null && current.isObject()) {
                merge((ObjectNode) current, (ObjectNode) value, builtIn);
              } else if (value.isArray()
                  && current != null
                  && current.isArray()
                  && builtIn
                  && MERGE_KEYS.containsKey(key)) {
                mergeList((ArrayNode) current, (ArrayNode) value, MERGE_KEYS.get(key));
              } else {
                into.set(key, value.deepCopy());
              }
            });
  }

  private static void mergeList(ArrayNode current, ArrayNode patch, String mergeKey) {
    Map<String, ObjectNode> byKey = new LinkedHashMap<>();
    for (JsonNode item : current) {
      byKey.put(item.path(mergeKey).asText(), (ObjectNode) item);
    }
    for (JsonNode item : patch) {
      ObjectNode existing = byKey.get(item.path(mergeKey).asText());
      if (existing != null) {
        merge(existing, (ObjectNode) item, true);
      } else {
        current.add(item.deepCopy());
      }
    }
  }

  private static void retagImages(JsonNode node, JsonNode image) {
    if (node.isObject()) {
      for (String list : List.of("containers", "initContainers")) {
        for (JsonNode c : node.path(list)) {
          String ref = c.path("image").asText("");
          String name = ref.contains(":") ? ref.substring(0, ref.lastIndexOf(':')) : ref;
          String tag = ref.contains(":") ? ref.substring(ref.lastIndexOf(':') + 1) : null;
          if (name.equals(image.path("name").asText())) {
            String newName = image.path("newName").asText(name);
            String newTag = image.path("newTag").asText(tag);
            ((ObjectNode) c).put("image", newTag == null ? newName : newName + ":" + newTag);
          }
        }
      }
      node.elements().forEachRemaining(child -> retagImages(child, image));
    } else if (node.isArray()) {
      node.elements().forEachRemaining(child -> retagImages(child, image));
    }
  }
}
