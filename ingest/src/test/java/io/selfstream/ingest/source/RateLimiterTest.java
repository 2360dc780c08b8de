package io.selfstream.ingest.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.selfstream.data.IdxFile;
import io.selfstream.schemas.avro.RawFrame;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class RateLimiterTest {

  /** Fake time: sleeping advances it exactly. */
  private static final class FakeTime {
    long now = 1_000_000_000L;
    final List<Long> sleeps = new ArrayList<>();

    long nanoTime() {
      return now;
    }

    void sleep(long nanos) {
      sleeps.add(nanos);
      now += nanos;
    }
  }

  @Test
  void pacesPermitsOnAFixedSchedule() throws InterruptedException {
    FakeTime time = new FakeTime();
    RateLimiter limiter = new RateLimiter(100, time::nanoTime, time::sleep);
    long start = time.now;
    for (int i = 0; i < 101; i++) {
      limiter.acquire();
    }
    // the first permit is immediate, then one every 10 ms
    assertThat(time.now - start).isEqualTo(TimeUnit.MILLISECONDS.toNanos(1000));
    assertThat(time.sleeps).hasSize(100).containsOnly(TimeUnit.MILLISECONDS.toNanos(10));
  }

  @Test
  void aSlowCallerCatchesUpAtMostABurstThenRestarts() throws InterruptedException {
    FakeTime time = new FakeTime();
    RateLimiter limiter = new RateLimiter(1000, time::nanoTime, time::sleep);
    limiter.acquire();
    time.now += TimeUnit.MILLISECONDS.toNanos(50); // a 50 ms stall: within the catch-up window
    for (int i = 0; i < 50; i++) {
      limiter.acquire();
    }
    assertThat(time.sleeps).isEmpty();
    limiter.acquire();
    assertThat(time.sleeps).hasSize(1);
    time.now += TimeUnit.SECONDS.toNanos(5); // a long stall: no burst of 5000 permits
    limiter.acquire();
    int before = time.sleeps.size();
    limiter.acquire();
    assertThat(time.sleeps).hasSize(before + 1);
  }

  @Test
  void rejectsNonPositiveRates() {
    assertThatThrownBy(() -> new RateLimiter(0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new RateLimiter(Double.NaN))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void interruptWhilePacingEndsTheSource() {
    IdxFile idx = new IdxFile(new int[] {5, 1, 1}, new byte[5]);
    RateLimiter limiter =
        new RateLimiter(
            10,
            () -> 0L,
            nanos -> {
              throw new InterruptedException("stop");
            });
    FrameSource source =
        new RateLimitedSource(new IdxSource(idx, "i", "s", 0, Clock.systemUTC()), limiter);
    try {
      assertThat(source.hasNext()).isTrue();
      RawFrame first = source.next(); // no wait for the first permit
      assertThat(first.getSeq()).isZero();
      RawFrame second = source.next(); // sleeping is interrupted: frame still returned
      assertThat(second.getSeq()).isEqualTo(1);
      assertThat(source.hasNext()).isFalse();
    } finally {
      assertThat(Thread.interrupted()).isTrue(); // clears the flag for other tests
    }
  }
}
