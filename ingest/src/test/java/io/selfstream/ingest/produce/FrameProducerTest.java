package io.selfstream.ingest.produce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.selfstream.data.IdxFile;
import io.selfstream.ingest.AvroSerde;
import io.selfstream.ingest.TestImages;
import io.selfstream.ingest.source.FrameSource;
import io.selfstream.ingest.source.IdxSource;
import io.selfstream.schemas.Topics;
import io.selfstream.schemas.avro.RawFrame;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

class FrameProducerTest {

  private static final AvroSerde<RawFrame> SERDE = new AvroSerde<>(RawFrame.class);

  /** Fake clock advancing 1 ms per read. */
  private static final class Ticks {
    final AtomicLong now = new AtomicLong();

    long next() {
      return now.addAndGet(1_000_000);
    }
  }

  private static FrameSource fashionMnist(int n) {
    return new IdxSource(
        new IdxFile(new int[] {n, 28, 28}, concat(n)), "t10k", "fmnist", 0, Clock.systemUTC());
  }

  private static byte[] concat(int n) {
    byte[] all = new byte[n * 784];
    for (int i = 0; i < n; i++) {
      System.arraycopy(TestImages.image(i), 0, all, i * 784, 784);
    }
    return all;
  }

  private static MockProducer<String, RawFrame> mock(boolean autoComplete) {
    return new MockProducer<>(autoComplete, null, new StringSerializer(), SERDE.serializer());
  }

  @Test
  void sendsEveryFrameKeyedBySourceIdWithProgress() {
    MockProducer<String, RawFrame> mock = mock(true);
    List<IngestProgress> reports = new ArrayList<>();
    Ticks ticks = new Ticks();
    FrameProducer producer =
        new FrameProducer(
            mock, Topics.FRAMES_RAW.name(), reports::add, Duration.ofMillis(10), ticks::next);
    IngestResult result = producer.sendAll(fashionMnist(100));
    assertThat(result.read()).isEqualTo(100);
    assertThat(result.sent()).isEqualTo(100);
    assertThat(result.acked()).isEqualTo(100);
    assertThat(result.failed()).isZero();
    assertThat(result.complete()).isTrue();
    assertThat(result.framesPerSecond()).isPositive();
    List<ProducerRecord<String, RawFrame>> history = mock.history();
    assertThat(history).hasSize(100);
    for (int i = 0; i < 100; i++) {
      ProducerRecord<String, RawFrame> r = history.get(i);
      assertThat(r.topic()).isEqualTo(Topics.FRAMES_RAW.name());
      assertThat(r.key()).isEqualTo("fmnist");
      assertThat(r.value().getSeq()).isEqualTo(i);
      assertThat(r.timestamp()).isEqualTo(r.value().getCaptureTimeMs().toEpochMilli());
    }
    // one report per 10 fake ms (1 ms per frame) plus the final one
    assertThat(reports).hasSizeBetween(9, 12);
    IngestProgress last = reports.get(reports.size() - 1);
    assertThat(last.acked()).isEqualTo(100);
    assertThat(last.total()).hasValue(100);
    assertThat(last.inFlight()).isZero();
    assertThat(mock.flushed()).isTrue();
    producer.close();
    assertThat(mock.closed()).isTrue();
  }

  @Test
  void countsAsynchronousFailures() {
    MockProducer<String, RawFrame> mock = mock(false);
    FrameProducer producer =
        new FrameProducer(
            mock, Topics.FRAMES_RAW.name(), null, Duration.ofSeconds(1), System::nanoTime);
    FrameSource source = fashionMnist(5);
    while (source.hasNext()) {
      producer.send(source.next());
    }
    assertThat(producer.progress().inFlight()).isEqualTo(5);
    assertThat(mock.completeNext()).isTrue();
    assertThat(mock.errorNext(new TimeoutException("broker gone"))).isTrue();
    assertThat(mock.completeNext()).isTrue();
    assertThat(mock.errorNext(new TimeoutException("again"))).isTrue();
    assertThat(mock.completeNext()).isTrue();
    IngestProgress p = producer.progress();
    assertThat(p.sent()).isEqualTo(5);
    assertThat(p.acked()).isEqualTo(3);
    assertThat(p.failed()).isEqualTo(2);
    assertThat(producer.firstError())
        .get()
        .extracting(Throwable::getMessage)
        .isEqualTo("broker gone");
  }

  @Test
  void aSynchronousSendErrorStopsTheRunAndIsReported() {
    AtomicLong calls = new AtomicLong();
    Serializer<RawFrame> failing =
        (topic, frame) -> {
          if (calls.incrementAndGet() > 3) {
            throw new SerializationException("registry unreachable");
          }
          return SERDE.toBytes(frame);
        };
    MockProducer<String, RawFrame> mock =
        new MockProducer<>(true, null, new StringSerializer(), failing);
    FrameProducer producer =
        new FrameProducer(
            mock, Topics.FRAMES_RAW.name(), null, Duration.ofSeconds(1), System::nanoTime);
    IngestResult result = producer.sendAll(fashionMnist(10));
    assertThat(result.read()).isEqualTo(4);
    assertThat(result.sent()).isEqualTo(3);
    assertThat(result.acked()).isEqualTo(3);
    assertThat(result.complete()).isFalse();
    assertThat(result.error()).get().isInstanceOf(SerializationException.class);
    assertThatThrownBy(() -> producer.send(fashionMnist(1).next()))
        .isInstanceOf(SerializationException.class);
    assertThat(producer.progress().sent()).isEqualTo(3);
  }

  @Test
  void anInterruptedRunStopsAndFlushes() {
    MockProducer<String, RawFrame> mock = mock(true);
    FrameProducer producer =
        new FrameProducer(
            mock, Topics.FRAMES_RAW.name(), null, Duration.ofSeconds(1), System::nanoTime);
    Thread.currentThread().interrupt();
    try {
      IngestResult result = producer.sendAll(fashionMnist(10));
      assertThat(result.interrupted()).isTrue();
      assertThat(result.read()).isZero();
      assertThat(result.complete()).isFalse();
      assertThat(mock.flushed()).isTrue();
    } finally {
      assertThat(Thread.interrupted()).isTrue();
    }
  }

  @Test
  void settingsApplyLimitAndRate() {
    IngestSettings settings = IngestSettings.defaults().withLimit(7);
    MockProducer<String, RawFrame> mock = mock(true);
    FrameProducer producer =
        new FrameProducer(
            mock, Topics.FRAMES_RAW.name(), null, Duration.ofSeconds(1), System::nanoTime);
    IngestResult result = producer.sendAll(settings.apply(fashionMnist(20)));
    assertThat(result.acked()).isEqualTo(7);
    assertThat(mock.history()).hasSize(7);
  }
}
