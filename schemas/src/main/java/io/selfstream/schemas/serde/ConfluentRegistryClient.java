package io.selfstream.schemas.serde;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;

/**
 * A minimal client of the Confluent Schema Registry REST API (also served by Apicurio Registry
 * under {@code /apis/ccompat/v7}), with the caches a serde needs: subject + schema to id, and id to
 * schema. Only three endpoints are used:
 *
 * <ul>
 *   <li>{@code POST /subjects/{subject}/versions} registers a schema (or finds it when already
 *       registered) and answers its global id;
 *   <li>{@code POST /subjects/{subject}} looks up a schema under a subject without registering;
 *   <li>{@code GET /schemas/ids/{id}} fetches a writer schema by id.
 * </ul>
 *
 * <p>Thread-safe. {@link #shared(String)} gives one instance per URL so the many serde instances a
 * Kafka Streams app or Flink job creates share their caches.
 */
public final class ConfluentRegistryClient {

  /** Content type of the Confluent REST API. */
  public static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";

  private static final ConcurrentHashMap<String, ConfluentRegistryClient> SHARED =
      new ConcurrentHashMap<>();

  private final String baseUrl;
  private final HttpClient http;
  private final Duration requestTimeout;
  private final ObjectMapper json = new ObjectMapper();
  private final Map<String, Map<Schema, Integer>> idsBySubject = new ConcurrentHashMap<>();
  private final Map<Integer, Schema> schemasById = new ConcurrentHashMap<>();

  /**
   * @param baseUrl registry base URL, e.g. {@code http://localhost:8081} for Confluent or {@code
   *     http://localhost:8080/apis/ccompat/v7} for Apicurio
   */
  public ConfluentRegistryClient(String baseUrl) {
    this(
        baseUrl,
        HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build(),
        Duration.ofSeconds(30));
  }

  public ConfluentRegistryClient(String baseUrl, HttpClient http, Duration requestTimeout) {
    Objects.requireNonNull(baseUrl, "baseUrl");
    if (!baseUrl.matches("https?://.+")) {
      throw new IllegalArgumentException("registry URL must be http(s)://..., got " + baseUrl);
    }
    this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    this.http = Objects.requireNonNull(http, "http");
    this.requestTimeout = Objects.requireNonNull(requestTimeout, "requestTimeout");
  }

  /** The process-wide client of {@code baseUrl} (one cache per registry). */
  public static ConfluentRegistryClient shared(String baseUrl) {
    String key = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    return SHARED.computeIfAbsent(key, ConfluentRegistryClient::new);
  }

  public String baseUrl() {
    return baseUrl;
  }

  /** The TopicNameStrategy subject: {@code <topic>-value} or {@code <topic>-key}. */
  public static String subject(String topic, boolean isKey) {
    return topic + (isKey ? "-key" : "-value");
  }

  /**
   * The id of {@code schema} under {@code subject}: from the cache, else registered ({@code
   * autoRegister}) or looked up.
   *
   * @param topic only for error messages
   */
  public int idFor(String topic, String subject, Schema schema, boolean autoRegister) {
    Map<Schema, Integer> ids =
        idsBySubject.computeIfAbsent(subject, s -> new ConcurrentHashMap<>());
    Integer id = ids.get(schema);
    if (id != null) {
      return id;
    }
    int fresh = autoRegister ? register(topic, subject, schema) : lookup(topic, subject, schema);
    ids.putIfAbsent(schema, fresh);
    schemasById.putIfAbsent(fresh, schema);
    return fresh;
  }

  /** {@code POST /subjects/{subject}/versions}: registers (or finds) the schema, answers its id. */
  public int register(String topic, String subject, Schema schema) {
    String url = baseUrl + "/subjects/" + encode(subject) + "/versions";
    JsonNode answer = post(url, schemaBody(schema), "register the schema of", topic, subject);
    return idOf(answer, url, topic, subject);
  }

  /** {@code POST /subjects/{subject}}: the id of an already registered schema. */
  public int lookup(String topic, String subject, Schema schema) {
    String url = baseUrl + "/subjects/" + encode(subject);
    JsonNode answer =
        post(
            url,
            schemaBody(schema),
            "look up (auto-register is off) the schema of",
            topic,
            subject);
    return idOf(answer, url, topic, subject);
  }

  /** {@code GET /schemas/ids/{id}}: the writer schema with this id, cached. */
  public Schema schemaById(int id, String topic) {
    Schema cached = schemasById.get(id);
    if (cached != null) {
      return cached;
    }
    String url = baseUrl + "/schemas/ids/" + id;
    String what = "fetch writer schema id " + id + " for topic '" + topic + "'";
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(url))
            .timeout(requestTimeout)
            .header("Accept", CONTENT_TYPE + ", application/json")
            .GET()
            .build();
    JsonNode answer = send(request, what, url);
    JsonNode type = answer.get("schemaType");
    if (type != null && !type.isNull() && !"AVRO".equalsIgnoreCase(type.asText())) {
      throw new RegistryException(
          "cannot " + what + ": schema type is " + type.asText() + ", not AVRO (" + url + ")", 200);
    }
    JsonNode text = answer.get("schema");
    if (text == null || !text.isTextual()) {
      throw new RegistryException(
          "cannot " + what + ": answer of GET " + url + " has no 'schema' string", 200);
    }
    Schema schema;
    try {
      schema = new Schema.Parser().parse(text.asText());
    } catch (SchemaParseException e) {
      throw new RegistryException("cannot " + what + ": schema from " + url + " does not parse", e);
    }
    Schema previous = schemasById.putIfAbsent(id, schema);
    return previous != null ? previous : schema;
  }

  private String schemaBody(Schema schema) {
    try {
      return json.writeValueAsString(Map.of("schema", schema.toString()));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private JsonNode post(String url, String body, String verb, String topic, String subject) {
    String what = verb + " topic '" + topic + "' (subject '" + subject + "')";
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(url))
            .timeout(requestTimeout)
            .header("Content-Type", CONTENT_TYPE)
            .header("Accept", CONTENT_TYPE + ", application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
            .build();
    return send(request, what, url);
  }

  private int idOf(JsonNode answer, String url, String topic, String subject) {
    JsonNode id = answer.get("id");
    if (id == null || !id.canConvertToInt()) {
      throw new RegistryException(
          "schema registry answer of POST "
              + url
              + " for topic '"
              + topic
              + "' (subject '"
              + subject
              + "') has no integer 'id': "
              + abbreviate(answer.toString()),
          200);
    }
    return id.asInt();
  }

  private JsonNode send(HttpRequest request, String what, String url) {
    HttpResponse<String> response;
    try {
      response = http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new RegistryException(
          "cannot " + what + ": schema registry at " + url + " unreachable: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RegistryException("interrupted while trying to " + what + " (" + url + ")", e);
    }
    int status = response.statusCode();
    String body = response.body() == null ? "" : response.body();
    if (status / 100 != 2) {
      throw new RegistryException(
          "cannot "
              + what
              + ": "
              + request.method()
              + " "
              + url
              + " answered HTTP "
              + status
              + errorDetail(body),
          status);
    }
    try {
      return json.readTree(body);
    } catch (IOException e) {
      throw new RegistryException(
          "cannot " + what + ": answer of " + url + " is not JSON: " + abbreviate(body), e);
    }
  }

  /** The Confluent error body is {@code {"error_code":40401,"message":"..."}}. */
  private String errorDetail(String body) {
    if (body.isBlank()) {
      return "";
    }
    try {
      JsonNode node = json.readTree(body);
      if (node != null && node.has("message")) {
        String code = node.has("error_code") ? " (error_code " + node.get("error_code") + ")" : "";
        return ": " + node.get("message").asText() + code;
      }
    } catch (IOException ignored) {
      // not JSON: show it raw
    }
    return ": " + abbreviate(body);
  }

  private static String abbreviate(String s) {
    return s.length() <= 300 ? s : s.substring(0, 300) + "...";
  }

  private static String encode(String subject) {
    return URLEncoder.encode(subject, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
