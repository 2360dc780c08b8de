package io.selfstream.trainer.eval;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Prequential error counts of one method, per domain in first-seen order. The mean error is the
 * unweighted mean over domains (the ImageNet-C / CIFAR-10-C convention: every corruption counts
 * once, whatever its number of frames).
 */
public final class ErrorTable {

  private final Map<String, long[]> counts = new LinkedHashMap<>();

  /** Records one scored frame of {@code domain}. */
  public void add(String domain, boolean correct) {
    long[] c = counts.computeIfAbsent(domain, d -> new long[2]);
    c[0]++;
    if (!correct) {
      c[1]++;
    }
  }

  public long frames() {
    long n = 0;
    for (long[] c : counts.values()) {
      n += c[0];
    }
    return n;
  }

  /** Error rate (0..1) of {@code domain}; NaN when none of its frames were scored. */
  public double error(String domain) {
    long[] c = counts.get(domain);
    return c == null || c[0] == 0 ? Double.NaN : (double) c[1] / c[0];
  }

  /** Unweighted mean of the per-domain error rates; NaN when nothing was scored. */
  public double meanError() {
    if (counts.isEmpty()) {
      return Double.NaN;
    }
    double sum = 0;
    for (long[] c : counts.values()) {
      sum += (double) c[1] / c[0];
    }
    return sum / counts.size();
  }

  /** Error rate over all frames pooled. */
  public double pooledError() {
    long n = 0;
    long e = 0;
    for (long[] c : counts.values()) {
      n += c[0];
      e += c[1];
    }
    return n == 0 ? Double.NaN : (double) e / n;
  }

  /** Per-domain error rates in first-seen order. */
  public Map<String, Double> perDomain() {
    Map<String, Double> out = new LinkedHashMap<>();
    counts.forEach((d, c) -> out.put(d, (double) c[1] / c[0]));
    return out;
  }
}
