package io.selfstream.schemas.model;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Ternary DELTA updates (the XTC idea, DESIGN.md section 4): per tensor, a scale {@code a} and one
 * code {@code t_i} in {-1, 0, +1} per weight, 2 bits each, so a delta is about 1/16 of a FULL.
 *
 * <p><b>Quantization rule</b> (TWN, Li et al. 2016), per tensor, on the target difference {@code
 * d}: threshold {@code D = 0.7 * mean|d|}; {@code t_i = sign(d_i)} where {@code |d_i| > D}, else 0;
 * scale {@code a = mean |d_i|} over the positions with {@code t_i != 0} (0 when there are none).
 * The consumer sets {@code w_i <- w_i + a * t_i} in float32, exactly as {@link #apply} does.
 *
 * <p><b>Error feedback.</b> The trainer keeps the consumer's copy, bit-exact (it is what {@link
 * #apply} gives the consumer), and encodes {@code d = trainer - consumerCopy}. What one delta could
 * not express (the residual {@code trainer - newConsumerCopy}) is therefore part of the next
 * target, so quantization errors never accumulate: the consumer copy stays within about one step's
 * quantization error of the trainer, for any number of versions. This is the classic error-feedback
 * recursion {@code target_t = (w_t - w_{t-1}) + r_{t-1}}, {@code r_t = target_t - Q(target_t)},
 * written with the one state the trainer needs (the consumer copy, instead of both the previous
 * weights and the residual); the residual is returned for metrics. Quantizing the difference
 * between consecutive trainer versions instead (no feedback) lets the consumer drift like a random
 * walk.
 *
 * <p>Payload format {@value #FORMAT} (little-endian):
 *
 * <pre>
 *   int32  magic 0x31545353 ("SST1")
 *   int32  tensor count
 *   per tensor, in the base model's order:
 *     int32 name length, UTF-8 name, int32 rank, rank x int32 dimensions
 *     float32 scale (finite, >= 0)
 *     ceil(n / 4) bytes of 2-bit codes, element i at bits 2*(i%4) of byte i/4:
 *       00 = 0, 01 = +1, 10 = -1 (11 and non-zero padding are malformed)
 * </pre>
 */
public final class TernaryDelta {

  /** Payload format name, as carried in {@code ModelUpdate.format}. */
  public static final String FORMAT = "selfstream-ternary-v1";

  /** Threshold factor of the TWN rule: {@code D = 0.7 * mean|d|}. */
  public static final double THRESHOLD_FACTOR = 0.7;

  static final int MAGIC = 0x31545353; // "SST1" read little-endian

  private TernaryDelta() {}

  /**
   * The result of {@link #encode}.
   *
   * @param payload the {@value #FORMAT} payload to publish
   * @param consumerCopy what every consumer holds after applying {@code payload}, bit-exact; the
   *     base of the next delta
   * @param residual {@code trainer - consumerCopy}, the error carried into the next delta
   * @param nonZero weights with a non-zero code
   * @param total all weights
   */
  public record Encoded(
      byte[] payload,
      ModelParameters consumerCopy,
      ModelParameters residual,
      long nonZero,
      long total) {

    /** Fraction of weights that changed. */
    public double density() {
      return total == 0 ? 0 : (double) nonZero / total;
    }
  }

  /**
   * Encodes the step from {@code consumerCopy} (what consumers hold: the previous version as they
   * applied it) towards {@code trainerWeights}, with error feedback.
   *
   * @throws IllegalArgumentException when the layouts differ or a difference is not finite
   */
  public static Encoded encode(ModelParameters consumerCopy, ModelParameters trainerWeights) {
    consumerCopy.requireSameLayout(trainerWeights);
    List<String> names = consumerCopy.names();
    List<byte[]> nameBytes = new ArrayList<>(names.size());
    long size = 8;
    for (String name : names) {
      byte[] b = name.getBytes(StandardCharsets.UTF_8);
      nameBytes.add(b);
      int n = consumerCopy.raw(name).length;
      size += 4 + b.length + 4 + 4L * consumerCopy.rawShape(name).length + 4 + (n + 3) / 4;
    }
    ByteBuffer out = ByteBuffer.allocate(Math.toIntExact(size)).order(ByteOrder.LITTLE_ENDIAN);
    out.putInt(MAGIC).putInt(names.size());

    ModelParameters.Builder applied = ModelParameters.builder();
    ModelParameters.Builder residual = ModelParameters.builder();
    long nonZero = 0;
    for (int k = 0; k < names.size(); k++) {
      String name = names.get(k);
      float[] base = consumerCopy.raw(name);
      float[] target = trainerWeights.raw(name);
      int[] shape = consumerCopy.rawShape(name);
      int n = base.length;

      double[] d = new double[n];
      double sumAbs = 0;
      for (int i = 0; i < n; i++) {
        d[i] = (double) target[i] - base[i];
        if (!Double.isFinite(d[i])) {
          throw new IllegalArgumentException(
              name + "[" + i + "]: difference " + d[i] + " is not finite; refusing to encode");
        }
        sumAbs += Math.abs(d[i]);
      }
      double threshold = n == 0 ? 0 : THRESHOLD_FACTOR * sumAbs / n;
      double keptAbs = 0;
      int kept = 0;
      for (int i = 0; i < n; i++) {
        if (Math.abs(d[i]) > threshold) {
          keptAbs += Math.abs(d[i]);
          kept++;
        }
      }
      float scale = kept == 0 ? 0f : (float) (keptAbs / kept);
      if (scale == 0f) {
        kept = 0;
      }
      nonZero += kept;

      byte[] codes = new byte[(n + 3) / 4];
      float[] next = new float[n];
      float[] rest = new float[n];
      for (int i = 0; i < n; i++) {
        int code = 0;
        if (scale != 0f && Math.abs(d[i]) > threshold) {
          code = d[i] > 0 ? 1 : 2;
        }
        codes[i >> 2] |= (byte) (code << ((i & 3) << 1));
        next[i] = step(base[i], scale, code);
        rest[i] = target[i] - next[i];
      }
      out.putInt(nameBytes.get(k).length).put(nameBytes.get(k)).putInt(shape.length);
      for (int dim : shape) {
        out.putInt(dim);
      }
      out.putFloat(scale).put(codes);
      applied.putOwned(name, shape.clone(), next);
      residual.putOwned(name, shape.clone(), rest);
    }
    return new Encoded(
        out.array(), applied.build(), residual.build(), nonZero, consumerCopy.parameterCount());
  }

  /**
   * Applies a {@value #FORMAT} payload to {@code base}: what a consumer does with a DELTA whose
   * parent is the version it holds.
   *
   * @throws IllegalArgumentException when the payload is malformed or does not match {@code base}'s
   *     tensor names and shapes
   */
  public static ModelParameters apply(ModelParameters base, byte[] payload) {
    ByteBuffer in = ByteBuffer.wrap(payload).order(ByteOrder.LITTLE_ENDIAN);
    try {
      if (in.remaining() < 8 || in.getInt() != MAGIC) {
        throw malformed("bad magic");
      }
      int count = in.getInt();
      List<String> names = base.names();
      if (count != names.size()) {
        throw new IllegalArgumentException(
            "delta has " + count + " tensors, the base model " + names.size());
      }
      ModelParameters.Builder result = ModelParameters.builder();
      for (String expected : names) {
        String name = ModelParameters.readName(in);
        if (!name.equals(expected)) {
          throw new IllegalArgumentException(
              "delta tensor '" + name + "' where the base model has '" + expected + "'");
        }
        int[] shape = ModelParameters.readShape(in, name);
        int[] baseShape = base.rawShape(name);
        if (!java.util.Arrays.equals(shape, baseShape)) {
          throw new IllegalArgumentException(
              name
                  + ": delta shape "
                  + java.util.Arrays.toString(shape)
                  + ", base shape "
                  + java.util.Arrays.toString(baseShape));
        }
        float scale = in.getFloat();
        if (!Float.isFinite(scale) || scale < 0) {
          throw malformed(name + ": scale " + scale);
        }
        float[] w = base.raw(name);
        int n = w.length;
        int codeBytes = (n + 3) / 4;
        if (in.remaining() < codeBytes) {
          throw malformed(name + ": truncated codes");
        }
        float[] next = new float[n];
        for (int i = 0; i < n; i++) {
          int code = (in.get(in.position() + (i >> 2)) >> ((i & 3) << 1)) & 3;
          if (code == 3) {
            throw malformed(name + "[" + i + "]: code 11");
          }
          next[i] = step(w[i], scale, code);
        }
        if (n % 4 != 0 && (in.get(in.position() + codeBytes - 1) & 0xff) >> ((n % 4) * 2) != 0) {
          throw malformed(name + ": non-zero padding bits");
        }
        in.position(in.position() + codeBytes);
        result.putOwned(name, shape, next);
      }
      if (in.hasRemaining()) {
        throw malformed(in.remaining() + " trailing bytes");
      }
      return result.build();
    } catch (java.nio.BufferUnderflowException e) {
      throw malformed("truncated");
    }
  }

  /**
   * One weight's update; shared by {@link #encode} and {@link #apply} so both agree bit-exactly.
   */
  private static float step(float w, float scale, int code) {
    return switch (code) {
      case 1 -> w + scale;
      case 2 -> w - scale;
      default -> w;
    };
  }

  private static IllegalArgumentException malformed(String why) {
    return new IllegalArgumentException("malformed " + FORMAT + " payload: " + why);
  }
}
