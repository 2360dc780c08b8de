package io.selfstream.trainer.eval;

import io.selfstream.config.ClientSettings;
import io.selfstream.schemas.TopicSpec;
import io.selfstream.schemas.Topics;
import io.selfstream.schemas.avro.EvalLabel;
import io.selfstream.schemas.avro.Frame;
import io.selfstream.schemas.model.ModelUpdateFollower;
import io.selfstream.schemas.model.ModelVersion;
import io.selfstream.schemas.serde.SerdeFactory;
import io.selfstream.trainer.adapt.AdaptationMethod;
import io.selfstream.trainer.augment.U8Image;
import io.selfstream.trainer.views.EncoderUpdates;
import java.nio.ByteBuffer;
import java.security.PublicKey;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The prequential evaluator on Kafka: joins {@code frames} with {@code labels.eval} by (sourceId,
 * seq), follows every method's model on {@code model-updates}, and scores each frame with each
 * method's newest verified version that has not trained on it ({@link PrequentialScorer}). A frame
 * waits until every method holds a version trained through the frame before it (the freshest model
 * that could serve it) or until {@code maxWait} passes, then is scored with what is there; {@link
 * #flush} scores everything pending at the end of a run. Ground truth is read here and nowhere on a
 * training path; {@link #trackPseudoLabels} passes it on to score the trainers' pseudo-labels.
 */
public final class AdaptationEvaluator implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(AdaptationEvaluator.class);

  private final PrequentialScorer scorer;
  private final List<AdaptationMethod> methods;
  private final List<ModelUpdateFollower> followers = new ArrayList<>();
  private final KafkaConsumer<String, Frame> frames;
  private final KafkaConsumer<String, EvalLabel> labels;
  private final Duration maxWait;
  private final Map<String, Map<Long, Frame>> framesWaiting = new HashMap<>();
  private final Map<String, Map<Long, EvalLabel>> labelsWaiting = new HashMap<>();
  private final ArrayDeque<Pending> ready = new ArrayDeque<>();
  private final int batchSize;
  private long labelsWithoutFrame;
  private long scoredFrames;
  private volatile PseudoLabelAccuracy pseudoLabels;

  private record Pending(ScoredFrame frame, long joinedAtNanos) {}

  /** Sizes of the updates a method's versions arrived as (what travelled on the topic). */
  public record UpdateSizes(long fullCount, long fullBytes, long deltaCount, long deltaBytes) {
    UpdateSizes plus(ModelVersion v) {
      return v.kind() == io.selfstream.schemas.avro.UpdateKind.FULL
          ? new UpdateSizes(fullCount + 1, fullBytes + v.payloadBytes(), deltaCount, deltaBytes)
          : new UpdateSizes(fullCount, fullBytes, deltaCount + 1, deltaBytes + v.payloadBytes());
    }

    public double meanFullBytes() {
      return fullCount == 0 ? Double.NaN : (double) fullBytes / fullCount;
    }

    public double meanDeltaBytes() {
      return deltaCount == 0 ? Double.NaN : (double) deltaBytes / deltaCount;
    }
  }

  private final Map<AdaptationMethod, UpdateSizes> updateSizes =
      new java.util.concurrent.ConcurrentHashMap<>();

  /**
   * @param scorer scores the frames; its method ids must be the {@link AdaptationMethod#id()}s
   * @param methods the methods to follow; SOURCE follows version 1 of {@code encoder} only
   * @param maxWait how long a frame may wait for a fresher version before it is scored anyway
   */
  public AdaptationEvaluator(
      ClientSettings client,
      PrequentialScorer scorer,
      List<AdaptationMethod> methods,
      Collection<PublicKey> trustedKeys,
      Duration maxWait,
      int batchSize) {
    this.scorer = Objects.requireNonNull(scorer, "scorer");
    this.methods = List.copyOf(methods);
    this.maxWait = Objects.requireNonNull(maxWait, "maxWait");
    this.batchSize = batchSize;
    SerdeFactory serdes = new SerdeFactory(client);
    this.frames = new KafkaConsumer<>(consumerConfig(serdes, Topics.FRAMES));
    this.labels = new KafkaConsumer<>(consumerConfig(serdes, Topics.LABELS_EVAL));
    assignFromBeginning(frames, Topics.FRAMES.name());
    assignFromBeginning(labels, Topics.LABELS_EVAL.name());
    for (AdaptationMethod m : this.methods) {
      followers.add(
          ModelUpdateFollower.start(client, m.modelName(), trustedKeys, v -> offer(m, v)));
    }
  }

  private void offer(AdaptationMethod method, ModelVersion v) {
    if (method == AdaptationMethod.SOURCE && v.version() != 1) {
      return;
    }
    updateSizes.merge(method, new UpdateSizes(0, 0, 0, 0).plus(v), (a, b) -> a.plus(v));
    scorer.offer(
        method.id(),
        new VersionHistory.Entry(
            v.version(),
            EncoderUpdates.toSnapshot(v.parameters()),
            method == AdaptationMethod.SOURCE
                ? Map.of()
                : TrainedThrough.fromMetrics(v.metrics())));
  }

  private static Map<String, Object> consumerConfig(SerdeFactory serdes, TopicSpec<?> topic) {
    Map<String, Object> props = new LinkedHashMap<>(serdes.consumerConfig(topic));
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.remove(ConsumerConfig.GROUP_ID_CONFIG);
    return props;
  }

  private static void assignFromBeginning(KafkaConsumer<?, ?> consumer, String topic) {
    List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(30));
    if (infos == null || infos.isEmpty()) {
      throw new IllegalStateException("topic " + topic + " has no partitions (does it exist?)");
    }
    List<TopicPartition> parts = new ArrayList<>();
    for (PartitionInfo p : infos) {
      parts.add(new TopicPartition(topic, p.partition()));
    }
    consumer.assign(parts);
    consumer.seekToBeginning(parts);
  }

  /**
   * Hands every ground-truth label read from now on to {@code accuracy} too (the labels are read
   * from the topic's beginning, so attach before the first {@link #pollOnce} to see them all);
   * returns this.
   */
  public AdaptationEvaluator trackPseudoLabels(PseudoLabelAccuracy accuracy) {
    this.pseudoLabels = Objects.requireNonNull(accuracy, "accuracy");
    return this;
  }

  /**
   * Reads what arrived, joins frames with labels and scores the frames that are ready. Call from
   * one thread. Returns the number of frames scored.
   */
  public int pollOnce(Duration timeout) {
    for (ConsumerRecord<String, EvalLabel> r : labels.poll(Duration.ZERO)) {
      EvalLabel l = r.value();
      PseudoLabelAccuracy p = pseudoLabels;
      if (p != null) {
        p.onTruth(l.getSourceId(), l.getSeq(), l.getLabel());
      }
      labelsWaiting.computeIfAbsent(l.getSourceId(), k -> new HashMap<>()).put(l.getSeq(), l);
    }
    for (ConsumerRecord<String, Frame> r : frames.poll(timeout)) {
      Frame f = r.value();
      framesWaiting.computeIfAbsent(f.getSourceId(), k -> new HashMap<>()).put(f.getSeq(), f);
    }
    join();
    return scoreReady(false);
  }

  /** Scores every joined frame now, with the versions at hand (end of a run). */
  public int flush() {
    join();
    return scoreReady(true);
  }

  private void join() {
    long now = System.nanoTime();
    for (Map.Entry<String, Map<Long, Frame>> src : framesWaiting.entrySet()) {
      Map<Long, EvalLabel> ls = labelsWaiting.get(src.getKey());
      if (ls == null) {
        continue;
      }
      List<Long> seqs = new ArrayList<>(src.getValue().keySet());
      seqs.sort(Long::compare);
      for (long seq : seqs) {
        EvalLabel l = ls.remove(seq);
        if (l == null) {
          continue;
        }
        Frame f = src.getValue().remove(seq);
        scorer.expectSource(f.getSourceId(), seq);
        ready.add(
            new Pending(
                new ScoredFrame(
                    f.getSourceId(),
                    seq,
                    new U8Image(bytes(f.getPixels()), f.getWidth(), f.getHeight(), f.getChannels()),
                    l.getLabel(),
                    l.getDomain()),
                now));
        // labels of earlier frames of this source that never came are dead letters: forget them
        labelsWithoutFrame += dropBelow(ls, seq);
      }
    }
  }

  private static long dropBelow(Map<Long, EvalLabel> labels, long seq) {
    long before = labels.size();
    labels.keySet().removeIf(s -> s < seq);
    return before - labels.size();
  }

  private int scoreReady(boolean force) {
    int scored = 0;
    while (!ready.isEmpty()) {
      List<ScoredFrame> batch = new ArrayList<>();
      long now = System.nanoTime();
      while (!ready.isEmpty() && batch.size() < batchSize) {
        Pending p = ready.peekFirst();
        boolean waitedEnough = now - p.joinedAtNanos() >= maxWait.toNanos();
        if (!force && !waitedEnough && !everyMethodCaughtUp(p.frame())) {
          break;
        }
        batch.add(ready.pollFirst().frame());
      }
      if (batch.isEmpty()) {
        break;
      }
      scorer.score(batch);
      scored += batch.size();
    }
    scoredFrames += scored;
    return scored;
  }

  private boolean everyMethodCaughtUp(ScoredFrame f) {
    for (AdaptationMethod m : methods) {
      if (m == AdaptationMethod.SOURCE) {
        if (scorer.newestVersion(m.id()) < 1) {
          return false;
        }
      } else if (!scorer.caughtUp(m.id(), f.sourceId(), f.seq())) {
        return false;
      }
    }
    return true;
  }

  private static byte[] bytes(ByteBuffer b) {
    ByteBuffer d = b.duplicate();
    byte[] out = new byte[d.remaining()];
    d.get(out);
    return out;
  }

  public long scoredFrames() {
    return scoredFrames;
  }

  /** Frames joined with their label but not scored yet. */
  public int pending() {
    return ready.size();
  }

  /** Labels whose frame never arrived (it went to the dead-letter topic). */
  public long labelsWithoutFrame() {
    return labelsWithoutFrame;
  }

  /** Update sizes per method, as the versions arrived so far. */
  public Map<AdaptationMethod, UpdateSizes> updateSizes() {
    return Map.copyOf(updateSizes);
  }

  public PrequentialScorer scorer() {
    return scorer;
  }

  @Override
  public void close() {
    for (ModelUpdateFollower f : followers) {
      try {
        f.close();
      } catch (RuntimeException e) {
        LOG.warn("closing model follower failed", e);
      }
    }
    frames.close(Duration.ofSeconds(5));
    labels.close(Duration.ofSeconds(5));
  }
}
