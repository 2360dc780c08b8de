package io.selfstream.ops.cli;

import java.io.PrintStream;

/**
 * A text progress bar on stderr. On a terminal it redraws one line; otherwise (CI logs, pipes) it
 * prints a line at most every few seconds so logs stay readable.
 */
public final class ProgressBar implements AutoCloseable {

  private static final int WIDTH = 30;
  private final PrintStream out;
  private final String label;
  private long total;
  private final boolean interactive;
  private final long startNanos = System.nanoTime();
  private final long minIntervalNanos;
  private long lastDrawNanos;
  private long current;
  private String suffix = "";

  /** {@code total <= 0} means unknown: the bar then shows counts and rate only. */
  public ProgressBar(String label, long total) {
    this(label, total, System.err, System.console() != null);
  }

  ProgressBar(String label, long total, PrintStream out, boolean interactive) {
    this.label = label;
    this.total = total;
    this.out = out;
    this.interactive = interactive;
    this.minIntervalNanos = interactive ? 100_000_000L : 5_000_000_000L;
  }

  /** Sets the absolute progress and an optional status text; redraws when due. */
  public synchronized void update(long value, String status) {
    current = value;
    suffix = status == null ? "" : status;
    long now = System.nanoTime();
    if (now - lastDrawNanos >= minIntervalNanos) {
      lastDrawNanos = now;
      draw(false);
    }
  }

  /** As {@link #update(long, String)}, also setting the total once it is known. */
  public synchronized void update(long value, long total, String status) {
    this.total = total;
    update(value, status);
  }

  public void update(long value) {
    update(value, suffix);
  }

  private void draw(boolean last) {
    double seconds = Math.max(1e-9, (System.nanoTime() - startNanos) / 1e9);
    String rate = String.format("%.0f/s", current / seconds);
    String line;
    if (total > 0) {
      double fraction = Math.min(1.0, current / (double) total);
      int filled = (int) Math.round(fraction * WIDTH);
      line =
          String.format(
              "%s [%s%s] %3.0f%% %d/%d %s %s",
              label,
              "#".repeat(filled),
              "-".repeat(WIDTH - filled),
              fraction * 100,
              current,
              total,
              rate,
              suffix);
    } else {
      line = String.format("%s %d %s %s", label, current, rate, suffix);
    }
    if (interactive) {
      out.print("\r" + line + "\033[K" + (last ? "\n" : ""));
    } else {
      out.println(line);
    }
    out.flush();
  }

  @Override
  public synchronized void close() {
    draw(true);
  }
}
