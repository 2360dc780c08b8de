package io.selfstream.ops.metrics;

import io.selfstream.config.Config;
import io.selfstream.config.ConfigKey;
import java.util.List;

/**
 * Where a selfstream process serves its Prometheus metrics (and, for the demo, its dashboard).
 *
 * @param host interface to bind; loopback by default so a laptop demo exposes nothing
 * @param port TCP port; 0 = a free port, -1 = no endpoint
 */
public record MetricsSettings(String host, int port) {

  public static final ConfigKey<String> HOST =
      ConfigKey.string(
          "metrics.host", "127.0.0.1", "interface of the metrics endpoint (0.0.0.0 in containers)");
  public static final ConfigKey<Integer> PORT =
      ConfigKey.integer(
          "metrics.port",
          9404,
          -1,
          65535,
          "port of /metrics (Prometheus); 0 = free port, -1 = off");

  public static final List<ConfigKey<?>> KEYS = List.of(HOST, PORT);

  public static MetricsSettings from(Config config) {
    return new MetricsSettings(config.get(HOST), config.get(PORT));
  }

  public boolean enabled() {
    return port >= 0;
  }
}
