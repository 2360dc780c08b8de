package io.selfstream.trainer.views;

import io.selfstream.schemas.avro.Frame;
import io.selfstream.schemas.avro.FrameFeatures;
import io.selfstream.schemas.avro.TrainingView;
import io.selfstream.trainer.augment.StrongAugment;
import io.selfstream.trainer.augment.U8Image;
import io.selfstream.trainer.augment.WeakAugment;
import io.selfstream.trainer.encoder.Encoder;
import io.selfstream.trainer.encoder.EncoderConfig;
import io.selfstream.trainer.encoder.Prediction;
import io.selfstream.trainer.mask.Mask;
import io.selfstream.trainer.mask.SimMimMaskGenerator;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * The per-frame work of the views job without any Flink or Kafka: for each frame a weak view, a
 * strong view and a SimMIM mask, all drawn from a seed derived from (job seed, source id, seq) so a
 * replayed frame gets exactly the same views; then one teacher forward pass over the weak views of
 * the whole batch. Used by the Flink operator and, unchanged, by the in-memory benchmark loop.
 */
public final class ViewMaker {

  /** What one batch produced: a view per frame, and features per frame when a teacher exists. */
  public record Made(List<TrainingView> views, List<FrameFeatures> features) {}

  private final EncoderConfig encoder;
  private final double threshold;
  private final long seed;
  private final WeakAugment weak;
  private final StrongAugment strong;
  private final SimMimMaskGenerator masks;

  /**
   * @param encoder the teacher's architecture; its {@code maskPatchSize} and {@code maskRatio} set
   *     the SimMIM mask
   * @param threshold a pseudo-label is emitted when the teacher's max probability reaches it
   * @param seed job seed mixed into every frame's augmentation seed
   */
  public ViewMaker(EncoderConfig encoder, double threshold, long seed) {
    this(encoder, threshold, seed, WeakAugment.DEFAULT, StrongAugment.DEFAULT);
  }

  public ViewMaker(
      EncoderConfig encoder, double threshold, long seed, WeakAugment weak, StrongAugment strong) {
    this.encoder = Objects.requireNonNull(encoder, "encoder");
    if (!(threshold >= 0 && threshold <= 1)) {
      throw new IllegalArgumentException("threshold must be in [0, 1], got " + threshold);
    }
    this.threshold = threshold;
    this.seed = seed;
    this.weak = Objects.requireNonNull(weak, "weak");
    this.strong = Objects.requireNonNull(strong, "strong");
    this.masks =
        new SimMimMaskGenerator(
            encoder.imageSize(), encoder.patchSize(), encoder.maskPatchSize(), encoder.maskRatio());
  }

  public EncoderConfig encoder() {
    return encoder;
  }

  /** The augmentation seed of frame {@code seq} of {@code sourceId} under job seed {@code seed}. */
  public static long augmentSeed(long seed, String sourceId, long seq) {
    long h = mix(seed, sourceId == null ? 0 : sourceId.hashCode());
    return mix(h, seq);
  }

  private static long mix(long a, long b) {
    long z = a * 0x9E3779B97F4A7C15L + b;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /** The frame's pixels as an image (checked against the encoder's shape by the caller). */
  public static U8Image image(Frame frame) {
    ByteBuffer b = frame.getPixels().duplicate();
    byte[] px = new byte[b.remaining()];
    b.get(px);
    return new U8Image(px, frame.getWidth(), frame.getHeight(), frame.getChannels());
  }

  /**
   * Makes the views of a batch of frames (all of the encoder's shape).
   *
   * @param frames the batch, in arrival order
   * @param teacher the teacher encoder, or {@code null} before any teacher exists
   * @param teacherVersion its version (ignored without a teacher)
   */
  public Made make(List<Frame> frames, Encoder teacher, long teacherVersion) {
    int n = frames.size();
    List<U8Image> weakViews = new ArrayList<>(n);
    List<U8Image> strongViews = new ArrayList<>(n);
    List<Mask> frameMasks = new ArrayList<>(n);
    long[] seeds = new long[n];
    for (int i = 0; i < n; i++) {
      Frame f = frames.get(i);
      seeds[i] = augmentSeed(seed, f.getSourceId(), f.getSeq());
      SplittableRandom random = new SplittableRandom(seeds[i]);
      U8Image img = image(f);
      weakViews.add(weak.apply(img, random));
      strongViews.add(strong.apply(img, random));
      frameMasks.add(masks.generate(random));
    }
    List<Prediction> predictions = teacher == null ? null : teacher.predict(weakViews);
    List<TrainingView> views = new ArrayList<>(n);
    List<FrameFeatures> features = new ArrayList<>(teacher == null ? 0 : n);
    for (int i = 0; i < n; i++) {
      Frame f = frames.get(i);
      Mask m = frameMasks.get(i);
      Prediction p = predictions == null ? null : predictions.get(i);
      boolean confident = p != null && p.confidence() >= threshold;
      views.add(
          TrainingView.newBuilder()
              .setSourceId(f.getSourceId())
              .setSeq(f.getSeq())
              .setCaptureTimeMs(f.getCaptureTimeMs())
              .setWidth(f.getWidth())
              .setHeight(f.getHeight())
              .setChannels(f.getChannels())
              .setWeakView(ByteBuffer.wrap(weakViews.get(i).pixels()))
              .setStrongView(ByteBuffer.wrap(strongViews.get(i).pixels()))
              .setMaskGridWidth(m.gridWidth())
              .setMaskGridHeight(m.gridHeight())
              .setMaskBits(ByteBuffer.wrap(m.toBits()))
              .setPseudoLabel(confident ? Integer.valueOf(p.label()) : null)
              .setConfidence(p == null ? 0f : p.confidence())
              .setTeacherVersion(p == null ? 0L : teacherVersion)
              .setAugmentSeed(seeds[i])
              .build());
      if (p != null) {
        float[] v = p.features();
        List<Float> boxed = new ArrayList<>(v.length);
        for (float x : v) {
          boxed.add(x);
        }
        features.add(
            FrameFeatures.newBuilder()
                .setSourceId(f.getSourceId())
                .setSeq(f.getSeq())
                .setCaptureTimeMs(f.getCaptureTimeMs())
                .setEncoderVersion(teacherVersion)
                .setFeatures(boxed)
                .build());
      }
    }
    return new Made(views, features);
  }
}
