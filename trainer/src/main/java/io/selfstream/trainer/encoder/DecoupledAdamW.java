package io.selfstream.trainer.encoder;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.nn.Parameter;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * AdamW (decoupled weight decay) with two parameter groups: matrices and convolution kernels are
 * decayed; biases, norm scales/shifts and the token/position embeddings are not (DJL's own
 * optimizers decay every parameter alike). Uses the engine's fused Adam update, which also zeroes
 * each parameter's gradient. Also holds the gradient helpers of a training step: global gradient
 * norm (for clipping and the NaN/inf guard) and zeroing after a skipped step.
 *
 * <p>Not thread-safe; state arrays live in each parameter's manager.
 */
public final class DecoupledAdamW {

  private final float beta1;
  private final float beta2;
  private final float epsilon;
  private final float weightDecay;
  private final Map<String, NDArray> means = new HashMap<>();
  private final Map<String, NDArray> variances = new HashMap<>();
  private final Map<String, Integer> counts = new HashMap<>();

  public DecoupledAdamW(float beta1, float beta2, float epsilon, float weightDecay) {
    if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
      throw new IllegalArgumentException("betas must be in [0, 1): " + beta1 + ", " + beta2);
    }
    if (!(epsilon > 0) || !(weightDecay >= 0)) {
      throw new IllegalArgumentException(
          "epsilon must be > 0 and weightDecay >= 0: " + epsilon + ", " + weightDecay);
    }
    this.beta1 = beta1;
    this.beta2 = beta2;
    this.epsilon = epsilon;
    this.weightDecay = weightDecay;
  }

  /** AdamW with betas (0.9, 0.999), eps 1e-8. */
  public DecoupledAdamW(float weightDecay) {
    this(0.9f, 0.999f, 1e-8f, weightDecay);
  }

  public float weightDecay() {
    return weightDecay;
  }

  /**
   * Whether weight decay applies: only to {@code WEIGHT} parameters of rank >= 2 (linear and conv
   * kernels). Biases, LayerNorm gamma/beta and the class/mask/position tokens are exempt.
   */
  public static boolean decays(Parameter p) {
    return p.getType() == Parameter.Type.WEIGHT
        && p.getShape() != null
        && p.getShape().dimension() >= 2;
  }

  /**
   * One update of every parameter in {@code params} from its current gradient, with learning rate
   * {@code lr}; gradients are multiplied by {@code gradScale} first (global-norm clipping).
   */
  public void step(List<Parameter> params, float lr, float gradScale) {
    if (!Float.isFinite(lr) || !Float.isFinite(gradScale)) {
      throw new IllegalArgumentException(
          "lr and gradScale must be finite: " + lr + ", " + gradScale);
    }
    for (Parameter p : params) {
      NDArray w = p.getArray();
      String id = p.getId();
      int t = counts.merge(id, 1, Integer::sum);
      NDArray m = means.computeIfAbsent(id, k -> w.zerosLike());
      NDArray v = variances.computeIfAbsent(id, k -> w.zerosLike());
      double c1 = 1 - Math.pow(beta1, t);
      double c2 = 1 - Math.pow(beta2, t);
      float lrBiasCorrected = (float) (lr * Math.sqrt(c2) / c1);
      float wd = decays(p) ? weightDecay : 0f;
      try (NDArray g = w.getGradient()) {
        w.getNDArrayInternal()
            .adamUpdate(
                new NDList(w, g, m, v),
                new NDList(w),
                lr,
                lrBiasCorrected,
                wd,
                gradScale,
                -1f,
                beta1,
                beta2,
                epsilon,
                true,
                true);
      }
    }
  }

  /**
   * L2 norm of all gradients of {@code params} together; NaN or infinite when any gradient is.
   * Temporaries live in {@code scratch}.
   */
  public static float globalGradNorm(List<Parameter> params, NDManager scratch) {
    try (NDManager tmp = scratch.newSubManager()) {
      List<NDArray> squares = new ArrayList<>(params.size());
      for (Parameter p : params) {
        NDArray g = p.getArray().getGradient();
        g.attach(tmp);
        NDArray s = g.square().sum();
        squares.add(s);
      }
      if (squares.isEmpty()) {
        return 0f;
      }
      return (float) Math.sqrt(NDArrays.stack(new NDList(squares)).sum().getFloat());
    }
  }

  /**
   * Index in {@code params} of the first parameter whose gradient has a NaN or infinite element, or
   * -1 (diagnostics for the NaN/inf guard; temporaries live in {@code scratch}).
   */
  public static int firstNonFiniteGradient(List<Parameter> params, NDManager scratch) {
    try (NDManager tmp = scratch.newSubManager()) {
      for (int i = 0; i < params.size(); i++) {
        NDArray g = params.get(i).getArray().getGradient();
        g.attach(tmp);
        if (g.isNaN().logicalOr(g.isInfinite()).any().getBoolean()) {
          return i;
        }
      }
      return -1;
    }
  }

  /** Sets every gradient of {@code params} to exactly zero (also clears NaN/inf gradients). */
  public static void zeroGradients(List<Parameter> params) {
    for (Parameter p : params) {
      try (NDArray g = p.getArray().getGradient()) {
        g.set(new NDIndex("..."), 0f);
      }
    }
  }

  /**
   * The optimizer state of one parameter: first and second moment estimates (row-major, the
   * parameter's shape) and how many updates it has had (the bias-correction step).
   */
  public record Moments(float[] mean, float[] variance, int count) {}

  /**
   * Writes the moments of the parameters named {@code names} (in order; null = no state yet) to
   * {@code file}, headed by {@code magic} so a reader can tell whose state file it is.
   */
  public static void writeMoments(Path file, int magic, List<String> names, List<Moments> moments)
      throws IOException {
    try (DataOutputStream out =
        new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(file), 1 << 16))) {
      out.writeInt(magic);
      out.writeInt(moments.size());
      for (int i = 0; i < moments.size(); i++) {
        out.writeUTF(names.get(i));
        Moments m = moments.get(i);
        out.writeInt(m == null ? 0 : m.count());
        if (m != null) {
          writeFloats(out, m.mean());
          writeFloats(out, m.variance());
        }
      }
    }
  }

  /**
   * Reads moments written by {@link #writeMoments}; the file must carry {@code magic} and exactly
   * the parameters {@code names}, in order.
   */
  public static List<Moments> readMoments(Path file, int magic, List<String> names)
      throws IOException {
    List<Moments> moments = new ArrayList<>();
    try (DataInputStream in =
        new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16))) {
      if (in.readInt() != magic) {
        throw new IOException("not an optimizer state file: " + file);
      }
      int n = in.readInt();
      if (n != names.size()) {
        throw new IOException(n + " optimizer states for " + names.size() + " parameters");
      }
      for (int i = 0; i < n; i++) {
        String name = in.readUTF();
        if (!name.equals(names.get(i))) {
          throw new IOException("optimizer state " + i + " is for " + name);
        }
        int count = in.readInt();
        moments.add(count == 0 ? null : new Moments(readFloats(in), readFloats(in), count));
      }
    }
    return moments;
  }

  private static void writeFloats(DataOutputStream out, float[] v) throws IOException {
    out.writeInt(v.length);
    for (float f : v) {
      out.writeInt(Float.floatToRawIntBits(f));
    }
  }

  private static float[] readFloats(DataInputStream in) throws IOException {
    float[] v = new float[in.readInt()];
    for (int i = 0; i < v.length; i++) {
      v[i] = Float.intBitsToFloat(in.readInt());
    }
    return v;
  }

  /**
   * Copies the state of {@code params} out, in their order; {@code null} for a parameter that has
   * not been updated yet. With {@link #importState} this lets a learner checkpoint and roll back
   * its optimizer bit-exactly (parameter ids differ between encoders, so the caller keys the result
   * by parameter name or position).
   */
  public List<Moments> exportState(List<Parameter> params) {
    List<Moments> out = new ArrayList<>(params.size());
    for (Parameter p : params) {
      String id = p.getId();
      Integer t = counts.get(id);
      out.add(
          t == null
              ? null
              : new Moments(means.get(id).toFloatArray(), variances.get(id).toFloatArray(), t));
    }
    return out;
  }

  /**
   * Replaces the state of {@code params} with {@code state} (same order as {@link #exportState};
   * {@code null} = fresh). Other parameters' state is dropped.
   */
  public void importState(List<Parameter> params, List<Moments> state) {
    if (state.size() != params.size()) {
      throw new IllegalArgumentException(
          state.size() + " optimizer states for " + params.size() + " parameters");
    }
    for (int i = 0; i < params.size(); i++) {
      Moments m = state.get(i);
      long n = params.get(i).getArray().size();
      if (m != null && (m.mean().length != n || m.variance().length != n || m.count() < 1)) {
        throw new IllegalArgumentException(
            "optimizer state " + i + " does not fit parameter " + params.get(i).getName());
      }
    }
    clear();
    for (int i = 0; i < params.size(); i++) {
      Moments m = state.get(i);
      if (m == null) {
        continue;
      }
      NDArray w = params.get(i).getArray();
      String id = params.get(i).getId();
      means.put(id, w.getManager().create(m.mean(), w.getShape()));
      variances.put(id, w.getManager().create(m.variance(), w.getShape()));
      counts.put(id, m.count());
    }
  }

  /** Frees the optimizer state (moment estimates). */
  public void clear() {
    means.values().forEach(NDArray::close);
    variances.values().forEach(NDArray::close);
    means.clear();
    variances.clear();
    counts.clear();
  }
}
