package io.selfstream.ops.dashboard;

import com.sun.net.httpserver.HttpExchange;
import io.selfstream.ops.metrics.MetricsServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Mounts the dashboard on a {@link MetricsServer}: the page at {@code /}, its script and Chart.js
 * from the jar ({@code /dashboard.js}, {@code /chart.umd.js}), and the state as JSON at {@code
 * /api/state}. {@code /metrics} and {@code /healthz} stay where they are.
 */
public final class DashboardServer {

  /** Path of the state document. */
  public static final String STATE_PATH = "/api/state";

  private static final Map<String, String> FILES =
      Map.of(
          "/", "index.html",
          "/index.html", "index.html",
          "/dashboard.js", "dashboard.js",
          "/chart.umd.js", "chart.umd.js");

  private DashboardServer() {}

  /**
   * Serves the dashboard on {@code server}; {@code state} gives the JSON document on every request
   * (null = no state yet, answered 503).
   */
  public static void mount(MetricsServer server, Supplier<String> state) {
    server.mount(
        STATE_PATH,
        exchange -> {
          String doc = state.get();
          exchange.getResponseHeaders().set("Cache-Control", "no-store");
          if (doc == null) {
            MetricsServer.respond(exchange, 503, "text/plain", "no dashboard state yet\n");
          } else {
            MetricsServer.respond(exchange, 200, "application/json", doc);
          }
        });
    server.mount("/", DashboardServer::serveFile);
  }

  private static void serveFile(HttpExchange exchange) throws IOException {
    String file = FILES.get(exchange.getRequestURI().getPath());
    if (file == null || !"GET".equals(exchange.getRequestMethod())) {
      MetricsServer.respond(exchange, 404, "text/plain", "not found\n");
      return;
    }
    byte[] bytes;
    try (InputStream in = DashboardServer.class.getResourceAsStream("/dashboard/" + file)) {
      if (in == null) {
        MetricsServer.respond(exchange, 500, "text/plain", "missing resource " + file + "\n");
        return;
      }
      bytes = in.readAllBytes();
    }
    String type =
        file.endsWith(".html") ? "text/html; charset=utf-8" : "text/javascript; charset=utf-8";
    exchange.getResponseHeaders().set("Content-Type", type);
    exchange.sendResponseHeaders(200, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }
}
