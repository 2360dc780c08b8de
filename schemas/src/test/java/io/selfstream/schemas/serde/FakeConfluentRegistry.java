package io.selfstream.schemas.serde;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.avro.Schema;

/**
 * A tiny in-process stand-in for the Confluent Schema Registry REST API, unit tests only: {@code
 * POST /subjects/{s}/versions}, {@code POST /subjects/{s}} and {@code GET /schemas/ids/{id}}, with
 * Confluent's error bodies. Ids are global, one per distinct schema.
 */
final class FakeConfluentRegistry implements AutoCloseable {

  final HttpServer server;
  final ObjectMapper json = new ObjectMapper();
  final Map<String, Integer> idsBySchema = new ConcurrentHashMap<>();
  final Map<Integer, String> schemasById = new ConcurrentHashMap<>();
  final Map<String, List<Integer>> subjects = new ConcurrentHashMap<>();
  final AtomicInteger nextId = new AtomicInteger(1);
  final AtomicInteger registrations = new AtomicInteger();
  final AtomicInteger lookups = new AtomicInteger();
  final AtomicInteger fetches = new AtomicInteger();
  volatile int failRegistrationsWith;

  FakeConfluentRegistry() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", this::handle);
    server.start();
  }

  String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /** Registers directly (as another producer would have). */
  int register(String subject, Schema schema) {
    String text = schema.toString();
    int id = idsBySchema.computeIfAbsent(text, t -> nextId.getAndIncrement());
    schemasById.put(id, text);
    List<Integer> versions = subjects.computeIfAbsent(subject, s -> new ArrayList<>());
    synchronized (versions) {
      if (!versions.contains(id)) {
        versions.add(id);
      }
    }
    return id;
  }

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      String path = ex.getRequestURI().getRawPath();
      String method = ex.getRequestMethod();
      if (method.equals("GET") && path.startsWith("/schemas/ids/")) {
        fetches.incrementAndGet();
        int id = Integer.parseInt(path.substring("/schemas/ids/".length()));
        String schema = schemasById.get(id);
        if (schema == null) {
          error(ex, 404, 40403, "Schema " + id + " not found");
        } else {
          send(ex, 200, json.writeValueAsString(Map.of("schema", schema)));
        }
        return;
      }
      if (method.equals("POST") && path.startsWith("/subjects/")) {
        String contentType = ex.getRequestHeaders().getFirst("Content-Type");
        if (!ConfluentRegistryClient.CONTENT_TYPE.equals(contentType)) {
          error(ex, 415, 415, "unsupported content type " + contentType);
          return;
        }
        JsonNode body = json.readTree(ex.getRequestBody());
        Schema schema = new Schema.Parser().parse(body.get("schema").asText());
        String rest = path.substring("/subjects/".length());
        if (rest.endsWith("/versions")) {
          registrations.incrementAndGet();
          String subject = decode(rest.substring(0, rest.length() - "/versions".length()));
          if (failRegistrationsWith != 0) {
            error(
                ex,
                failRegistrationsWith,
                failRegistrationsWith * 100 + 9,
                "Schema being registered is incompatible with an earlier schema for subject '"
                    + subject
                    + "'");
            return;
          }
          send(ex, 200, json.writeValueAsString(Map.of("id", register(subject, schema))));
        } else {
          lookups.incrementAndGet();
          String subject = decode(rest);
          List<Integer> versions = subjects.get(subject);
          Integer id = idsBySchema.get(schema.toString());
          if (versions == null) {
            error(ex, 404, 40401, "Subject '" + subject + "' not found.");
          } else if (id == null || !versions.contains(id)) {
            error(ex, 404, 40403, "Schema not found");
          } else {
            send(
                ex,
                200,
                json.writeValueAsString(
                    Map.of(
                        "subject",
                        subject,
                        "version",
                        versions.indexOf(id) + 1,
                        "id",
                        id,
                        "schema",
                        schema.toString())));
          }
        }
        return;
      }
      error(ex, 404, 404, "no route " + method + " " + path);
    }
  }

  private void error(HttpExchange ex, int status, int code, String message) throws IOException {
    send(ex, status, json.writeValueAsString(Map.of("error_code", code, "message", message)));
  }

  private static void send(HttpExchange ex, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", ConfluentRegistryClient.CONTENT_TYPE);
    ex.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }

  private static String decode(String s) {
    return URLDecoder.decode(s, StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
