package io.selfstream.trainer.encoder;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * All parameters of a model as plain arrays, in the model's parameter order: what a FULL model
 * update carries.
 *
 * @param values parameter name to row-major float32 values
 * @param shapes parameter name to shape; same keys in the same order as {@code values}
 */
public record ParameterSnapshot(
    LinkedHashMap<String, float[]> values, LinkedHashMap<String, long[]> shapes) {

  public ParameterSnapshot {
    Objects.requireNonNull(values, "values");
    Objects.requireNonNull(shapes, "shapes");
    if (!new java.util.ArrayList<>(values.keySet())
        .equals(new java.util.ArrayList<>(shapes.keySet()))) {
      throw new IllegalArgumentException(
          "ParameterSnapshot: values and shapes must have the same names in the same order");
    }
    for (Map.Entry<String, long[]> e : shapes.entrySet()) {
      long n = 1;
      for (long d : e.getValue()) {
        n *= d;
      }
      if (values.get(e.getKey()).length != n) {
        throw new IllegalArgumentException(
            "ParameterSnapshot: "
                + e.getKey()
                + " has "
                + values.get(e.getKey()).length
                + " values for shape "
                + Arrays.toString(e.getValue()));
      }
    }
  }

  /** Total number of scalars. */
  public long count() {
    long n = 0;
    for (float[] v : values.values()) {
      n += v.length;
    }
    return n;
  }

  /** True when names, order, shapes and every float's bits are identical. */
  public boolean bitEquals(ParameterSnapshot other) {
    if (!new java.util.ArrayList<>(values.keySet())
        .equals(new java.util.ArrayList<>(other.values.keySet()))) {
      return false;
    }
    for (String k : values.keySet()) {
      if (!Arrays.equals(shapes.get(k), other.shapes.get(k))) {
        return false;
      }
      float[] a = values.get(k), b = other.values.get(k);
      if (a.length != b.length) {
        return false;
      }
      for (int i = 0; i < a.length; i++) {
        if (Float.floatToRawIntBits(a[i]) != Float.floatToRawIntBits(b[i])) {
          return false;
        }
      }
    }
    return true;
  }
}
