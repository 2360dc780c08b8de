package io.selfstream.ops.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The meters every consumer of {@code model-updates} shows, tagged {@code model} and {@code
 * consumer}: {@value #APPLIED_VERSION} (version served now), {@value #REJECTED} by {@code reason}
 * and {@value #APPLY} (histogram, publish to applied). The consumer keeps its own counts (the
 * update assembler's, the views job's accumulators); these meters read them at scrape time, so
 * there is one source of truth and nothing to keep in step.
 *
 * <p>Micrometer holds function-meter targets weakly: the caller holds this object for as long as
 * the meters should report (try-with-resources in the command), and {@link #close()} removes them.
 */
public final class ModelConsumerMeters implements AutoCloseable {

  public static final String APPLIED_VERSION = "selfstream.model.applied.version";
  public static final String REJECTED = "selfstream.model.updates.rejected";
  public static final String APPLY = "selfstream.model.update.apply";

  private final MeterRegistry registry;
  private final Tags tags;
  private final LongSupplier version;
  private final Supplier<Map<String, Long>> rejected;
  private final List<Meter> meters = new ArrayList<>();
  private volatile Timer apply;

  /**
   * @param model model name on {@code model-updates}
   * @param consumer who holds it ({@code segmentation}, {@code views}, ...)
   * @param version the version served now (0 = none)
   * @param rejected rejections so far by lower-case reason (cumulative)
   * @param reasons every reason {@code rejected} can report, registered up front at zero
   */
  public ModelConsumerMeters(
      MeterRegistry registry,
      String model,
      String consumer,
      LongSupplier version,
      Supplier<Map<String, Long>> rejected,
      Collection<String> reasons) {
    this.registry = registry;
    this.tags = Tags.of("model", model, "consumer", consumer);
    this.version = version;
    this.rejected = rejected;
    meters.add(
        Gauge.builder(APPLIED_VERSION, this, m -> m.version.getAsLong())
            .tags(tags)
            .description("model version held and served now")
            .register(registry));
    for (String reason : reasons) {
      meters.add(
          FunctionCounter.builder(
                  REJECTED, this, m -> m.rejected.get().getOrDefault(reason, 0L).doubleValue())
              .tags(tags.and("reason", reason))
              .description("rejected model updates")
              .register(registry));
    }
  }

  /**
   * A version was applied at {@code appliedAtMs}: records publish ({@code createdAt}) to applied.
   * The timer is registered on the first call, so a consumer that never reports applies (the views
   * job, whose applies are Flink metrics) shows no empty histogram.
   */
  public void applied(Instant createdAt, long appliedAtMs) {
    Timer t = apply;
    if (t == null) {
      synchronized (this) {
        if (apply == null) {
          apply =
              Timer.builder(APPLY)
                  .tags(tags)
                  .description("model update publish to applied")
                  .publishPercentileHistogram()
                  .register(registry);
          meters.add(apply);
        }
        t = apply;
      }
    }
    if (createdAt != null && createdAt.toEpochMilli() > 0) {
      t.record(Duration.ofMillis(Math.max(0, appliedAtMs - createdAt.toEpochMilli())));
    }
  }

  @Override
  public synchronized void close() {
    meters.forEach(registry::remove);
    meters.clear();
  }
}
