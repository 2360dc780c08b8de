package io.selfstream.ops.pipeline;

import io.selfstream.config.ClientSettings;
import io.selfstream.ingest.corrupt.CorruptedStream;
import io.selfstream.ingest.produce.FrameProducer;
import io.selfstream.ingest.produce.IngestResult;
import io.selfstream.ingest.produce.IngestSettings;
import io.selfstream.schemas.Topics;
import io.selfstream.schemas.avro.EvalLabel;
import io.selfstream.schemas.serde.SerdeFactory;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Streams the continual corruption feed: frames into {@code frames.raw}, the ground truth of each
 * frame only into {@code labels.eval} (sent before the frame, so an evaluator never waits on a
 * label for a frame it already holds).
 */
public final class CorruptedFeedIngest {

  /** What was sent: the frames' ingest result and the label counts. */
  public record Result(IngestResult frames, long labelsAcked, long labelsFailed) {
    public boolean complete() {
      return frames.complete() && labelsFailed == 0;
    }
  }

  /** Progress of a run: frames acknowledged of the feed's total, labels acknowledged. */
  public interface Progress {
    void update(long framesAcked, long framesTotal, long labelsAcked);
  }

  private CorruptedFeedIngest() {}

  /**
   * Sends the whole feed {@code feed} describes and waits for every acknowledgement.
   *
   * @param settings producer settings; its source id is replaced by the feed's
   * @param progress called as acknowledgements arrive
   */
  public static Result run(
      ClientSettings client,
      IngestSettings settings,
      CorruptedStream.Config feed,
      Progress progress)
      throws Exception {
    SerdeFactory serdes = new SerdeFactory(client);
    Map<String, Object> labelProps = new HashMap<>(serdes.producerConfig());
    labelProps.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    labelProps.put(ProducerConfig.ACKS_CONFIG, "all");
    labelProps.put(ProducerConfig.LINGER_MS_CONFIG, "20");
    IngestSettings withSource = settings.withSourceId(feed.sourceId());
    AtomicLong labelsAcked = new AtomicLong();
    AtomicLong labelsFailed = new AtomicLong();
    IngestResult result;
    try (CorruptedStream stream = CorruptedStream.open(feed);
        KafkaProducer<String, EvalLabel> labels = new KafkaProducer<>(labelProps);
        FrameProducer producer =
            FrameProducer.create(
                withSource,
                client.bootstrap(),
                serdes.valueSerializer(Topics.FRAMES_RAW),
                p -> progress.update(p.acked(), total(stream), labelsAcked.get()))) {
      stream.onLabel(
          label ->
              labels.send(
                  new ProducerRecord<>(Topics.LABELS_EVAL.name(), label.getSourceId(), label),
                  (meta, error) -> (error == null ? labelsAcked : labelsFailed).incrementAndGet()));
      result = producer.sendAll(withSource.apply(stream));
      labels.flush();
    }
    return new Result(result, labelsAcked.get(), labelsFailed.get());
  }

  private static long total(CorruptedStream stream) {
    return stream.size().orElse(-1);
  }
}
