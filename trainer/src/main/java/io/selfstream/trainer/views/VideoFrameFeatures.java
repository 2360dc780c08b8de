package io.selfstream.trainer.views;

import io.selfstream.graphreasoning.synth.FrameFeatureExtractor;
import io.selfstream.schemas.avro.Frame;
import io.selfstream.schemas.avro.FrameFeatures;
import io.selfstream.trainer.temporal.VideoFeatures;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The per-source work of {@link VideoFeaturesFunction} without Flink: the fixed {@link
 * FrameFeatureExtractor} features of one frame of a video feed, given the feed's state after its
 * previous frame. A pure function of (state, frame), so a feed replayed from restored state gives
 * bit-equal features, and a whole feed in order gives exactly {@link VideoFeatures#ofVideo}.
 *
 * <p>The motion state (the change features read frame t-1) restarts, and the frame gets first-frame
 * features (all changes 0), when the frame does not directly follow the previous one: a seq gap
 * (frames lost upstream, e.g. dead-lettered by the normalizer) would make a multi-frame difference
 * look like one fast move, and a seq at or below the last one is a restarted feed, i.e. a new
 * video, which offline extraction also starts with zero changes. A change of frame side restarts it
 * too (the feed was reconfigured).
 */
public final class VideoFrameFeatures {

  /**
   * A feed's state after one frame.
   *
   * @param seq seq of the last frame
   * @param side its side
   * @param pooled its pooled cells ({@link FrameFeatureExtractor.Sequence#previousPooled()})
   * @param moments its moments ({@link FrameFeatureExtractor.Sequence#previousMoments()})
   */
  public record State(long seq, int side, float[] pooled, double[] moments) {}

  /**
   * One frame's result.
   *
   * @param features the record for {@code features}, encoder version {@link
   *     VideoFeatures#ENCODER_VERSION}
   * @param state the feed's state after it
   * @param reset whether the motion state was restarted although a previous frame existed
   */
  public record Step(FrameFeatures features, State state, boolean reset) {}

  private final int grid;

  public VideoFrameFeatures(int grid) {
    if (grid < 1) {
      throw new IllegalArgumentException("grid must be >= 1, got " + grid);
    }
    this.grid = grid;
  }

  public int grid() {
    return grid;
  }

  /** Why {@code frame} cannot be a video frame under {@code grid}, or {@code null} when it can. */
  public static String shapeProblem(Frame frame, int grid) {
    int w = frame.getWidth();
    int h = frame.getHeight();
    if (w != h || frame.getChannels() != 1 || w < 1) {
      return "video frame is "
          + w
          + "x"
          + h
          + "x"
          + frame.getChannels()
          + ", video features take square grey frames (side x side x 1)";
    }
    if (w % grid != 0) {
      return "video frame side " + w + " is not a multiple of views.videoFeatureGrid " + grid;
    }
    int bytes = frame.getPixels() == null ? -1 : frame.getPixels().remaining();
    if (bytes != w * h) {
      return "video frame has " + bytes + " pixel bytes, " + w + "x" + h + "x1 expected";
    }
    return null;
  }

  /**
   * Features of {@code frame} after {@code previous}.
   *
   * @param previous the feed's state, {@code null} before its first frame (or after state loss)
   * @param frame a frame with no {@link #shapeProblem}
   * @throws IllegalArgumentException when the frame has a shape problem
   */
  public Step next(State previous, Frame frame) {
    String problem = shapeProblem(frame, grid);
    if (problem != null) {
      throw new IllegalArgumentException(problem);
    }
    int side = frame.getWidth();
    FrameFeatureExtractor extractor = new FrameFeatureExtractor(side, grid);
    boolean continues =
        previous != null && previous.side() == side && frame.getSeq() == previous.seq() + 1;
    FrameFeatureExtractor.Sequence sequence =
        continues
            ? extractor.sequence(previous.pooled(), previous.moments())
            : extractor.sequence();
    ByteBuffer b = frame.getPixels().duplicate();
    byte[] pixels = new byte[b.remaining()];
    b.get(pixels);
    float[] f = sequence.next(pixels);
    List<Float> boxed = new ArrayList<>(f.length);
    for (float x : f) {
      boxed.add(x);
    }
    FrameFeatures out =
        FrameFeatures.newBuilder()
            .setSourceId(frame.getSourceId())
            .setSeq(frame.getSeq())
            .setCaptureTimeMs(frame.getCaptureTimeMs())
            .setEncoderVersion(VideoFeatures.ENCODER_VERSION)
            .setFeatures(boxed)
            .build();
    State state =
        new State(frame.getSeq(), side, sequence.previousPooled(), sequence.previousMoments());
    return new Step(out, state, previous != null && !continues);
  }
}
