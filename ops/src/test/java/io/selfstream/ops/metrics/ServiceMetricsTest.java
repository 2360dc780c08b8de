package io.selfstream.ops.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.selfstream.schemas.model.UpdateRejected;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ServiceMetricsTest {

  @Test
  void offMeansAWorkingRegistryAndNoEndpoint() throws Exception {
    AtomicBoolean closed = new AtomicBoolean();
    try (ServiceMetrics metrics = ServiceMetrics.start(new MetricsSettings("127.0.0.1", -1))) {
      assertThat(metrics.url()).isEmpty();
      assertThat(metrics.describe()).contains("off");
      Counter.builder("selfstream.x").register(metrics.registry()).increment();
      metrics.track(() -> closed.set(true));
    }
    assertThat(closed).isTrue();
  }

  @Test
  void onServesTheCommandsMetersAndClosesTrackedBindersFirst() throws Exception {
    AtomicBoolean closedWhileServing = new AtomicBoolean();
    String url;
    ServiceMetrics metrics = ServiceMetrics.start(new MetricsSettings("127.0.0.1", 0));
    try (metrics) {
      url = metrics.url().orElseThrow();
      new NormalizerMeters(metrics.registry()).received();
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(r.body()).contains("selfstream_normalizer_frames_in_total 1.0");
      metrics.track(
          () -> closedWhileServing.set(metrics.registry().find("jvm.memory.used").meter() != null));
    }
    assertThat(closedWhileServing).isTrue();
  }

  @Test
  void modelConsumerMetersReadTheConsumersOwnCountsAtScrapeTime() {
    MeterRegistry registry = new SimpleMeterRegistry();
    AtomicLong version = new AtomicLong();
    AtomicLong tampered = new AtomicLong();
    try (ModelConsumerMeters m =
        new ModelConsumerMeters(
            registry,
            "encoder",
            "views",
            version::get,
            () -> Map.of("tampered", tampered.get()),
            List.of("tampered", "layout"))) {
      version.set(4);
      tampered.set(2);
      assertThat(registry.get(ModelConsumerMeters.APPLIED_VERSION).gauge().value()).isEqualTo(4);
      assertThat(
              registry
                  .get(ModelConsumerMeters.REJECTED)
                  .tags("reason", "tampered", "consumer", "views")
                  .functionCounter()
                  .count())
          .isEqualTo(2);
      assertThat(
              registry
                  .get(ModelConsumerMeters.REJECTED)
                  .tag("reason", "layout")
                  .functionCounter()
                  .count())
          .isZero();
      assertThat(registry.find(ModelConsumerMeters.APPLY).timer()).as("no apply yet").isNull();
    }
    assertThat(registry.find(ModelConsumerMeters.APPLIED_VERSION).gauge()).isNull();
    assertThat(UpdateRejected.Reason.values()).isNotEmpty();
  }
}
