package io.selfstream.trainer.views;

import io.selfstream.schemas.Topics;
import io.selfstream.schemas.avro.DeadFrame;
import io.selfstream.schemas.avro.DeadLetterReason;
import io.selfstream.schemas.avro.Frame;
import io.selfstream.schemas.avro.FrameFeatures;
import java.time.Instant;
import java.util.regex.Pattern;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.functions.FilterFunction;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.api.java.tuple.Tuple4;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Frames of live video feeds, keyed by {@code sourceId} -> fixed, training-free {@link
 * VideoFrameFeatures} (encoder version 0), the features the temporal models read. No teacher is
 * involved, so features flow from the first frame on, before any encoder version exists.
 *
 * <p>Keyed state per feed: the last frame's seq, side, pooled cells and moments, so the change
 * features of the first frame after a restore read the frame before it exactly as an uninterrupted
 * run would. A frame that is not square grey or whose side the grid does not divide goes to {@link
 * ViewsOperator#DEAD_LETTERS} (normally caught earlier, by {@link FrameDeserializationSchema},
 * where the original bytes are still known).
 */
public final class VideoFeaturesFunction
    extends KeyedProcessFunction<String, FrameEnvelope, FrameFeatures> {

  private static final long serialVersionUID = 1L;

  /** Accumulator (LongCounter): video feature vectors emitted by all instances. */
  public static final String ACC_VIDEO_FEATURES = "selfstream.views.videoFeatures";

  /** State type: (seq, side, pooled cells, moments) of a feed's last frame. */
  static final TypeInformation<Tuple4<Long, Integer, float[], double[]>> STATE_TYPE =
      Types.TUPLE(
          Types.LONG,
          Types.INT,
          Types.PRIMITIVE_ARRAY(Types.FLOAT),
          Types.PRIMITIVE_ARRAY(Types.DOUBLE));

  private final int grid;

  private transient VideoFrameFeatures core;
  private transient ValueState<Tuple4<Long, Integer, float[], double[]>> last;
  private transient Counter featuresOut;
  private transient Counter deadLettersOut;
  private transient Counter motionResets;
  private transient LongCounter featuresTotal;
  private transient LongCounter deadLettersTotal;

  /**
   * @param grid pooling grid ({@code views.videoFeatureGrid})
   */
  public VideoFeaturesFunction(int grid) {
    this.grid = grid;
    new VideoFrameFeatures(grid); // fail at graph building, not in the task
  }

  @Override
  public void open(OpenContext openContext) throws Exception {
    core = new VideoFrameFeatures(grid);
    last = getRuntimeContext().getState(new ValueStateDescriptor<>("video-last-frame", STATE_TYPE));
    var metrics = getRuntimeContext().getMetricGroup();
    featuresOut = metrics.counter("videoFeaturesOut");
    deadLettersOut = metrics.counter("deadLettersOut");
    motionResets = metrics.counter("videoMotionResets");
    featuresTotal = getRuntimeContext().getLongCounter(ACC_VIDEO_FEATURES);
    deadLettersTotal = getRuntimeContext().getLongCounter(ViewsOperator.ACC_DEAD_LETTERS);
  }

  @Override
  public void processElement(FrameEnvelope envelope, Context ctx, Collector<FrameFeatures> out)
      throws Exception {
    if (envelope.isDead()) {
      dead(ctx, envelope.dead());
      return;
    }
    Frame frame = envelope.frame();
    String problem = VideoFrameFeatures.shapeProblem(frame, grid);
    if (problem != null) {
      dead(
          ctx,
          DeadFrame.newBuilder()
              .setSourceId(frame.getSourceId())
              .setSeq(frame.getSeq())
              .setReason(DeadLetterReason.MODEL_SHAPE_MISMATCH)
              .setMessage(problem)
              .setOriginalBytes(null)
              .setTopic(Topics.FRAMES.name())
              .setPartition(-1)
              .setOffset(-1)
              .setFailedAtMs(Instant.now())
              .build());
      return;
    }
    VideoFrameFeatures.Step step = core.next(fromTuple(last.value()), frame);
    VideoFrameFeatures.State s = step.state();
    last.update(Tuple4.of(s.seq(), s.side(), s.pooled(), s.moments()));
    out.collect(step.features());
    featuresOut.inc();
    featuresTotal.add(1L);
    if (step.reset()) {
      motionResets.inc();
    }
  }

  private void dead(Context ctx, DeadFrame dead) {
    ctx.output(ViewsOperator.DEAD_LETTERS, dead);
    deadLettersOut.inc();
    deadLettersTotal.add(1L);
  }

  static VideoFrameFeatures.State fromTuple(Tuple4<Long, Integer, float[], double[]> t) {
    return t == null ? null : new VideoFrameFeatures.State(t.f0, t.f1, t.f2, t.f3);
  }

  /** Whether a frame's whole {@code sourceId} matches {@code views.videoSources}. */
  public static boolean isVideo(Pattern videoSources, Frame frame) {
    return frame.getSourceId() != null && videoSources.matcher(frame.getSourceId()).matches();
  }

  /**
   * Splits {@code frames}: {@code video = true} keeps the decoded frames of video sources, {@code
   * false} keeps everything else (image frames and every dead letter, which the views operator
   * routes to the DLQ).
   */
  public static final class VideoSourceFilter implements FilterFunction<FrameEnvelope> {
    private static final long serialVersionUID = 1L;

    private final Pattern videoSources;
    private final boolean video;

    public VideoSourceFilter(String videoSources, boolean video) {
      this.videoSources = Pattern.compile(videoSources);
      this.video = video;
    }

    @Override
    public boolean filter(FrameEnvelope e) {
      boolean isVideo = !e.isDead() && isVideo(videoSources, e.frame());
      return isVideo == video;
    }
  }

  /** Keys video frames by their source. */
  public static final class SourceKey implements KeySelector<FrameEnvelope, String> {
    private static final long serialVersionUID = 1L;

    @Override
    public String getKey(FrameEnvelope e) {
      return e.isDead() ? String.valueOf(e.dead().getSourceId()) : e.frame().getSourceId();
    }
  }
}
