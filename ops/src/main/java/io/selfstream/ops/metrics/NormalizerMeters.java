package io.selfstream.ops.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.selfstream.ingest.normalize.NormalizerListener;
import io.selfstream.schemas.avro.DeadLetterReason;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The normalizer's meters (catalogue {@code ops/deploy/metrics.md}): {@value #FRAMES_IN}, {@value
 * #FRAMES_OUT}, {@value #DEAD_LETTERS} tagged {@code reason} (lower-case {@link DeadLetterReason}),
 * {@value #PROCESS} (histogram). Every reason's counter is registered up front at zero, so a
 * dashboard's {@code rate()} has a series before the first bad frame and an alert on a reason can
 * tell "none yet" from "not reporting".
 */
public final class NormalizerMeters implements NormalizerListener {

  public static final String FRAMES_IN = "selfstream.normalizer.frames.in";
  public static final String FRAMES_OUT = "selfstream.normalizer.frames.out";
  public static final String DEAD_LETTERS = "selfstream.normalizer.dead.letters";
  public static final String PROCESS = "selfstream.normalizer.process";

  private final Counter in;
  private final Counter out;
  private final Map<DeadLetterReason, Counter> dead = new EnumMap<>(DeadLetterReason.class);
  private final Timer process;

  public NormalizerMeters(MeterRegistry registry) {
    in = Counter.builder(FRAMES_IN).description("records read from frames.raw").register(registry);
    out = Counter.builder(FRAMES_OUT).description("frames written to frames").register(registry);
    for (DeadLetterReason r : DeadLetterReason.values()) {
      dead.put(
          r,
          Counter.builder(DEAD_LETTERS)
              .tag("reason", r.name().toLowerCase(Locale.ROOT))
              .description("dead letters written to frames.dlq")
              .register(registry));
    }
    process =
        Timer.builder(PROCESS)
            .description("decode + resize + encode time per record")
            .publishPercentileHistogram()
            .register(registry);
  }

  @Override
  public void received() {
    in.increment();
  }

  @Override
  public void normalized(long nanos) {
    out.increment();
    process.record(nanos, TimeUnit.NANOSECONDS);
  }

  @Override
  public void deadLetter(DeadLetterReason reason, long nanos) {
    dead.get(reason).increment();
    process.record(nanos, TimeUnit.NANOSECONDS);
  }
}
