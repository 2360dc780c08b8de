package io.selfstream.graphreasoning.live;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import io.selfstream.graphreasoning.model.SegmentationModels;
import io.selfstream.schemas.model.ModelParameters;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One version of the temporal model, loaded and ready to label windows of frames. Owns its own DJL
 * {@link NDManager} (the weights) and is reference counted: the {@link TemporalModelHolder} holds
 * one reference, every labelling call borrows one ({@link #retain()} / {@link #release()}), and the
 * native memory is freed when the last reference goes. So a hot swap never frees weights a stream
 * thread is still running on, and never waits for it either.
 */
public final class TemporalModel {

  private final long version;
  private final TemporalModels.Descriptor descriptor;
  private final NDManager manager;
  private final Block block;
  private final AtomicInteger references = new AtomicInteger(1);

  private TemporalModel(
      long version, TemporalModels.Descriptor descriptor, NDManager manager, Block block) {
    this.version = version;
    this.descriptor = descriptor;
    this.manager = manager;
    this.block = block;
  }

  /**
   * Builds version {@code version} from its parameters (descriptor included).
   *
   * @throws IllegalArgumentException when the parameters are not a well-formed temporal model
   */
  public static TemporalModel load(long version, ModelParameters parameters) {
    TemporalModels.Descriptor descriptor = TemporalModels.descriptor(parameters);
    NDManager manager = NDManager.newBaseManager();
    try {
      Block block = SegmentationModels.create(descriptor.spec(), manager);
      TemporalModels.load(parameters, block);
      return new TemporalModel(version, descriptor, manager, block);
    } catch (RuntimeException e) {
      manager.close();
      throw e;
    }
  }

  public long version() {
    return version;
  }

  public TemporalModels.Descriptor descriptor() {
    return descriptor;
  }

  /** Encoder version of the features this model was trained on. */
  public long encoderVersion() {
    return descriptor.encoderVersion();
  }

  public int featureDim() {
    return descriptor.featureDim();
  }

  /**
   * Labels frames of a window in one inference pass.
   *
   * @param frames {@code T} feature vectors of {@link #featureDim()} values, oldest first
   * @param targets indices into {@code frames} to label
   * @param labelsOut receives the argmax class of each target
   * @param confidenceOut receives its softmax probability
   */
  public void label(float[][] frames, int[] targets, int[] labelsOut, float[] confidenceOut) {
    int length = frames.length;
    int dim = featureDim();
    float[] data = new float[dim * length];
    for (int t = 0; t < length; t++) {
      float[] f = frames[t];
      if (f.length != dim) {
        throw new IllegalArgumentException(f.length + "-dim frame for a " + dim + "-dim model");
      }
      for (int c = 0; c < dim; c++) {
        data[c * length + t] = f[c];
      }
    }
    int classes = descriptor.spec().numClasses();
    float[] probs;
    // per call: inputs and every intermediate live in a sub-manager closed at the end
    try (NDManager scope = manager.newSubManager()) {
      NDArray x = scope.create(data, new Shape(1, dim, length));
      NDArray mask = scope.ones(new Shape(1, 1, length));
      NDList out = block.forward(new ParameterStore(scope, false), new NDList(x, mask), false);
      probs = out.get(out.size() - 1).softmax(1).toFloatArray(); // (1, C, T)
    }
    for (int i = 0; i < targets.length; i++) {
      int t = targets[i];
      int best = 0;
      float bestP = -1;
      for (int c = 0; c < classes; c++) {
        float p = probs[c * length + t];
        if (p > bestP) {
          bestP = p;
          best = c;
        }
      }
      labelsOut[i] = best;
      confidenceOut[i] = bestP;
    }
  }

  /** Borrows a reference; false when the model was already freed (re-read the holder). */
  boolean retain() {
    while (true) {
      int n = references.get();
      if (n <= 0) {
        return false;
      }
      if (references.compareAndSet(n, n + 1)) {
        return true;
      }
    }
  }

  /** Returns a reference; the last one frees the weights. */
  void release() {
    if (references.decrementAndGet() == 0) {
      manager.close();
    }
  }

  /** Whether the weights were freed (for tests). */
  boolean freed() {
    return references.get() <= 0;
  }

  @Override
  public String toString() {
    return "TemporalModel[v"
        + version
        + " "
        + descriptor.spec().type()
        + ", features dim "
        + featureDim()
        + " of encoder v"
        + encoderVersion()
        + "]";
  }
}
