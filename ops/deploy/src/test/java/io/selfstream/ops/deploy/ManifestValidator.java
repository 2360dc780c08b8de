package io.selfstream.ops.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Validates rendered manifests against the schemas shipped in {@code src/test/resources/schemas}
 * (see SOURCES.md there): the fabric8 JSON Schema of the Kubernetes core/apps API, and the
 * openAPIV3Schema of each CRD version. Strict, like {@code kubectl apply --validate=strict}: a
 * field the schema does not declare is an error (unless the schema preserves unknown fields).
 */
final class ManifestValidator {

  private static final JsonNodeFactory F = JsonNodeFactory.instance;
  private static final String K8S_SCHEMA =
      "/schemas/k8s/fabric8-kubernetes-model-apps-6.13.4-validation-schema.json";

  /** JSON Schema keywords kept from the source schemas; vendor extensions are dropped. */
  private static final Set<String> KEYWORDS =
      Set.of(
          "type",
          "properties",
          "additionalProperties",
          "items",
          "$ref",
          "enum",
          "required",
          "anyOf",
          "oneOf",
          "allOf",
          "not",
          "minimum",
          "maximum",
          "exclusiveMinimum",
          "exclusiveMaximum",
          "minLength",
          "maxLength",
          "minItems",
          "maxItems",
          "pattern",
          "definitions");

  private final JsonSchemaFactory factory =
      JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V7);
  private final ObjectNode k8sDefinitions;

  /** "group/version/Kind" -> strict schema of a custom resource. */
  private final Map<String, JsonSchema> crdSchemas = new LinkedHashMap<>();

  private final Map<String, JsonSchema> k8sSchemas = new LinkedHashMap<>();

  ManifestValidator() {
    try (InputStream in = ManifestValidator.class.getResourceAsStream(K8S_SCHEMA)) {
      JsonNode raw = new ObjectMapper().readTree(in);
      ObjectNode defs = F.objectNode();
      raw.get("definitions")
          .fields()
          .forEachRemaining(e -> defs.set(e.getKey(), sanitize(e.getValue(), false)));
      // the API server accepts quantities and int-or-strings as scalars, not as Java beans
      defs.set("k8s_io_apimachinery_pkg_api_resource_Quantity", types("string", "number"));
      defs.set("kubernetes_apimachinery_pkg_util_intstr_IntOrString", types("string", "integer"));
      this.k8sDefinitions = defs;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Path crdDir = resourceDir("/schemas/crds");
    try (Stream<Path> files = Files.list(crdDir)) {
      for (Path file : files.sorted().toList()) {
        if (!file.toString().endsWith(".yaml") && !file.toString().endsWith(".yml")) {
          continue;
        }
        JsonNode crd = Kustomize.readAll(file).get(0);
        String group = crd.at("/spec/group").asText();
        String kind = crd.at("/spec/names/kind").asText();
        for (JsonNode version : crd.at("/spec/versions")) {
          if (!version.path("served").asBoolean()) {
            continue;
          }
          ObjectNode schema = (ObjectNode) sanitize(version.at("/schema/openAPIV3Schema"), true);
          // the API server handles these for every kind; some CRDs leave them out
          ObjectNode props = schema.withObject("/properties");
          props.putIfAbsent("apiVersion", types("string"));
          props.putIfAbsent("kind", types("string"));
          props.putIfAbsent("metadata", types("object"));
          crdSchemas.put(
              group + "/" + version.get("name").asText() + "/" + kind, factory.getSchema(schema));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Path resourceDir(String name) {
    try {
      return Path.of(ManifestValidator.class.getResource(name).toURI());
    } catch (Exception e) {
      throw new IllegalStateException("test resource " + name + " missing", e);
    }
  }

  /** The kinds with a schema, as "apiVersion/Kind" (core as "v1/Kind"). */
  Set<String> customResourceKinds() {
    return crdSchemas.keySet();
  }

  /** Errors of one resource; empty when valid. A kind without a schema is an error. */
  List<String> validate(JsonNode resource) {
    String apiVersion = resource.path("apiVersion").asText();
    String kind = resource.path("kind").asText();
    JsonSchema schema = schemaFor(apiVersion, kind);
    List<String> errors = new ArrayList<>();
    if (schema == null) {
      errors.add(Kustomize.id(resource) + ": no schema for " + apiVersion + " " + kind);
      return errors;
    }
    for (ValidationMessage m : schema.validate(resource)) {
      errors.add(Kustomize.id(resource) + ": " + m.getMessage());
    }
    String name = resource.at("/metadata/name").asText("");
    if (!name.matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")
        || name.length() > 253) {
      errors.add(Kustomize.id(resource) + ": metadata.name is not a DNS-1123 subdomain");
    }
    return errors;
  }

  private JsonSchema schemaFor(String apiVersion, String kind) {
    String group =
        switch (apiVersion) {
          case "v1" -> "core";
          case "apps/v1" -> "apps";
          default -> null;
        };
    if (group == null) {
      return crdSchemas.get(apiVersion + "/" + kind);
    }
    String def = "kubernetes_" + group + "_" + kind;
    if (!k8sDefinitions.has(def)) {
      return null;
    }
    return k8sSchemas.computeIfAbsent(
        def,
        d -> {
          ObjectNode root = F.objectNode();
          root.put("$schema", "http://json-schema.org/draft-07/schema#");
          root.put("$ref", "#/definitions/" + d);
          root.set("definitions", k8sDefinitions);
          return factory.getSchema(root);
        });
  }

  private static ObjectNode types(String... types) {
    ObjectNode n = F.objectNode();
    ArrayNode a = n.putArray("type");
    for (String t : types) {
      a.add(t);
    }
    return n;
  }

  /**
   * A schema reduced to standard keywords, made strict: objects that declare properties reject
   * undeclared ones (unless {@code x-kubernetes-preserve-unknown-fields}); OpenAPI's {@code
   * nullable} and {@code x-kubernetes-int-or-string} become JSON Schema types.
   */
  static JsonNode sanitize(JsonNode schema, boolean openApi) {
    if (!schema.isObject()) {
      return schema;
    }
    ObjectNode out = F.objectNode();
    for (Iterator<Map.Entry<String, JsonNode>> it = schema.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String key = e.getKey();
      JsonNode value = e.getValue();
      if (!KEYWORDS.contains(key)) {
        continue;
      }
      switch (key) {
        case "properties", "definitions" -> {
          ObjectNode props = out.putObject(key);
          value
              .fields()
              .forEachRemaining(p -> props.set(p.getKey(), sanitize(p.getValue(), openApi)));
        }
        case "items", "additionalProperties", "not" ->
            out.set(key, value.isObject() ? sanitize(value, openApi) : value);
        case "anyOf", "oneOf", "allOf" -> {
          ArrayNode list = out.putArray(key);
          value.forEach(v -> list.add(sanitize(v, openApi)));
        }
        case "required" -> {
          if (value.isArray()) {
            out.set(key, value);
          }
        }
        default -> out.set(key, value);
      }
    }
    boolean preserve = schema.path("x-kubernetes-preserve-unknown-fields").asBoolean(false);
    if (out.has("properties") && !preserve) {
      JsonNode ap = out.get("additionalProperties");
      if (ap == null || ap.isBoolean()) {
        out.put("additionalProperties", false);
      }
    }
    if (schema.path("x-kubernetes-int-or-string").asBoolean(false)) {
      out.remove("anyOf");
      out.set("type", types("integer", "string").get("type"));
    }
    if (openApi && schema.path("nullable").asBoolean(false) && out.has("type")) {
      JsonNode t = out.get("type");
      ArrayNode a = F.arrayNode();
      if (t.isArray()) {
        a.addAll((ArrayNode) t);
      } else {
        a.add(t);
      }
      a.add("null");
      out.set("type", a);
    }
    return out;
  }
}
