package io.selfstream.ingest.source;

import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Paces callers to a fixed rate on a fixed schedule (permit {@code i} at {@code start + i / rate}).
 * A caller that falls behind catches up in a burst of at most 100 ms (or one interval, when that is
 * longer); beyond that the schedule restarts from now.
 */
public final class RateLimiter {

  /** Sleeps; replaced in tests so no test waits for real time. */
  @FunctionalInterface
  public interface Sleeper {
    void sleepNanos(long nanos) throws InterruptedException;
  }

  private static final long MAX_CATCH_UP_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

  private final long intervalNanos;
  private final long maxLagNanos;
  private final LongSupplier nanoTime;
  private final Sleeper sleeper;
  private long next;
  private boolean started;

  public RateLimiter(double permitsPerSecond) {
    this(permitsPerSecond, System::nanoTime, nanos -> TimeUnit.NANOSECONDS.sleep(nanos));
  }

  public RateLimiter(double permitsPerSecond, LongSupplier nanoTime, Sleeper sleeper) {
    if (!(permitsPerSecond > 0) || Double.isInfinite(permitsPerSecond)) {
      throw new IllegalArgumentException("rate must be positive and finite: " + permitsPerSecond);
    }
    this.intervalNanos = Math.max(1, Math.round(1e9 / permitsPerSecond));
    this.maxLagNanos = Math.max(intervalNanos, MAX_CATCH_UP_NANOS);
    this.nanoTime = nanoTime;
    this.sleeper = sleeper;
  }

  /** Nanoseconds between permits. */
  public long intervalNanos() {
    return intervalNanos;
  }

  /** Waits until the next permit is due. */
  public void acquire() throws InterruptedException {
    long now = nanoTime.getAsLong();
    if (!started) {
      started = true;
      next = now;
    }
    if (next > now) {
      long wait = next - now;
      next += intervalNanos; // reserve before sleeping so an interrupted caller keeps the pace
      sleeper.sleepNanos(wait);
      return;
    }
    if (now - next > maxLagNanos) {
      next = now; // too far behind: restart the schedule rather than burst
    }
    next += intervalNanos;
  }
}
