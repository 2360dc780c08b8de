package io.selfstream.ops.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A process's Prometheus endpoint: {@code GET /metrics} in the Prometheus text format from one
 * {@link PrometheusMeterRegistry} that every component of the process registers its meters in, and
 * {@code GET /healthz} for probes. Further handlers (the dashboard) can be mounted with {@link
 * #mount}. Plain JDK HTTP server: no servlet container for one scrape endpoint.
 */
public final class MetricsServer implements AutoCloseable {

  private final PrometheusMeterRegistry registry;
  private final HttpServer server;
  private final ExecutorService executor;
  private final JvmGcMetrics gcMetrics = new JvmGcMetrics();

  private MetricsServer(PrometheusMeterRegistry registry, HttpServer server, ExecutorService ex) {
    this.registry = registry;
    this.server = server;
    this.executor = ex;
  }

  /** A registry with the JVM/process binders, served on {@code settings}' address. */
  public static MetricsServer start(MetricsSettings settings) throws IOException {
    if (!settings.enabled()) {
      throw new IllegalArgumentException("metrics endpoint is off (metrics.port = -1)");
    }
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    HttpServer server =
        HttpServer.create(new InetSocketAddress(settings.host(), settings.port()), 16);
    ExecutorService executor =
        Executors.newFixedThreadPool(
            2,
            r -> {
              Thread t = new Thread(r, "metrics-http");
              t.setDaemon(true);
              return t;
            });
    server.setExecutor(executor);
    MetricsServer m = new MetricsServer(registry, server, executor);
    new ClassLoaderMetrics().bindTo(registry);
    new JvmMemoryMetrics().bindTo(registry);
    m.gcMetrics.bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    server.createContext(
        "/metrics",
        exchange ->
            respond(exchange, 200, "text/plain; version=0.0.4; charset=utf-8", registry.scrape()));
    server.createContext("/healthz", exchange -> respond(exchange, 200, "text/plain", "ok\n"));
    server.start();
    return m;
  }

  /** The registry to register meters in. */
  public MeterRegistry registry() {
    return registry;
  }

  /** The bound port (useful with port 0). */
  public int port() {
    return server.getAddress().getPort();
  }

  /** {@code http://host:port} of this server. */
  public String baseUrl() {
    InetSocketAddress a = server.getAddress();
    return "http://" + a.getHostString() + ":" + a.getPort();
  }

  /** Serves {@code handler} under {@code path}. */
  public void mount(String path, HttpHandler handler) {
    server.createContext(path, handler);
  }

  /** Writes a complete response and closes the exchange. */
  public static void respond(HttpExchange exchange, int status, String contentType, String body)
      throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", contentType);
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
    gcMetrics.close();
    registry.close();
  }
}
