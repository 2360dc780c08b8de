package io.selfstream.trainer.adapt;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Decides when a learner must roll back to its last good state: at once on a non-finite loss or
 * gradient, and when the pseudo-labels collapse. Collapse is judged on a window of the last {@code
 * patience} steps' pseudo-label histograms, not on one batch: a single skewed batch is normal on a
 * real stream (and common under a heavy corruption), a whole window falling to near-zero entropy or
 * onto one class is the self-training failure mode the fairness term is there to prevent.
 *
 * <p>Pure bookkeeping on host ints; the learner does the rollback and the learning-rate backoff.
 */
public final class CollapseGuard {

  /** What the guard measured on one step and whether it fired. */
  public record Verdict(double entropy, double dominantShare, String reason) {
    public boolean fired() {
      return reason != null;
    }
  }

  private final int numClasses;
  private final double minEntropy;
  private final double maxDominantShare;
  private final int patience;
  private final Deque<int[]> window = new ArrayDeque<>();

  public CollapseGuard(int numClasses, double minEntropy, double maxDominantShare, int patience) {
    if (numClasses < 1 || patience < 1) {
      throw new IllegalArgumentException("numClasses and patience must be >= 1");
    }
    this.numClasses = numClasses;
    this.minEntropy = minEntropy;
    this.maxDominantShare = maxDominantShare;
    this.patience = patience;
  }

  public static CollapseGuard of(AdaptConfig config, int numClasses) {
    return new CollapseGuard(
        numClasses,
        config.minPseudoLabelEntropy(),
        config.maxDominantShare(),
        config.guardPatience());
  }

  /** Histogram of {@code labels} (values in [0, numClasses)). */
  public int[] histogram(int[] labels) {
    int[] h = new int[numClasses];
    for (int l : labels) {
      h[l]++;
    }
    return h;
  }

  /** Entropy in nats of a histogram (0 for an empty one). */
  public static double entropy(int[] histogram) {
    long total = 0;
    for (int c : histogram) {
      total += c;
    }
    double e = 0;
    for (int c : histogram) {
      if (c > 0) {
        double p = c / (double) total;
        e -= p * Math.log(p);
      }
    }
    return e;
  }

  /** Share of the largest class of a histogram (0 for an empty one). */
  public static double dominantShare(int[] histogram) {
    long total = 0;
    int max = 0;
    for (int c : histogram) {
      total += c;
      max = Math.max(max, c);
    }
    return total == 0 ? 0 : max / (double) total;
  }

  /**
   * Records one step's pseudo-labels (the teacher's argmax of every sample) and checks the
   * non-finite signals and the window. The returned entropy and share are the window's.
   *
   * @param labels this step's pseudo-labels
   * @param loss the step's loss (NaN/inf fires)
   * @param gradNorm the global gradient norm (NaN/inf fires; pass 0 when not computed)
   */
  public Verdict check(int[] labels, double loss, double gradNorm) {
    window.addLast(histogram(labels));
    while (window.size() > patience) {
      window.removeFirst();
    }
    int[] sum = new int[numClasses];
    for (int[] h : window) {
      for (int i = 0; i < numClasses; i++) {
        sum[i] += h[i];
      }
    }
    double e = entropy(sum);
    double share = dominantShare(sum);
    String reason = null;
    if (!Double.isFinite(loss)) {
      reason = "non-finite loss " + loss;
    } else if (!Double.isFinite(gradNorm)) {
      reason = "non-finite gradient norm " + gradNorm;
    } else if (window.size() >= patience && e < minEntropy) {
      reason =
          String.format(
              "pseudo-label entropy %.3f nats over %d steps is below %.3f",
              e, patience, minEntropy);
    } else if (window.size() >= patience && share > maxDominantShare) {
      reason =
          String.format(
              "one class holds %.1f%% of the pseudo-labels over %d steps (max %.1f%%)",
              share * 100, patience, maxDominantShare * 100);
    }
    return new Verdict(e, share, reason);
  }

  /** Forgets the window (after a rollback the old histograms describe discarded weights). */
  public void reset() {
    window.clear();
  }
}
