package io.selfstream.schemas.model;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The parameters of a model as an ordered map {@code name -> (shape, float32 values)}: what a FULL
 * model update carries and what a DELTA is applied to. Immutable: the builder copies its inputs and
 * accessors hand out copies or read-only views.
 *
 * <p>Binary payload format {@value #FORMAT} (all integers and floats little-endian):
 *
 * <pre>
 *   int32  magic 0x31505353 ("SSP1")
 *   int32  tensor count
 *   per tensor, in order:
 *     int32  name length in bytes (1..1024), then the UTF-8 name
 *     int32  rank (0..8), then rank x int32 dimensions (each >= 0)
 *     product(dimensions) x float32 values (row-major)
 * </pre>
 *
 * The same parameters always give the same bytes, so the payload hash is stable.
 */
public final class ModelParameters {

  /** Payload format name, as carried in {@code ModelUpdate.format}. */
  public static final String FORMAT = "selfstream-params-v1";

  static final int MAGIC = 0x31505353; // "SSP1" read little-endian
  static final int MAX_NAME_BYTES = 1024;
  static final int MAX_RANK = 8;

  private final Map<String, Tensor> tensors;
  private final long parameterCount;

  record Tensor(int[] shape, float[] values) {}

  private ModelParameters(LinkedHashMap<String, Tensor> tensors) {
    this.tensors = Collections.unmodifiableMap(tensors);
    long count = 0;
    for (Tensor t : tensors.values()) {
      count += t.values.length;
    }
    this.parameterCount = count;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Builds {@link ModelParameters}; tensors keep insertion order. */
  public static final class Builder {
    private final LinkedHashMap<String, Tensor> tensors = new LinkedHashMap<>();

    /** Adds a tensor (copies {@code shape} and {@code values}). */
    public Builder put(String name, int[] shape, float[] values) {
      Objects.requireNonNull(values, "values");
      return putOwned(name, shape.clone(), values.clone());
    }

    /** Adds a 1-D tensor. */
    public Builder put(String name, float[] values) {
      return put(name, new int[] {values.length}, values);
    }

    Builder putOwned(String name, int[] shape, float[] values) {
      checkName(name);
      Objects.requireNonNull(shape, "shape");
      if (shape.length > MAX_RANK) {
        throw new IllegalArgumentException(name + ": rank " + shape.length + " > " + MAX_RANK);
      }
      long n = elementCount(name, shape);
      if (n != values.length) {
        throw new IllegalArgumentException(
            name
                + ": shape "
                + Arrays.toString(shape)
                + " holds "
                + n
                + " values, got "
                + values.length);
      }
      if (tensors.putIfAbsent(name, new Tensor(shape, values)) != null) {
        throw new IllegalArgumentException("duplicate tensor name " + name);
      }
      return this;
    }

    public ModelParameters build() {
      return new ModelParameters(new LinkedHashMap<>(tensors));
    }
  }

  /** Tensor names in order. */
  public List<String> names() {
    return List.copyOf(tensors.keySet());
  }

  public boolean contains(String name) {
    return tensors.containsKey(name);
  }

  public int tensorCount() {
    return tensors.size();
  }

  /** Total number of scalar parameters. */
  public long parameterCount() {
    return parameterCount;
  }

  /** Shape of a tensor (a copy). */
  public int[] shape(String name) {
    return tensor(name).shape.clone();
  }

  /** Values of a tensor (a copy; see {@link #buffer} for a view without copying). */
  public float[] values(String name) {
    return tensor(name).values.clone();
  }

  /** Read-only view of a tensor's values, e.g. for {@code NDManager.create(FloatBuffer, Shape)}. */
  public FloatBuffer buffer(String name) {
    return FloatBuffer.wrap(tensor(name).values).asReadOnlyBuffer();
  }

  float[] raw(String name) {
    return tensor(name).values;
  }

  int[] rawShape(String name) {
    return tensor(name).shape;
  }

  private Tensor tensor(String name) {
    Tensor t = tensors.get(name);
    if (t == null) {
      throw new IllegalArgumentException("no tensor named " + name + " (have " + names() + ")");
    }
    return t;
  }

  /** Whether {@code other} has the same tensor names, order and shapes. */
  public boolean sameLayout(ModelParameters other) {
    if (tensors.size() != other.tensors.size()) {
      return false;
    }
    var a = tensors.entrySet().iterator();
    var b = other.tensors.entrySet().iterator();
    while (a.hasNext()) {
      var x = a.next();
      var y = b.next();
      if (!x.getKey().equals(y.getKey())
          || !Arrays.equals(x.getValue().shape, y.getValue().shape)) {
        return false;
      }
    }
    return true;
  }

  /** Describes the first layout difference, or returns {@code null} when the layouts match. */
  String layoutDifference(ModelParameters other) {
    List<String> mine = names();
    List<String> theirs = other.names();
    if (!mine.equals(theirs)) {
      return "tensor names differ: " + abbreviate(mine) + " vs " + abbreviate(theirs);
    }
    for (String name : mine) {
      if (!Arrays.equals(rawShape(name), other.rawShape(name))) {
        return name
            + ": shape "
            + Arrays.toString(rawShape(name))
            + " vs "
            + Arrays.toString(other.rawShape(name));
      }
    }
    return null;
  }

  /** Largest absolute element-wise difference to {@code other} (same layout required). */
  public double maxAbsDifference(ModelParameters other) {
    requireSameLayout(other);
    double max = 0;
    for (String name : tensors.keySet()) {
      float[] a = raw(name);
      float[] b = other.raw(name);
      for (int i = 0; i < a.length; i++) {
        max = Math.max(max, Math.abs((double) a[i] - b[i]));
      }
    }
    return max;
  }

  /** Root-mean-square element-wise difference to {@code other} (same layout required). */
  public double rmsDifference(ModelParameters other) {
    requireSameLayout(other);
    double sum = 0;
    for (String name : tensors.keySet()) {
      float[] a = raw(name);
      float[] b = other.raw(name);
      for (int i = 0; i < a.length; i++) {
        double d = (double) a[i] - b[i];
        sum += d * d;
      }
    }
    return parameterCount == 0 ? 0 : Math.sqrt(sum / parameterCount);
  }

  void requireSameLayout(ModelParameters other) {
    String diff = layoutDifference(other);
    if (diff != null) {
      throw new IllegalArgumentException("model layouts differ: " + diff);
    }
  }

  /** The {@value #FORMAT} payload. */
  public byte[] toBytes() {
    long size = 8;
    List<byte[]> names = new ArrayList<>(tensors.size());
    for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
      byte[] name = e.getKey().getBytes(StandardCharsets.UTF_8);
      names.add(name);
      size +=
          4 + name.length + 4 + 4L * e.getValue().shape.length + 4L * e.getValue().values.length;
    }
    if (size > Integer.MAX_VALUE - 16) {
      throw new IllegalStateException("model of " + size + " bytes does not fit one payload");
    }
    ByteBuffer out = ByteBuffer.allocate((int) size).order(ByteOrder.LITTLE_ENDIAN);
    out.putInt(MAGIC).putInt(tensors.size());
    int k = 0;
    for (Tensor t : tensors.values()) {
      byte[] name = names.get(k++);
      out.putInt(name.length).put(name).putInt(t.shape.length);
      for (int d : t.shape) {
        out.putInt(d);
      }
      out.asFloatBuffer().put(t.values);
      out.position(out.position() + 4 * t.values.length);
    }
    return out.array();
  }

  /**
   * Parses a {@value #FORMAT} payload.
   *
   * @throws IllegalArgumentException when the bytes are not a well-formed payload
   */
  public static ModelParameters fromBytes(byte[] payload) {
    ByteBuffer in = ByteBuffer.wrap(payload).order(ByteOrder.LITTLE_ENDIAN);
    try {
      if (in.remaining() < 8 || in.getInt() != MAGIC) {
        throw malformed("bad magic");
      }
      int count = in.getInt();
      if (count < 0 || count > in.remaining() / 8) {
        throw malformed("tensor count " + count);
      }
      Builder builder = builder();
      for (int t = 0; t < count; t++) {
        String name = readName(in);
        int[] shape = readShape(in, name);
        long n = elementCount(name, shape);
        if (n > in.remaining() / 4) {
          throw malformed(name + ": " + n + " values but " + in.remaining() + " bytes left");
        }
        float[] values = new float[(int) n];
        in.asFloatBuffer().get(values);
        in.position(in.position() + 4 * values.length);
        builder.putOwned(name, shape, values);
      }
      if (in.hasRemaining()) {
        throw malformed(in.remaining() + " trailing bytes");
      }
      return builder.build();
    } catch (java.nio.BufferUnderflowException e) {
      throw malformed("truncated");
    }
  }

  static String readName(ByteBuffer in) {
    int len = in.getInt();
    if (len < 1 || len > MAX_NAME_BYTES || len > in.remaining()) {
      throw malformed("tensor name length " + len);
    }
    byte[] name = new byte[len];
    in.get(name);
    return new String(name, StandardCharsets.UTF_8);
  }

  static int[] readShape(ByteBuffer in, String name) {
    int rank = in.getInt();
    if (rank < 0 || rank > MAX_RANK) {
      throw malformed(name + ": rank " + rank);
    }
    int[] shape = new int[rank];
    for (int i = 0; i < rank; i++) {
      shape[i] = in.getInt();
    }
    return shape;
  }

  static long elementCount(String name, int[] shape) {
    long n = 1;
    for (int d : shape) {
      if (d < 0) {
        throw new IllegalArgumentException(
            name + ": negative dimension in " + Arrays.toString(shape));
      }
      n *= d;
      if (n > Integer.MAX_VALUE - 8) {
        throw new IllegalArgumentException(name + ": too many elements " + Arrays.toString(shape));
      }
    }
    return n;
  }

  static void checkName(String name) {
    if (name == null || name.isEmpty()) {
      throw new IllegalArgumentException("tensor name must not be empty");
    }
    if (name.getBytes(StandardCharsets.UTF_8).length > MAX_NAME_BYTES) {
      throw new IllegalArgumentException("tensor name longer than " + MAX_NAME_BYTES + " bytes");
    }
  }

  private static IllegalArgumentException malformed(String why) {
    return new IllegalArgumentException("malformed " + FORMAT + " payload: " + why);
  }

  private static String abbreviate(List<String> names) {
    return names.size() <= 6
        ? names.toString()
        : names.subList(0, 6) + "... (" + names.size() + ")";
  }

  /** Bit-exact equality: same layout and the same float bit patterns. */
  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof ModelParameters other) || !sameLayout(other)) {
      return false;
    }
    for (String name : tensors.keySet()) {
      float[] a = raw(name);
      float[] b = other.raw(name);
      for (int i = 0; i < a.length; i++) {
        if (Float.floatToRawIntBits(a[i]) != Float.floatToRawIntBits(b[i])) {
          return false;
        }
      }
    }
    return true;
  }

  @Override
  public int hashCode() {
    int h = 1;
    for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
      h = 31 * h + e.getKey().hashCode();
      h = 31 * h + Arrays.hashCode(e.getValue().shape);
      h = 31 * h + Arrays.hashCode(e.getValue().values);
    }
    return h;
  }

  @Override
  public String toString() {
    return "ModelParameters[" + tensors.size() + " tensors, " + parameterCount + " parameters]";
  }
}
