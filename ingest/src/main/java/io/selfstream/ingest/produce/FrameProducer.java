package io.selfstream.ingest.produce;

import io.selfstream.ingest.source.FrameSource;
import io.selfstream.schemas.Topics;
import io.selfstream.schemas.avro.RawFrame;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends {@link RawFrame}s to {@code frames.raw}, keyed by source id, with the frame's capture time
 * as the record timestamp. Sends are asynchronous; a callback counts acknowledged and failed
 * records. Thread-safe for {@link #send}; {@link #sendAll} runs on the caller's thread.
 */
public final class FrameProducer implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(FrameProducer.class);

  private final Producer<String, RawFrame> producer;
  private final String topic;
  private final ProgressListener listener;
  private final Duration progressInterval;
  private final LongSupplier nanoTime;
  private final AtomicLong sent = new AtomicLong();
  private final AtomicLong acked = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicReference<Throwable> firstError = new AtomicReference<>();
  private final long createdNanos;

  /**
   * A producer on a real cluster with {@link IngestSettings#producerProperties} and the given value
   * serializer (e.g. the registry serde's, already configured), sending to {@code frames.raw}.
   */
  public static FrameProducer create(
      IngestSettings settings,
      String bootstrap,
      Serializer<RawFrame> valueSerializer,
      ProgressListener listener) {
    KafkaProducer<String, RawFrame> producer =
        new KafkaProducer<>(
            settings.producerProperties(bootstrap), new StringSerializer(), valueSerializer);
    return new FrameProducer(
        producer,
        Topics.FRAMES_RAW.name(),
        listener,
        settings.progressInterval(),
        System::nanoTime);
  }

  /**
   * @param producer any producer (a {@code MockProducer} in tests); closed by {@link #close}
   * @param topic where frames go (normally {@code Topics.FRAMES_RAW.name()})
   * @param listener progress callback
   * @param progressInterval minimum time between progress callbacks in {@link #sendAll}
   * @param nanoTime clock for elapsed time and progress pacing
   */
  public FrameProducer(
      Producer<String, RawFrame> producer,
      String topic,
      ProgressListener listener,
      Duration progressInterval,
      LongSupplier nanoTime) {
    this.producer = Objects.requireNonNull(producer, "producer");
    this.topic = Objects.requireNonNull(topic, "topic");
    this.listener = listener == null ? ProgressListener.NONE : listener;
    this.progressInterval = progressInterval;
    this.nanoTime = nanoTime;
    this.createdNanos = nanoTime.getAsLong();
  }

  /**
   * Sends one frame asynchronously. Exceptions the producer throws synchronously (serializer or
   * registry failure, closed or fenced producer, interrupted while blocked on a full buffer)
   * propagate; they are not counted as sent or failed because the frame was never sent. Errors the
   * producer reports through the callback (record too large, timeout) count as failed.
   */
  public void send(RawFrame frame) {
    ProducerRecord<String, RawFrame> record =
        new ProducerRecord<>(
            topic,
            null,
            frame.getCaptureTimeMs() == null ? null : frame.getCaptureTimeMs().toEpochMilli(),
            frame.getSourceId(),
            frame);
    sent.incrementAndGet(); // before send: the callback may run inside send()
    try {
      producer.send(
          record,
          (metadata, exception) -> {
            if (exception == null) {
              acked.incrementAndGet();
            } else {
              failed.incrementAndGet();
              if (firstError.compareAndSet(null, exception)) {
                log.warn("sending to {} failed: {}", topic, exception.toString());
              }
            }
          });
    } catch (RuntimeException e) {
      sent.decrementAndGet();
      throw e;
    }
  }

  /**
   * Sends every frame of {@code source} (apply limit and rate first, e.g. with {@link
   * IngestSettings#apply}), flushes, reports progress along the way and at the end, and closes
   * nothing. Stops early when the thread is interrupted or a send throws synchronously (e.g. the
   * schema registry is unreachable): such an error is in the result, not thrown.
   */
  public IngestResult sendAll(FrameSource source) {
    long start = nanoTime.getAsLong();
    long sentBefore = sent.get();
    long ackedBefore = acked.get();
    long failedBefore = failed.get();
    long read = 0;
    long lastReport = start;
    long intervalNanos = progressInterval.toNanos();
    OptionalLong total = source.size();
    Throwable error = null;
    boolean interrupted = false;
    try {
      while (source.hasNext()) {
        if (Thread.currentThread().isInterrupted()) {
          interrupted = true;
          break;
        }
        RawFrame frame = source.next();
        read++;
        send(frame);
        long now = nanoTime.getAsLong();
        if (now - lastReport >= intervalNanos) {
          lastReport = now;
          listener.onProgress(progress(sentBefore, ackedBefore, failedBefore, total, now - start));
        }
      }
      interrupted |= Thread.currentThread().isInterrupted();
    } catch (InterruptException e) {
      interrupted = true;
    } catch (RuntimeException e) {
      log.error("ingest of {} stopped after {} frames: {}", source.sourceId(), read, e.toString());
      error = e;
    }
    boolean wasInterrupted = Thread.interrupted(); // flush needs an uninterrupted thread
    try {
      producer.flush();
    } catch (RuntimeException e) { // e.g. a fatal producer state; the counts still tell the story
      log.error("flush after ingest of {} failed: {}", source.sourceId(), e.toString());
      if (error == null) {
        error = e;
      }
    } finally {
      if (wasInterrupted || interrupted) {
        Thread.currentThread().interrupt();
      }
    }
    long elapsed = nanoTime.getAsLong() - start;
    IngestProgress last = progress(sentBefore, ackedBefore, failedBefore, total, elapsed);
    listener.onProgress(last);
    if (error == null && last.failed() > 0) {
      error = firstError.get();
    }
    return new IngestResult(
        read,
        last.sent(),
        last.acked(),
        last.failed(),
        Duration.ofNanos(elapsed),
        interrupted,
        Optional.ofNullable(error));
  }

  private IngestProgress progress(
      long sentBefore, long ackedBefore, long failedBefore, OptionalLong total, long elapsed) {
    return new IngestProgress(
        sent.get() - sentBefore,
        acked.get() - ackedBefore,
        failed.get() - failedBefore,
        total,
        Duration.ofNanos(elapsed));
  }

  /** Counts since this producer was created. */
  public IngestProgress progress() {
    return new IngestProgress(
        sent.get(),
        acked.get(),
        failed.get(),
        OptionalLong.empty(),
        Duration.ofNanos(nanoTime.getAsLong() - createdNanos));
  }

  /** The first asynchronous send error, if any. */
  public Optional<Throwable> firstError() {
    return Optional.ofNullable(firstError.get());
  }

  /** Blocks until every sent frame is acknowledged or failed. */
  public void flush() {
    producer.flush();
  }

  /** Flushes and closes, waiting up to {@code timeout} for outstanding sends. */
  public void close(Duration timeout) {
    producer.close(timeout);
  }

  @Override
  public void close() {
    close(Duration.ofSeconds(30));
  }
}
