package io.selfstream.trainer.encoder;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import io.selfstream.trainer.augment.U8Image;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Objects;

/**
 * A {@link VisionTransformer} with its parameters, bound to one device. Owns an {@link NDManager}
 * holding the parameters (and optimizer state when trained); {@link #close()} frees them.
 *
 * <p>Callers run each step in a sub-manager of {@link #manager()} (or any manager on the same
 * device) and close it every step; {@link #predict} does that itself. Not thread-safe: give each
 * thread (or Flink subtask) its own encoder; to switch versions, build a new one, {@link
 * #importParameters} and swap the reference.
 */
public final class Encoder implements AutoCloseable {

  private final EncoderConfig config;
  private final Device device;
  private final NDManager manager;
  private final VisionTransformer block;
  private final ParameterStore parameterStore;

  private Encoder(EncoderConfig config, Device device, long seed) {
    this(config, NDManager.newBaseManager(Objects.requireNonNull(device, "device")), seed);
  }

  private Encoder(EncoderConfig config, NDManager manager, long seed) {
    this.config = Objects.requireNonNull(config, "config");
    this.device = manager.getDevice();
    this.manager = manager;
    try {
      manager.getEngine().setRandomSeed((int) (seed ^ (seed >>> 32)));
      this.block = new VisionTransformer(config);
      block.initialize(
          manager,
          DataType.FLOAT32,
          new Shape(1, config.channels(), config.imageSize(), config.imageSize()));
      this.parameterStore = new ParameterStore(manager, false);
    } catch (RuntimeException e) {
      manager.close();
      throw e;
    }
  }

  /**
   * A freshly initialised encoder; the same seed gives the same initial weights (the seed is also
   * applied to the engine's global random generator, which dropout uses).
   */
  public static Encoder create(EncoderConfig config, Device device, long seed) {
    return new Encoder(config, device, seed);
  }

  /**
   * As {@link #create(EncoderConfig, Device, long)}, with the parameters in a sub-manager of {@code
   * parent} (on its device): a long-lived owner (e.g. a Flink operator's manager) keeps every
   * encoder it creates under one root. {@link #close()} closes only the sub-manager.
   */
  public static Encoder create(EncoderConfig config, NDManager parent, long seed) {
    NDManager sub = parent.newSubManager();
    try {
      return new Encoder(config, sub, seed);
    } catch (RuntimeException e) {
      sub.close();
      throw e;
    }
  }

  /** Loads an encoder written by {@link #save(Path)}. */
  public static Encoder load(Path file, Device device) throws IOException {
    EncoderFile.Contents c = EncoderFile.read(file);
    Encoder e = new Encoder(c.config(), device, 0);
    try {
      e.importParameters(c.parameters());
      return e;
    } catch (RuntimeException ex) {
      e.close();
      throw ex;
    }
  }

  /**
   * Writes config and all parameters to {@code file} atomically (temp file in the same directory,
   * fsync, rename), with a CRC so a torn file is detected on load.
   */
  public void save(Path file) throws IOException {
    EncoderFile.write(file, config, exportParameters());
  }

  public EncoderConfig config() {
    return config;
  }

  public Device device() {
    return device;
  }

  /** The manager holding the parameters; create per-step sub-managers from it. */
  public NDManager manager() {
    return manager;
  }

  public VisionTransformer block() {
    return block;
  }

  /**
   * Runs the network. {@code images (N, C, H, W)} normalised (see {@link ImageTensors#images});
   * {@code mask (N, L)} with 1 = masked, or null for none. Results are created in the images'
   * manager; see {@link VisionTransformer} for the output order. Gradients are recorded only inside
   * a {@link ai.djl.training.GradientCollector}.
   */
  public NDList forward(NDArray images, NDArray mask, boolean training) {
    NDList in = mask == null ? new NDList(images) : new NDList(images, mask);
    return block.forward(parameterStore, in, training);
  }

  /** Parameters in their stable order with their hierarchical names. */
  public List<Pair<String, Parameter>> parameters() {
    List<Pair<String, Parameter>> out = new ArrayList<>();
    for (Pair<String, Parameter> p : block.getParameters()) {
      out.add(p);
    }
    return out;
  }

  /** Number of scalar parameters. */
  public long parameterCount() {
    long n = 0;
    for (Pair<String, Parameter> p : block.getParameters()) {
      n += p.getValue().getArray().size();
    }
    return n;
  }

  /** Class predictions and class-token features for a batch of images (no gradients). */
  public List<Prediction> predict(List<U8Image> images) {
    if (images.isEmpty()) {
      return List.of();
    }
    try (NDManager step = manager.newSubManager()) {
      NDArray x = ImageTensors.images(step, images, config);
      NDList out = forward(x, null, false);
      NDArray probs = out.get(VisionTransformer.LOGITS).softmax(-1);
      float[] p = probs.toFloatArray();
      float[] f = out.get(VisionTransformer.FEATURES).toFloatArray();
      int k = config.numClasses();
      int d = config.dim();
      List<Prediction> result = new ArrayList<>(images.size());
      for (int i = 0; i < images.size(); i++) {
        float[] pi = Arrays.copyOfRange(p, i * k, (i + 1) * k);
        int best = 0;
        for (int j = 1; j < k; j++) {
          if (pi[j] > pi[best]) {
            best = j;
          }
        }
        result.add(new Prediction(best, pi[best], pi, Arrays.copyOfRange(f, i * d, (i + 1) * d)));
      }
      return result;
    }
  }

  /** Copies every parameter out, in parameter order (bit-exact). */
  public ParameterSnapshot exportParameters() {
    LinkedHashMap<String, float[]> values = new LinkedHashMap<>();
    LinkedHashMap<String, long[]> shapes = new LinkedHashMap<>();
    for (Pair<String, Parameter> p : block.getParameters()) {
      NDArray a = p.getValue().getArray();
      values.put(p.getKey(), a.toFloatArray());
      shapes.put(p.getKey(), a.getShape().getShape());
    }
    return new ParameterSnapshot(values, shapes);
  }

  /**
   * Overwrites every parameter in place with {@code snapshot} (bit-exact). The snapshot must have
   * exactly this model's parameter names and shapes; otherwise nothing is changed and an {@link
   * IllegalArgumentException} names the first mismatch.
   */
  public void importParameters(ParameterSnapshot snapshot) {
    List<Pair<String, Parameter>> params = parameters();
    if (snapshot.values().size() != params.size()) {
      throw new IllegalArgumentException(
          "snapshot has " + snapshot.values().size() + " parameters, model has " + params.size());
    }
    for (Pair<String, Parameter> p : params) {
      long[] want = p.getValue().getArray().getShape().getShape();
      long[] got = snapshot.shapes().get(p.getKey());
      if (got == null) {
        throw new IllegalArgumentException("snapshot lacks parameter " + p.getKey());
      }
      if (!Arrays.equals(want, got)) {
        throw new IllegalArgumentException(
            "parameter "
                + p.getKey()
                + " has shape "
                + Arrays.toString(got)
                + " in the snapshot, "
                + Arrays.toString(want)
                + " in the model");
      }
    }
    for (Pair<String, Parameter> p : params) {
      p.getValue().getArray().set(snapshot.values().get(p.getKey()));
    }
  }

  @Override
  public void close() {
    manager.close();
  }
}
