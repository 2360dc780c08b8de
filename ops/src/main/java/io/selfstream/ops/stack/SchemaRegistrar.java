package io.selfstream.ops.stack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.selfstream.schemas.TopicSpec;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificData;

/**
 * Registers the value schema of every catalogue topic under the subject {@code <topic>-value}
 * through the Confluent-compatible API, which both registry families serve. Registering an
 * identical schema again returns the existing id, so this is idempotent.
 */
public final class SchemaRegistrar {

  private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
  private final String confluentUrl;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final ObjectMapper json = new ObjectMapper();

  /** {@code confluentUrl}: e.g. {@code http://127.0.0.1:8081/apis/ccompat/v7}. */
  public SchemaRegistrar(String confluentUrl) {
    this.confluentUrl = confluentUrl.replaceAll("/+$", "");
  }

  /** Registers all value schemas; returns subject -> schema id. */
  public Map<String, Integer> registerAll(List<TopicSpec<?>> topics)
      throws IOException, InterruptedException {
    Map<String, Integer> ids = new LinkedHashMap<>();
    for (TopicSpec<?> topic : topics) {
      Schema schema = SpecificData.get().getSchema(topic.valueType());
      String subject = topic.name() + "-value";
      ids.put(subject, register(subject, schema));
    }
    return ids;
  }

  int register(String subject, Schema schema) throws IOException, InterruptedException {
    String body = json.writeValueAsString(Map.of("schema", schema.toString()));
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(confluentUrl + "/subjects/" + subject + "/versions"))
            .timeout(Duration.ofSeconds(10))
            .header("Content-Type", CONTENT_TYPE)
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build();
    HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() / 100 != 2) {
      throw new IOException(
          "registering "
              + subject
              + " at "
              + confluentUrl
              + " failed: HTTP "
              + response.statusCode()
              + " "
              + response.body());
    }
    JsonNode id = json.readTree(response.body()).get("id");
    if (id == null) {
      throw new IOException(
          "registry answered without an id for " + subject + ": " + response.body());
    }
    return id.asInt();
  }

  /** Subjects the registry knows. */
  public List<String> subjects() throws IOException, InterruptedException {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(confluentUrl + "/subjects"))
            .timeout(Duration.ofSeconds(10))
            .GET()
            .build();
    HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IOException("listing subjects failed: HTTP " + response.statusCode());
    }
    return List.of(json.readValue(response.body(), String[].class));
  }
}
