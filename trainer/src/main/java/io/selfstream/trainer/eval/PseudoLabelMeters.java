package io.selfstream.trainer.eval;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.selfstream.trainer.adapt.AdaptationMethod;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;

/**
 * The evaluator's pseudo-label gauge: {@value #ACCURACY} (tag {@code method}), the accuracy of the
 * method's last matched pseudo-labels ({@link PseudoLabelAccuracy#recentAccuracy}), NaN until one
 * was matched and for methods without pseudo-labels (TENT). Removed from the registry on close.
 */
public final class PseudoLabelMeters implements AutoCloseable {

  public static final String ACCURACY = "selfstream.evaluator.pseudo.label.accuracy";

  private final MeterRegistry registry;
  private final PseudoLabelAccuracy accuracy; // gauges hold their target weakly: keep it here
  private final List<Meter> meters = new ArrayList<>();

  /** Registers one gauge per method on {@code registry} (null = none: the object does nothing). */
  public PseudoLabelMeters(
      MeterRegistry registry, PseudoLabelAccuracy accuracy, Collection<AdaptationMethod> methods) {
    this.registry = registry;
    this.accuracy = Objects.requireNonNull(accuracy, "accuracy");
    if (registry == null) {
      return;
    }
    for (AdaptationMethod m : methods) {
      meters.add(
          Gauge.builder(ACCURACY, this.accuracy, a -> a.recentAccuracy(m))
              .tag("method", m.id())
              .description(
                  "share of correct pseudo-labels among the method's last "
                      + "matched ones (ground truth from labels.eval)")
              .register(registry));
    }
  }

  @Override
  public void close() {
    if (registry != null) {
      meters.forEach(registry::remove);
    }
    meters.clear();
  }
}
