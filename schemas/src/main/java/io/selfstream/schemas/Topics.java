package io.selfstream.schemas;

import io.selfstream.schemas.avro.DeadFrame;
import io.selfstream.schemas.avro.EvalLabel;
import io.selfstream.schemas.avro.Frame;
import io.selfstream.schemas.avro.FrameFeatures;
import io.selfstream.schemas.avro.FrameLabel;
import io.selfstream.schemas.avro.ModelUpdate;
import io.selfstream.schemas.avro.RawFrame;
import io.selfstream.schemas.avro.SegmentEvent;
import io.selfstream.schemas.avro.TrainingView;
import java.time.Duration;
import java.util.List;

/**
 * The topic catalogue (DESIGN.md section 3). Every module refers to topics through these constants;
 * no other code spells a topic name.
 */
public final class Topics {

  private Topics() {}

  public static final TopicSpec<RawFrame> FRAMES_RAW =
      new TopicSpec<>(
          "frames.raw",
          RawFrame.class,
          4,
          Duration.ofDays(1),
          false,
          "unlabeled frames as captured, before validation");

  public static final TopicSpec<Frame> FRAMES =
      new TopicSpec<>(
          "frames",
          Frame.class,
          4,
          Duration.ofDays(1),
          false,
          "validated frames at the model resolution");

  public static final TopicSpec<DeadFrame> FRAMES_DLQ =
      new TopicSpec<>(
          "frames.dlq",
          DeadFrame.class,
          1,
          Duration.ofDays(30),
          false,
          "rejected frames with their reason and original bytes");

  public static final TopicSpec<TrainingView> VIEWS =
      new TopicSpec<>(
          "views",
          TrainingView.class,
          4,
          Duration.ofHours(12),
          false,
          "weak/strong masked views with teacher pseudo-labels");

  public static final TopicSpec<FrameFeatures> FEATURES =
      new TopicSpec<>(
          "features",
          FrameFeatures.class,
          4,
          Duration.ofDays(1),
          false,
          "per-frame encoder features for the temporal module");

  /**
   * Model versions as signed chunks. Not compacted: a consumer that starts late replays from the
   * latest FULL, which needs the chunks of every version since.
   */
  public static final TopicSpec<ModelUpdate> MODEL_UPDATES =
      new TopicSpec<>(
          "model-updates",
          ModelUpdate.class,
          1,
          Duration.ofDays(7),
          false,
          "signed FULL and DELTA model versions");

  public static final TopicSpec<SegmentEvent> SEGMENTS =
      new TopicSpec<>(
          "segments",
          SegmentEvent.class,
          4,
          Duration.ofDays(7),
          false,
          "action segments of live feeds");

  /**
   * Per-frame action labels of live feeds (the live segmentation app), stamped with the temporal
   * model and encoder versions; {@link #SEGMENTS} carries the same labels run-length encoded.
   */
  public static final TopicSpec<FrameLabel> FRAME_LABELS =
      new TopicSpec<>(
          "frame-labels",
          FrameLabel.class,
          4,
          Duration.ofDays(1),
          false,
          "per-frame action labels of live feeds");

  /** Ground truth for evaluation only: no training path subscribes to it. */
  public static final TopicSpec<EvalLabel> LABELS_EVAL =
      new TopicSpec<>(
          "labels.eval",
          EvalLabel.class,
          4,
          Duration.ofDays(7),
          false,
          "ground truth for the evaluator and benchmarks only");

  /** Every topic, in creation order. */
  public static final List<TopicSpec<?>> ALL =
      List.of(
          FRAMES_RAW,
          FRAMES,
          FRAMES_DLQ,
          VIEWS,
          FEATURES,
          MODEL_UPDATES,
          SEGMENTS,
          FRAME_LABELS,
          LABELS_EVAL);
}
