package io.selfstream.graphreasoning.live;

import io.selfstream.schemas.model.ModelVersion;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The temporal model the live segmentation app serves, hot-swapped without a restart. A {@code
 * ModelUpdateFollower} on {@code dtgrm} feeds {@link #offer} with every version that passed the
 * codec's verification (signature, hash, order); the holder then builds the model off the stream
 * threads and swaps one atomic reference. Stream threads {@link #borrow()} the current model per
 * record. A version that cannot serve (no descriptor, weights that do not fit, metrics that
 * contradict the signed descriptor) is refused and the last good model keeps serving.
 */
public final class TemporalModelHolder implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(TemporalModelHolder.class);

  private final String model;
  private final AtomicReference<TemporalModel> current = new AtomicReference<>();
  private final AtomicLong accepted = new AtomicLong();
  private final AtomicLong refused = new AtomicLong();
  private final AtomicReference<String> lastRefusal = new AtomicReference<>();
  private final Object versionMonitor = new Object();
  private volatile boolean closed;

  /** A holder for versions of model {@code model} (normally {@link TemporalModels#MODEL}). */
  public TemporalModelHolder(String model) {
    if (model == null || model.isBlank()) {
      throw new IllegalArgumentException("model name must not be blank");
    }
    this.model = model;
  }

  public String model() {
    return model;
  }

  /**
   * Takes a verified version: builds it and, when it can serve, makes it the current model.
   *
   * @return whether the version now serves
   */
  public boolean offer(ModelVersion version) {
    if (!model.equals(version.model())) {
      return false;
    }
    TemporalModel loaded;
    try {
      TemporalModels.Descriptor signed = TemporalModels.descriptor(version.parameters());
      String disagreement = TemporalModels.metricsDisagreement(signed, version.metrics());
      if (disagreement != null) {
        return refuse(
            version.version(), "update metrics contradict the signed descriptor: " + disagreement);
      }
      loaded = TemporalModel.load(version.version(), version.parameters());
    } catch (RuntimeException e) {
      return refuse(version.version(), e.getMessage());
    }
    return install(loaded);
  }

  /** Installs an already loaded model (tests, a model restored from disk). */
  public boolean install(TemporalModel loaded) {
    TemporalModel old;
    synchronized (this) {
      TemporalModel now = current.get();
      if (closed || (now != null && loaded.version() <= now.version())) {
        loaded.release();
        return refuse(
            loaded.version(),
            closed ? "holder closed" : "not newer than the served v" + now.version());
      }
      old = current.getAndSet(loaded);
    }
    accepted.incrementAndGet();
    LOG.info(
        "temporal model now serving {}{}",
        loaded,
        old == null ? "" : " (was v" + old.version() + ")");
    if (old != null) {
      old.release();
    }
    synchronized (versionMonitor) {
      versionMonitor.notifyAll();
    }
    return true;
  }

  private boolean refuse(long version, String why) {
    refused.incrementAndGet();
    lastRefusal.set("v" + version + ": " + why);
    TemporalModel now = current.get();
    LOG.warn(
        "temporal model v{} refused ({}); still serving {}",
        version,
        why,
        now == null ? "nothing" : "v" + now.version());
    return false;
  }

  /**
   * Runs {@code work} with the current model (or {@code null} when none serves yet), holding a
   * reference so that a concurrent swap cannot free it mid-call.
   */
  public <T> T withModel(Function<TemporalModel, T> work) {
    TemporalModel m = borrow();
    try {
      return work.apply(m);
    } finally {
      if (m != null) {
        m.release();
      }
    }
  }

  /** The current model with a reference the caller must {@link TemporalModel#release()}. */
  TemporalModel borrow() {
    while (true) {
      TemporalModel m = current.get();
      if (m == null || m.retain()) {
        return m;
      }
      // swapped and freed between get and retain: read the new one
    }
  }

  /** Version served now, 0 when none. */
  public long currentVersion() {
    TemporalModel m = current.get();
    return m == null ? 0 : m.version();
  }

  /** Descriptor of the version served now. */
  public Optional<TemporalModels.Descriptor> currentDescriptor() {
    TemporalModel m = current.get();
    return m == null ? Optional.empty() : Optional.of(m.descriptor());
  }

  /** Versions that became the served one. */
  public long acceptedCount() {
    return accepted.get();
  }

  /** Verified versions this holder could not serve. */
  public long refusedCount() {
    return refused.get();
  }

  /** Why the last version was refused, if any was. */
  public Optional<String> lastRefusal() {
    return Optional.ofNullable(lastRefusal.get());
  }

  /** Waits (bounded) until a version {@code >= version} serves; returns whether it does. */
  public boolean awaitVersion(long version, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (versionMonitor) {
      while (currentVersion() < version) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        versionMonitor.wait(Math.max(1, Math.min(left / 1_000_000, 100)));
      }
      return true;
    }
  }

  /** Stops serving; the weights are freed once no call borrows them any more. */
  @Override
  public void close() {
    TemporalModel old;
    synchronized (this) {
      closed = true;
      old = current.getAndSet(null);
    }
    if (old != null) {
      old.release();
    }
  }
}
