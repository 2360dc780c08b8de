package io.selfstream.graphreasoning.synth;

import io.selfstream.graphreasoning.data.Features;
import java.util.List;

/**
 * The fixed, training-free per-frame features the segmentation benchmark uses until the project's
 * encoder provides learned ones. For frame t of a {@code size x size} grey video, with grey levels
 * scaled to [0, 1]:
 *
 * <ol>
 *   <li>{@code grid x grid} average pooling of the frame (appearance and position);
 *   <li>{@code grid x grid} average pooling of {@code frame_t - frame_(t-1)}, times {@link
 *       #DIFF_GAIN} (signed motion energy per cell);
 *   <li>{@link #MOMENTS} global image moments: mass (mean intensity x 10), centroid x and y and
 *       spread ({@code sqrt(mu20 + mu02)}), all in units of the frame size, {@code cos 2 theta} and
 *       {@code sin 2 theta} of the principal axis, and the frame-to-frame changes of centroid x, y
 *       and spread (x {@link #MOTION_GAIN}) and of the axis angle (radians, wrapped to +-pi/2).
 *       These are translation-invariant motion cues: direction and speed of a move, growth,
 *       rotation sense.
 * </ol>
 *
 * Dimension {@code 2 grid^2 + 10} (138 for the default 8x8 grid). All changes are 0 at t = 0. No
 * learned parameter and no randomness: the same frames always give the same features.
 */
public final class FrameFeatureExtractor {

  public static final int DEFAULT_GRID = 8;

  /** Number of global moment features. */
  public static final int MOMENTS = 10;

  /** Scales the pooled frame difference to roughly the range of the pooled frame. */
  public static final float DIFF_GAIN = 4f;

  /** Scales centroid and spread changes (fractions of the frame size per frame). */
  public static final float MOTION_GAIN = 20f;

  private final int size;
  private final int grid;

  public FrameFeatureExtractor(int size, int grid) {
    if (size % grid != 0) {
      throw new IllegalArgumentException("grid " + grid + " must divide frame size " + size);
    }
    this.size = size;
    this.grid = grid;
  }

  public FrameFeatureExtractor(int size) {
    this(size, DEFAULT_GRID);
  }

  /** Side of the square frames this extractor reads. */
  public int size() {
    return size;
  }

  public int grid() {
    return grid;
  }

  public int dim() {
    return 2 * grid * grid + MOMENTS;
  }

  /** Features of a whole video, {@code dim x T}. */
  public Features extract(List<byte[]> frames) {
    float[][] out = new float[frames.size()][];
    Sequence sequence = sequence();
    for (int t = 0; t < frames.size(); t++) {
      out[t] = sequence.next(frames.get(t));
    }
    return Features.fromFrames(out);
  }

  /** A fresh per-video state for frame-by-frame extraction (live feeds). */
  public Sequence sequence() {
    return new Sequence(null, null);
  }

  /**
   * Restores a per-video state saved with {@link Sequence#previousPooled()} and {@link
   * Sequence#previousMoments()} (both null: no frame seen yet).
   */
  public Sequence sequence(float[] previousPooled, double[] previousMoments) {
    if ((previousPooled == null) != (previousMoments == null)) {
      throw new IllegalArgumentException("previous pooled cells and moments go together");
    }
    if (previousPooled != null
        && (previousPooled.length != grid * grid || previousMoments.length != 5)) {
      throw new IllegalArgumentException(
          "state of "
              + previousPooled.length
              + " cells / "
              + previousMoments.length
              + " moments does not fit a "
              + grid
              + "x"
              + grid
              + " grid");
    }
    return new Sequence(previousPooled, previousMoments);
  }

  /**
   * Frame-by-frame extraction over one video: the change features of frame t read frame t-1, so the
   * state is the previous frame's pooled cells and moments. {@link #extract} over a list equals
   * {@link #next} over the same frames in order.
   */
  public final class Sequence {
    private float[] previous;
    private double[] prevMoments;

    private Sequence(float[] previous, double[] prevMoments) {
      this.previous = previous == null ? null : previous.clone();
      this.prevMoments = prevMoments == null ? null : prevMoments.clone();
    }

    /** Features of the next frame ({@code size x size} grey bytes), {@link #dim()} floats. */
    public float[] next(byte[] frame) {
      int cells = grid * grid;
      float[] f = new float[dim()];
      float[] pooled = new float[cells];
      ImageFeatures.pool(frame, size, grid, pooled, 0);
      System.arraycopy(pooled, 0, f, 0, cells);
      double[] m = moments(frame);
      int o = 2 * cells;
      f[o] = (float) (m[0] * 10);
      f[o + 1] = (float) m[1];
      f[o + 2] = (float) m[2];
      f[o + 3] = (float) m[3];
      f[o + 4] = (float) Math.cos(2 * m[4]);
      f[o + 5] = (float) Math.sin(2 * m[4]);
      if (previous != null) {
        for (int c = 0; c < cells; c++) {
          f[cells + c] = (pooled[c] - previous[c]) * DIFF_GAIN;
        }
        f[o + 6] = (float) ((m[1] - prevMoments[1]) * MOTION_GAIN);
        f[o + 7] = (float) ((m[2] - prevMoments[2]) * MOTION_GAIN);
        f[o + 8] = (float) ((m[3] - prevMoments[3]) * MOTION_GAIN);
        double da = m[4] - prevMoments[4];
        while (da > Math.PI / 2) {
          da -= Math.PI;
        }
        while (da <= -Math.PI / 2) {
          da += Math.PI;
        }
        f[o + 9] = (float) da;
      }
      previous = pooled;
      prevMoments = m;
      return f;
    }

    /** Pooled cells of the last frame, or null before the first (state to save). */
    public float[] previousPooled() {
      return previous == null ? null : previous.clone();
    }

    /** {mass, cx, cy, spread, theta} of the last frame, or null before the first. */
    public double[] previousMoments() {
      return prevMoments == null ? null : prevMoments.clone();
    }
  }

  /** {mass, cx, cy, spread, theta}; mass the mean intensity, lengths in frame sizes. */
  double[] moments(byte[] frame) {
    double m = 0;
    double sx = 0;
    double sy = 0;
    for (int y = 0; y < size; y++) {
      for (int x = 0; x < size; x++) {
        double g = (frame[y * size + x] & 0xff) / 255.0;
        m += g;
        sx += g * x;
        sy += g * y;
      }
    }
    if (m <= 1e-9) {
      return new double[] {0, 0.5, 0.5, 0, 0};
    }
    double cx = sx / m;
    double cy = sy / m;
    double mu20 = 0;
    double mu02 = 0;
    double mu11 = 0;
    for (int y = 0; y < size; y++) {
      for (int x = 0; x < size; x++) {
        double g = (frame[y * size + x] & 0xff) / 255.0;
        double dx = x - cx;
        double dy = y - cy;
        mu20 += g * dx * dx;
        mu02 += g * dy * dy;
        mu11 += g * dx * dy;
      }
    }
    mu20 /= m;
    mu02 /= m;
    mu11 /= m;
    double theta = 0.5 * Math.atan2(2 * mu11, mu20 - mu02);
    return new double[] {
      m / ((double) size * size), cx / size, cy / size, Math.sqrt(mu20 + mu02) / size, theta
    };
  }
}
