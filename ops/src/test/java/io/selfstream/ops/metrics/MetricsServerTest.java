package io.selfstream.ops.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.Counter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class MetricsServerTest {

  @Test
  void servesRegisteredMetersInPrometheusTextFormat() throws Exception {
    try (MetricsServer server = MetricsServer.start(new MetricsSettings("127.0.0.1", 0))) {
      Counter.builder("selfstream.frames")
          .tag("reason", "decode_error")
          .register(server.registry())
          .increment(3);
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(URI.create(server.baseUrl() + "/metrics"))
                  .timeout(Duration.ofSeconds(10))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
      assertThat(r.body()).contains("selfstream_frames_total{reason=\"decode_error\"} 3.0");
      assertThat(r.body()).contains("jvm_memory_used_bytes");
      HttpResponse<String> health =
          http.send(
              HttpRequest.newBuilder(URI.create(server.baseUrl() + "/healthz"))
                  .timeout(Duration.ofSeconds(10))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(health.body()).isEqualTo("ok\n");
    }
  }

  @Test
  void refusesToStartWhenSwitchedOff() {
    assertThatThrownBy(() -> MetricsServer.start(new MetricsSettings("127.0.0.1", -1)))
        .hasMessageContaining("metrics.port");
  }
}
