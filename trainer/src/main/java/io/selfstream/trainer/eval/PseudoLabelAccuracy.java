package io.selfstream.trainer.eval;

import io.selfstream.trainer.adapt.AdaptationMethod;
import io.selfstream.trainer.adapt.PseudoLabelObserver;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * How often each method's pseudo-labels are right: joins the trainers' per-sample pseudo-labels
 * ({@link #onPseudoLabels}, from {@link io.selfstream.trainer.consumer.EncoderTrainer.Options})
 * with the ground truth of {@code labels.eval} ({@link #onTruth}, from the evaluator) by (sourceId,
 * seq), in either order. Keeps per method the accuracy over all matched pseudo-labels and over the
 * last {@code window} of them, and the confident share (samples with a pseudo-label among all
 * samples trained on), overall and over the last {@code window} samples. Pure and thread-safe (one
 * lock): several trainer threads report while the evaluator's thread adds truth.
 *
 * <p>Bounded. A truth stays buffered until {@code maxTruths} newer ones arrived, so every method
 * can match it until then (methods train at different speeds). A pseudo-label whose truth has not
 * arrived waits in its method's pending buffer; when more than {@code maxPending} wait, the oldest
 * is dropped and counted as {@code unmatched} (its truth never came, or came and was evicted before
 * the pseudo-label arrived). A sample without a pseudo-label (-1) is counted in the confident share
 * and never buffered. A sample reported twice (a trainer retraining after a restart) counts twice;
 * if both wait at once, the newer replaces the older, which counts as unmatched.
 */
public final class PseudoLabelAccuracy implements PseudoLabelObserver {

  public static final int DEFAULT_MAX_TRUTHS = 100_000;
  public static final int DEFAULT_MAX_PENDING = 20_000;
  public static final int DEFAULT_WINDOW = 500;

  /**
   * One method's figures.
   *
   * @param samples samples reported (with or without a pseudo-label)
   * @param pseudoLabeled samples that had a pseudo-label
   * @param matched pseudo-labels joined with their ground truth
   * @param correct matched pseudo-labels equal to the ground truth
   * @param accuracy {@code correct / matched}; NaN before the first match
   * @param recentAccuracy accuracy over the last {@code window} matched pseudo-labels; NaN before
   * @param confidentShare {@code pseudoLabeled / samples}; NaN before the first sample
   * @param recentConfidentShare confident share over the last {@code window} samples
   * @param pending pseudo-labels waiting for their ground truth now
   * @param unmatched pseudo-labels dropped from the pending buffer without ground truth
   */
  public record Snapshot(
      long samples,
      long pseudoLabeled,
      long matched,
      long correct,
      double accuracy,
      double recentAccuracy,
      double confidentShare,
      double recentConfidentShare,
      int pending,
      long unmatched) {

    static final Snapshot EMPTY =
        new Snapshot(0, 0, 0, 0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, 0, 0);
  }

  private record Key(String sourceId, long seq) {}

  /** The last {@code capacity} yes/no outcomes. */
  private static final class Window {
    private final boolean[] bits;
    private int size;
    private int next;
    private int ones;

    Window(int capacity) {
      bits = new boolean[capacity];
    }

    void add(boolean yes) {
      if (size == bits.length) {
        ones -= bits[next] ? 1 : 0;
      } else {
        size++;
      }
      bits[next] = yes;
      ones += yes ? 1 : 0;
      next = (next + 1) % bits.length;
    }

    double share() {
      return size == 0 ? Double.NaN : (double) ones / size;
    }
  }

  private final class Method {
    final LinkedHashMap<Key, Integer> pending = new LinkedHashMap<>();
    final Window recentCorrect = new Window(window);
    final Window recentConfident = new Window(window);
    long samples;
    long pseudoLabeled;
    long matched;
    long correct;
    long unmatched;

    void score(int pseudoLabel, int truth) {
      matched++;
      boolean ok = pseudoLabel == truth;
      correct += ok ? 1 : 0;
      recentCorrect.add(ok);
    }

    Snapshot snapshot() {
      return new Snapshot(
          samples,
          pseudoLabeled,
          matched,
          correct,
          matched == 0 ? Double.NaN : (double) correct / matched,
          recentCorrect.share(),
          samples == 0 ? Double.NaN : (double) pseudoLabeled / samples,
          recentConfident.share(),
          pending.size(),
          unmatched);
    }
  }

  private final int maxTruths;
  private final int maxPending;
  private final int window;
  private final LinkedHashMap<Key, Integer> truths;
  private final Map<AdaptationMethod, Method> methods = new LinkedHashMap<>();
  private long truthsEvicted;

  /** Default bounds: 100 000 truths, 20 000 pending pseudo-labels per method, a window of 500. */
  public PseudoLabelAccuracy() {
    this(DEFAULT_MAX_TRUTHS, DEFAULT_MAX_PENDING, DEFAULT_WINDOW);
  }

  /**
   * @param maxTruths ground-truth labels kept for matching
   * @param maxPending pseudo-labels per method kept waiting for their ground truth
   * @param window matched pseudo-labels (and samples) the recent figures cover
   */
  public PseudoLabelAccuracy(int maxTruths, int maxPending, int window) {
    if (maxTruths < 1 || maxPending < 1 || window < 1) {
      throw new IllegalArgumentException(
          "maxTruths, maxPending and window must be >= 1, got "
              + maxTruths
              + ", "
              + maxPending
              + ", "
              + window);
    }
    this.maxTruths = maxTruths;
    this.maxPending = maxPending;
    this.window = window;
    this.truths = new LinkedHashMap<>();
  }

  @Override
  public synchronized void onPseudoLabels(
      AdaptationMethod method, String[] sourceIds, long[] seqs, int[] labels) {
    Objects.requireNonNull(method, "method");
    if (sourceIds.length != labels.length || seqs.length != labels.length) {
      throw new IllegalArgumentException("sourceIds, seqs and labels must have the same length");
    }
    Method m = methods.computeIfAbsent(method, k -> new Method());
    for (int i = 0; i < labels.length; i++) {
      m.samples++;
      boolean confident = labels[i] >= 0;
      m.recentConfident.add(confident);
      if (!confident) {
        continue;
      }
      m.pseudoLabeled++;
      Key key = new Key(sourceIds[i], seqs[i]);
      Integer truth = truths.get(key);
      if (truth != null) {
        m.score(labels[i], truth);
      } else {
        if (m.pending.put(key, labels[i]) != null) {
          m.unmatched++; // the same sample again before its truth: the newer one waits
        }
        if (m.pending.size() > maxPending) {
          Iterator<Map.Entry<Key, Integer>> oldest = m.pending.entrySet().iterator();
          oldest.next();
          oldest.remove();
          m.unmatched++;
        }
      }
    }
  }

  /** The ground truth of one frame; scores the pseudo-labels that were waiting for it. */
  public synchronized void onTruth(String sourceId, long seq, int label) {
    Key key = new Key(Objects.requireNonNull(sourceId, "sourceId"), seq);
    truths.remove(key); // a re-sent truth moves to the young end
    truths.put(key, label);
    if (truths.size() > maxTruths) {
      Iterator<Key> oldest = truths.keySet().iterator();
      oldest.next();
      oldest.remove();
      truthsEvicted++;
    }
    for (Method m : methods.values()) {
      Integer pseudo = m.pending.remove(key);
      if (pseudo != null) {
        m.score(pseudo, label);
      }
    }
  }

  /** Every method reported so far, in first-reported order. */
  public synchronized Map<AdaptationMethod, Snapshot> snapshot() {
    Map<AdaptationMethod, Snapshot> out = new LinkedHashMap<>();
    methods.forEach((k, m) -> out.put(k, m.snapshot()));
    return out;
  }

  /** One method's figures (all zero / NaN when it reported nothing). */
  public synchronized Snapshot snapshot(AdaptationMethod method) {
    Method m = methods.get(method);
    return m == null ? Snapshot.EMPTY : m.snapshot();
  }

  /** Accuracy of {@code method}'s last {@code window} matched pseudo-labels; NaN before any. */
  public synchronized double recentAccuracy(AdaptationMethod method) {
    Method m = methods.get(method);
    return m == null ? Double.NaN : m.recentCorrect.share();
  }

  /** Ground-truth labels dropped from the buffer to respect {@code maxTruths}. */
  public synchronized long truthsEvicted() {
    return truthsEvicted;
  }

  /** Ground-truth labels buffered now. */
  public synchronized int truthsBuffered() {
    return truths.size();
  }
}
