package io.selfstream.trainer.consumer;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.selfstream.schemas.avro.UpdateKind;
import io.selfstream.trainer.adapt.StepReport;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The trainer's Micrometer meters, tagged {@code method} and {@code model} so several trainers can
 * share one registry (the benchmark and the demo run one per method in one JVM). Meters are removed
 * from the registry when the trainer closes, so a restarted trainer in the same JVM registers fresh
 * gauges instead of inheriting ones bound to a dead trainer.
 *
 * <p>Names: {@value #STEPS}, {@value #SAMPLES}, {@value #REFUSED}, {@value #SAMPLES_RATE}, {@value
 * #LOSS}, {@value #LOSS_TERM} (tag {@code term}), {@value #PSEUDO_LABEL_RATE}, {@value #VERSION},
 * {@value #PUBLISHED} (tag {@code kind}), {@value #UPDATE_BYTES} (tag {@code kind}), {@value
 * #ROLLBACKS}, {@value #CHECKPOINT}, {@value #STEP_TIME}.
 */
public final class TrainerMetrics implements AutoCloseable {

  public static final String STEPS = "selfstream.trainer.steps";
  public static final String SAMPLES = "selfstream.trainer.samples";
  public static final String REFUSED = "selfstream.trainer.refused.views";
  public static final String SAMPLES_RATE = "selfstream.trainer.samples.rate";
  public static final String LOSS = "selfstream.trainer.loss";
  public static final String LOSS_TERM = "selfstream.trainer.loss.term";
  public static final String PSEUDO_LABEL_RATE = "selfstream.trainer.pseudo.label.rate";
  public static final String VERSION = "selfstream.trainer.version";
  public static final String PUBLISHED = "selfstream.trainer.versions.published";
  public static final String UPDATE_BYTES = "selfstream.trainer.update.bytes";
  public static final String ROLLBACKS = "selfstream.trainer.guard.rollbacks";
  public static final String CHECKPOINT = "selfstream.trainer.checkpoint";
  public static final String STEP_TIME = "selfstream.trainer.step";

  /** A gauge's value; Micrometer holds gauge targets weakly, so the metrics object holds these. */
  static final class Value {
    volatile double value = Double.NaN;

    double get() {
      return value;
    }
  }

  private final MeterRegistry registry;
  private final Tags tags;
  private final Set<Meter> meters = new LinkedHashSet<>();
  private final Counter steps;
  private final Counter samples;
  private final Counter refused;
  private final Counter rollbacks;
  private final Timer checkpoint;
  private final Timer stepTime;
  final Value samplesRate = new Value();
  final Value loss = new Value();
  final Value pseudoLabelRate = new Value();
  final Value version = new Value();
  private final Map<String, Value> terms = new ConcurrentHashMap<>();

  public TrainerMetrics(MeterRegistry registry, String method, String model) {
    this.registry = registry;
    this.tags = Tags.of("method", method, "model", model);
    steps = add(Counter.builder(STEPS).tags(tags).description("learner steps").register(registry));
    samples =
        add(Counter.builder(SAMPLES).tags(tags).description("views trained on").register(registry));
    refused =
        add(
            Counter.builder(REFUSED)
                .tags(tags)
                .description("views refused (undecodable or wrong shape)")
                .register(registry));
    rollbacks =
        add(
            Counter.builder(ROLLBACKS)
                .tags(tags)
                .description("guard rollbacks to the last good state")
                .register(registry));
    checkpoint =
        add(
            Timer.builder(CHECKPOINT)
                .tags(tags)
                .description("checkpoint writes")
                .register(registry));
    stepTime =
        add(Timer.builder(STEP_TIME).tags(tags).description("learner steps").register(registry));
    gauge(SAMPLES_RATE, samplesRate, "views trained per second (recent window)", Tags.empty());
    gauge(LOSS, loss, "loss of the last step", Tags.empty());
    gauge(PSEUDO_LABEL_RATE, pseudoLabelRate, "confident share of the last step", Tags.empty());
    gauge(VERSION, version, "last published version", Tags.empty());
  }

  private <M extends Meter> M add(M meter) {
    synchronized (meters) {
      meters.add(meter);
    }
    return meter;
  }

  private void gauge(String name, Value v, String description, Tags extra) {
    add(
        Gauge.builder(name, v, Value::get)
            .tags(tags.and(extra))
            .description(description)
            .register(registry));
  }

  public void stepped(StepReport r, int refusedViews, long nanos) {
    steps.increment();
    samples.increment(r.batchSize());
    stepTime.record(nanos, TimeUnit.NANOSECONDS);
    loss.value = r.loss();
    pseudoLabelRate.value = r.batchSize() == 0 ? 0 : (double) r.pseudoLabeled() / r.batchSize();
    for (Map.Entry<String, Double> t : r.terms().entrySet()) {
      terms.computeIfAbsent(
                  t.getKey(),
                  k -> {
                    Value v = new Value();
                    gauge(LOSS_TERM, v, "weighted loss term of the last step", Tags.of("term", k));
                    return v;
                  })
              .value =
          t.getValue();
    }
    if (r.rolledBack()) {
      rollbacks.increment();
    }
    refused(refusedViews);
  }

  public void refused(int n) {
    if (n > 0) {
      refused.increment(n);
    }
  }

  public void published(long v, UpdateKind kind, long payloadBytes) {
    version.value = v;
    String k = kind.name().toLowerCase(java.util.Locale.ROOT);
    add(Counter.builder(PUBLISHED)
            .tags(tags.and("kind", k))
            .description("versions published")
            .register(registry))
        .increment();
    add(DistributionSummary.builder(UPDATE_BYTES)
            .tags(tags.and("kind", k))
            .baseUnit("bytes")
            .description("payload bytes per published version")
            .register(registry))
        .record(payloadBytes);
  }

  public void checkpointed(long nanos) {
    checkpoint.record(nanos, TimeUnit.NANOSECONDS);
  }

  public void samplesRate(double perSecond) {
    samplesRate.value = perSecond;
  }

  /** Removes this trainer's meters from the registry. */
  @Override
  public void close() {
    synchronized (meters) {
      for (Meter m : meters) {
        registry.remove(m);
      }
      meters.clear();
    }
  }
}
