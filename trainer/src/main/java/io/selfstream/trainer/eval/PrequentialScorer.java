package io.selfstream.trainer.eval;

import ai.djl.Device;
import io.selfstream.trainer.augment.U8Image;
import io.selfstream.trainer.encoder.Encoder;
import io.selfstream.trainer.encoder.EncoderConfig;
import io.selfstream.trainer.encoder.Prediction;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Test-then-train scoring of several methods on one labelled stream: every frame is classified by
 * each method's newest version that has not trained on it, before that method can learn from it.
 * Versions arrive through {@link #offer}; frames through {@link #score}, per source in seq order.
 * Plain DJL: the Kafka adapter feeds it. Thread-safe (one lock), so model followers may offer
 * versions from their own threads.
 */
public final class PrequentialScorer implements AutoCloseable {

  /** What one method scored: its error table, frames with no usable version, versions used. */
  public record MethodResult(
      ErrorTable errors,
      long unscored,
      long firstVersionUsed,
      long lastVersionUsed,
      double meanVersion) {}

  private static final class MethodState {
    final VersionHistory history = new VersionHistory();
    final ErrorTable errors = new ErrorTable();
    final Encoder encoder;
    long loadedVersion = -1;
    long unscored;
    long firstVersion = -1;
    long lastVersion = -1;
    double versionSum;

    MethodState(Encoder encoder) {
      this.encoder = encoder;
    }
  }

  private final Map<String, MethodState> methods = new LinkedHashMap<>();
  private final Map<String, Long> nextSeq = new LinkedHashMap<>();

  /**
   * @param config architecture every method's versions must have
   * @param methods method ids, in report order
   */
  public PrequentialScorer(EncoderConfig config, Device device, List<String> methods) {
    Objects.requireNonNull(config, "config");
    for (String m : methods) {
      this.methods.put(m, new MethodState(Encoder.create(config, device, 0L)));
    }
  }

  /** Declares a source up front so version pruning keeps what its first frames need. */
  public synchronized void expectSource(String sourceId, long firstSeq) {
    nextSeq.putIfAbsent(sourceId, firstSeq);
  }

  /** Adds the next verified version of {@code method} (increasing versions). */
  public synchronized void offer(String method, VersionHistory.Entry version) {
    state(method).history.offer(version);
  }

  /** True when {@code method} holds a version that trained through the frame before {@code seq}. */
  public synchronized boolean caughtUp(String method, String sourceId, long seq) {
    return state(method).history.caughtUpTo(sourceId, seq);
  }

  /** Newest version offered for {@code method}, 0 if none. */
  public synchronized long newestVersion(String method) {
    return state(method).history.newest().map(VersionHistory.Entry::version).orElse(0L);
  }

  /** Scores {@code frames} (per source in increasing seq) with every method. */
  public synchronized void score(List<ScoredFrame> frames) {
    if (frames.isEmpty()) {
      return;
    }
    for (MethodState m : methods.values()) {
      scoreMethod(m, frames);
    }
    for (ScoredFrame f : frames) {
      nextSeq.merge(f.sourceId(), f.seq() + 1, Math::max);
    }
    for (MethodState m : methods.values()) {
      m.history.prune(nextSeq);
    }
  }

  private void scoreMethod(MethodState m, List<ScoredFrame> frames) {
    // group consecutive frames by the version that serves them, so each group is one forward pass
    int i = 0;
    while (i < frames.size()) {
      Optional<VersionHistory.Entry> v =
          m.history.select(frames.get(i).sourceId(), frames.get(i).seq());
      if (v.isEmpty()) {
        m.unscored++;
        i++;
        continue;
      }
      int j = i + 1;
      while (j < frames.size()) {
        Optional<VersionHistory.Entry> w =
            m.history.select(frames.get(j).sourceId(), frames.get(j).seq());
        if (w.isEmpty() || w.get().version() != v.get().version()) {
          break;
        }
        j++;
      }
      List<ScoredFrame> group = frames.subList(i, j);
      classify(m, v.get(), group);
      i = j;
    }
  }

  private void classify(MethodState m, VersionHistory.Entry version, List<ScoredFrame> group) {
    if (m.loadedVersion != version.version()) {
      m.encoder.importParameters(version.parameters());
      m.loadedVersion = version.version();
    }
    List<U8Image> images = new ArrayList<>(group.size());
    for (ScoredFrame f : group) {
      images.add(f.image());
    }
    List<Prediction> predictions = m.encoder.predict(images);
    for (int k = 0; k < group.size(); k++) {
      ScoredFrame f = group.get(k);
      m.errors.add(f.domain(), predictions.get(k).label() == f.label());
    }
    if (m.firstVersion < 0) {
      m.firstVersion = version.version();
    }
    m.lastVersion = version.version();
    m.versionSum += (double) version.version() * group.size();
  }

  /** Results per method, in the order given at construction. */
  public synchronized Map<String, MethodResult> results() {
    Map<String, MethodResult> out = new LinkedHashMap<>();
    methods.forEach(
        (name, m) -> {
          long n = m.errors.frames();
          out.put(
              name,
              new MethodResult(
                  m.errors,
                  m.unscored,
                  m.firstVersion,
                  m.lastVersion,
                  n == 0 ? Double.NaN : m.versionSum / n));
        });
    return out;
  }

  private MethodState state(String method) {
    MethodState m = methods.get(method);
    if (m == null) {
      throw new IllegalArgumentException("unknown method " + method + ", have " + methods.keySet());
    }
    return m;
  }

  @Override
  public synchronized void close() {
    for (MethodState m : methods.values()) {
      m.encoder.close();
    }
  }
}
