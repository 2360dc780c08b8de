package io.selfstream.ops.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.selfstream.config.Config;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;
import org.apache.kafka.streams.KafkaStreams;

/**
 * The metrics of one long-running service command: a {@link MetricsServer} when {@code metrics.port
 * >= 0}, otherwise an in-memory registry nobody scrapes, so the command registers its meters the
 * same way either way and never branches on whether metrics are on. Binders that hold resources
 * (Kafka client metrics, per-service meters) are {@linkplain #track tracked} and closed in reverse
 * order before the endpoint stops.
 *
 * <pre>{@code
 * try (ServiceMetrics metrics = ServiceMetrics.start(config)) {
 *   app = new NormalizerApp(..., new NormalizerMeters(metrics.registry()));
 *   metrics.bind(app.streams());
 *   ...
 * }
 * }</pre>
 */
public final class ServiceMetrics implements AutoCloseable {

  private final MetricsServer server;
  private final MeterRegistry registry;
  private final Deque<AutoCloseable> tracked = new ArrayDeque<>();

  private ServiceMetrics(MetricsServer server, MeterRegistry registry) {
    this.server = server;
    this.registry = registry;
  }

  /** The endpoint of {@code config}'s {@code metrics.*} keys, or none when the port is -1. */
  public static ServiceMetrics start(Config config) throws IOException {
    return start(MetricsSettings.from(config));
  }

  /** The endpoint of {@code settings}, or none when they are off. */
  public static ServiceMetrics start(MetricsSettings settings) throws IOException {
    if (!settings.enabled()) {
      return new ServiceMetrics(null, new SimpleMeterRegistry());
    }
    MetricsServer server = MetricsServer.start(settings);
    return new ServiceMetrics(server, server.registry());
  }

  /** Where to register meters (the served Prometheus registry when on). */
  public MeterRegistry registry() {
    return registry;
  }

  /** {@code http://host:port/metrics} when served. */
  public Optional<String> url() {
    return server == null ? Optional.empty() : Optional.of(server.baseUrl() + "/metrics");
  }

  /**
   * Binds the Kafka Streams client's metrics (consumer {@code records-lag-max}, producer and stream
   * thread rates, as {@code kafka_*}); unbound on {@link #close()}.
   */
  public void bind(KafkaStreams streams) {
    KafkaStreamsMetrics binder = new KafkaStreamsMetrics(streams);
    binder.bindTo(registry);
    track(binder);
  }

  /** Closes {@code resource} (first tracked, last closed) when this closes. */
  public <T extends AutoCloseable> T track(T resource) {
    synchronized (tracked) {
      tracked.push(resource);
    }
    return resource;
  }

  /** A line for the command's start-up banner. */
  public String describe() {
    return url().map(u -> "metrics on " + u).orElse("metrics endpoint off (metrics.port = -1)");
  }

  @Override
  public void close() {
    synchronized (tracked) {
      while (!tracked.isEmpty()) {
        try {
          tracked.pop().close();
        } catch (Exception e) {
          // a binder failing to close must not keep the endpoint (and its port) open
          System.err.println("metrics: closing a binder failed: " + e);
        }
      }
    }
    if (server != null) {
      server.close();
    } else {
      registry.close();
    }
  }
}
