package io.selfstream.ops.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.selfstream.graphreasoning.live.LiveListener;
import io.selfstream.graphreasoning.live.LiveSegmentationApp;
import io.selfstream.schemas.avro.FrameLabel;
import io.selfstream.schemas.avro.SegmentEvent;
import io.selfstream.schemas.model.ModelVersion;
import io.selfstream.schemas.model.UpdateRejected;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The live segmentation app's meters (catalogue {@code ops/deploy/metrics.md}): {@value #FRAMES}
 * (frames labelled), {@value #SEGMENTS} tagged {@code label} (the label name, or the class index
 * when the model has no names; closed and provisional events), {@value #LATENCY} (histogram,
 * capture time of the frame to its label leaving the app: lookahead and pipeline delay included),
 * and the model-consumer meters ({@link ModelConsumerMeters}, consumer {@value #CONSUMER}).
 *
 * <p>It is the app's {@link LiveListener}, so it exists before the app does; {@link #attach} hands
 * it the started app whose model holder and update follower the version and rejection meters read.
 * Until then they read 0.
 */
public final class SegmentationMeters implements LiveListener, AutoCloseable {

  public static final String FRAMES = "selfstream.segmentation.frames";
  public static final String SEGMENTS = "selfstream.segmentation.segments";
  public static final String LATENCY = "selfstream.segmentation.latency";
  public static final String CONSUMER = "segmentation";

  /** Reason tag for verified versions the holder could not serve (see TemporalModelHolder). */
  public static final String UNSERVABLE = "unservable";

  private final MeterRegistry registry;
  private final Counter frames;
  private final Timer latency;
  private final Map<String, Counter> segments = new ConcurrentHashMap<>();
  private final AtomicReference<LiveSegmentationApp> app = new AtomicReference<>();
  private final ModelConsumerMeters model;

  public SegmentationMeters(MeterRegistry registry, String modelName) {
    this.registry = registry;
    frames = Counter.builder(FRAMES).description("feature frames labelled").register(registry);
    latency =
        Timer.builder(LATENCY)
            .description("frame capture to label out")
            .publishPercentileHistogram()
            .maximumExpectedValue(Duration.ofMinutes(1))
            .register(registry);
    List<String> reasons = new ArrayList<>();
    for (UpdateRejected.Reason r : UpdateRejected.Reason.values()) {
      reasons.add(r.name().toLowerCase(Locale.ROOT));
    }
    reasons.add(UNSERVABLE);
    model =
        new ModelConsumerMeters(
            registry,
            modelName,
            CONSUMER,
            () -> {
              LiveSegmentationApp a = app.get();
              return a == null ? 0 : a.holder().currentVersion();
            },
            this::rejections,
            reasons);
  }

  /** The started app whose holder and follower the model meters read. */
  public void attach(LiveSegmentationApp started) {
    app.set(started);
  }

  private Map<String, Long> rejections() {
    LiveSegmentationApp a = app.get();
    if (a == null) {
      return Map.of();
    }
    Map<String, Long> out = new LinkedHashMap<>();
    a.follower()
        .counters()
        .rejected()
        .forEach((r, n) -> out.put(r.name().toLowerCase(Locale.ROOT), n));
    out.put(UNSERVABLE, a.holder().refusedCount());
    return out;
  }

  @Override
  public void labelled(FrameLabel label) {
    frames.increment();
    long capture = label.getCaptureTimeMs().toEpochMilli();
    long emitted = label.getEmittedAtMs().toEpochMilli();
    if (capture > 0 && emitted > 0) {
      latency.record(Duration.ofMillis(Math.max(0, emitted - capture)));
    }
  }

  @Override
  public void segment(SegmentEvent event) {
    String label =
        event.getLabelName() != null
            ? event.getLabelName().toString()
            : Integer.toString(event.getLabel());
    segments
        .computeIfAbsent(
            label,
            l ->
                Counter.builder(SEGMENTS)
                    .tag("label", l)
                    .description("segment events emitted to segments")
                    .register(registry))
        .increment();
  }

  @Override
  public void applied(ModelVersion version, long appliedAtMs) {
    model.applied(version.createdAt(), appliedAtMs);
  }

  @Override
  public void close() {
    model.close();
  }
}
