package io.selfstream.graphreasoning.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.selfstream.graphreasoning.data.Features;
import io.selfstream.graphreasoning.data.LabeledVideo;
import io.selfstream.graphreasoning.model.FrameSwap;
import java.util.List;
import java.util.Random;

/**
 * A padded batch of videos as tensors: {@code x (B, D, L)}, {@code mask (B, 1, L)}, {@code target
 * (B, L)} int64 (0 on padding), {@code frameMask (B, L)}; with the swap task also the exchanged
 * {@code swappedX (B, D, L)} and {@code swapLabels (B, L)}. Frames are exchanged within each
 * video's real length only.
 */
public record SegmentationBatch(
    NDArray x,
    NDArray mask,
    NDArray target,
    NDArray frameMask,
    NDArray swappedX,
    NDArray swapLabels) {

  /**
   * @param swapRng draws the frame exchanges; null for no swap task
   * @param swapRate fraction of frames exchanged
   */
  public static SegmentationBatch of(
      NDManager manager, List<LabeledVideo> videos, Random swapRng, double swapRate) {
    int b = videos.size();
    int dim = videos.get(0).features().dim();
    int length = 0;
    for (LabeledVideo v : videos) {
      if (v.features().dim() != dim) {
        throw new IllegalArgumentException(
            v.name() + " has feature dimension " + v.features().dim() + ", expected " + dim);
      }
      length = Math.max(length, v.length());
    }
    float[] x = new float[b * dim * length];
    float[] sx = swapRng == null ? null : new float[b * dim * length];
    float[] mask = new float[b * length];
    long[] target = new long[b * length];
    long[] swapLabels = swapRng == null ? null : new long[b * length];
    for (int i = 0; i < b; i++) {
      LabeledVideo v = videos.get(i);
      copy(v.features(), x, i, dim, length);
      for (int t = 0; t < v.length(); t++) {
        mask[i * length + t] = 1f;
        target[i * length + t] = v.labels()[t];
      }
      if (swapRng != null) {
        FrameSwap swap = FrameSwap.sample(v.length(), swapRate, swapRng);
        copy(swap.apply(v.features()), sx, i, dim, length);
        for (int t = 0; t < v.length(); t++) {
          swapLabels[i * length + t] = swap.labels()[t];
        }
      }
    }
    NDArray frameMask = manager.create(mask, new Shape(b, length));
    return new SegmentationBatch(
        manager.create(x, new Shape(b, dim, length)),
        frameMask.reshape(b, 1, length),
        manager.create(target, new Shape(b, length)),
        frameMask,
        sx == null ? null : manager.create(sx, new Shape(b, dim, length)),
        swapLabels == null ? null : manager.create(swapLabels, new Shape(b, length)));
  }

  private static void copy(Features f, float[] dst, int item, int dim, int length) {
    for (int c = 0; c < dim; c++) {
      System.arraycopy(f.data(), c * f.length(), dst, (item * dim + c) * length, f.length());
    }
  }

  /** Model inputs: {@code (x, mask)} or {@code (x, mask, swappedX)}. */
  public NDList inputs() {
    return swappedX == null ? new NDList(x, mask) : new NDList(x, mask, swappedX);
  }

  /** Loss labels: {@code (target, frameMask)} or {@code (target, frameMask, swapLabels)}. */
  public NDList labels() {
    return swapLabels == null
        ? new NDList(target, frameMask)
        : new NDList(target, frameMask, swapLabels);
  }
}
