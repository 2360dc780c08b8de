package io.selfstream.trainer.temporal;

import io.selfstream.graphreasoning.data.Features;
import io.selfstream.graphreasoning.live.TemporalModels;
import io.selfstream.graphreasoning.synth.FrameFeatureExtractor;
import io.selfstream.ingest.image.ResizeMethod;
import io.selfstream.ingest.image.Resizer;
import java.util.ArrayList;
import java.util.List;

/**
 * The per-frame features of live video feeds, computed offline exactly as the live pipeline
 * computes them, so a temporal model trained offline reads the same coordinates it will be served.
 *
 * <p>Live path: a video frame of side {@code s} enters {@code frames.raw}; the normalizer resizes
 * it to the model resolution ({@code normalizer.width/height}, {@code normalizer.resize}); the
 * views job turns frames of video sources into {@link FrameFeatureExtractor} features of that
 * resolution, stamped with encoder version {@link #ENCODER_VERSION}. {@link #ofVideo} replays the
 * resize and the extractor on a whole video.
 *
 * <p>Why a fixed extractor and not the adapting image encoder: a temporal model is tied to one
 * feature space, and the encoder publishes a new version every few steps (see the feature-version
 * policy in {@code io.selfstream.graphreasoning.live}); the fixed extractor's features also carry
 * the motion cues (frame differences, centroid motion) that actions differing only in direction or
 * speed need.
 */
public final class VideoFeatures {

  /** Encoder version stamped on fixed-extractor features ({@code features.encoderVersion}). */
  public static final long ENCODER_VERSION = TemporalModels.FIXED_EXTRACTOR_VERSION;

  /** Grid of the default 28 x 28 model resolution (must divide the frame side). */
  public static final int DEFAULT_GRID = 7;

  private final int frameSize;
  private final ResizeMethod resize;
  private final FrameFeatureExtractor extractor;

  /**
   * @param frameSize side of the normalized frames (the normalizer's model resolution)
   * @param grid pooling grid; must divide {@code frameSize}
   * @param resize the normalizer's resize method
   */
  public VideoFeatures(int frameSize, int grid, ResizeMethod resize) {
    if (resize == ResizeMethod.NONE) {
      throw new IllegalArgumentException("video frames need a resize method, not NONE");
    }
    this.frameSize = frameSize;
    this.resize = resize;
    this.extractor = new FrameFeatureExtractor(frameSize, grid);
  }

  /** The defaults of the normalizer (28 x 28, area) with a 7 x 7 grid: 108 features a frame. */
  public static VideoFeatures defaults() {
    return new VideoFeatures(28, DEFAULT_GRID, ResizeMethod.AREA);
  }

  public int frameSize() {
    return frameSize;
  }

  public int dim() {
    return extractor.dim();
  }

  public FrameFeatureExtractor extractor() {
    return extractor;
  }

  /** A grey {@code side x side} frame as the normalizer puts it on {@code frames}. */
  public byte[] normalize(byte[] frame, int side) {
    return Resizer.resize(frame, side, side, 1, frameSize, frameSize, resize);
  }

  /** Features of a whole video of grey {@code side x side} frames, as served live. */
  public Features ofVideo(List<byte[]> frames, int side) {
    List<byte[]> normalized = new ArrayList<>(frames.size());
    for (byte[] frame : frames) {
      normalized.add(normalize(frame, side));
    }
    return extractor.extract(normalized);
  }
}
