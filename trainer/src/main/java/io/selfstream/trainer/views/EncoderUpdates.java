package io.selfstream.trainer.views;

import io.selfstream.schemas.model.ModelParameters;
import io.selfstream.trainer.encoder.Encoder;
import io.selfstream.trainer.encoder.EncoderConfig;
import io.selfstream.trainer.encoder.ParameterSnapshot;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Bridges the encoder's {@link ParameterSnapshot} and the model-update codec's {@link
 * ModelParameters} (same names, order and float bits; shapes as {@code int[]}), and names the
 * architecture in update metrics.
 */
public final class EncoderUpdates {

  /** Model name of the image encoder on {@code model-updates}. */
  public static final String MODEL = "encoder";

  /** Prefix of the metric entries that describe the architecture ({@code arch.dim}, ...). */
  public static final String ARCH_PREFIX = "arch.";

  private EncoderUpdates() {}

  /** All parameters of {@code encoder}, ready for {@code UpdateEncoder.encodeFull}. */
  public static ModelParameters export(Encoder encoder) {
    return toModelParameters(encoder.exportParameters());
  }

  public static ModelParameters toModelParameters(ParameterSnapshot snapshot) {
    ModelParameters.Builder b = ModelParameters.builder();
    for (Map.Entry<String, float[]> e : snapshot.values().entrySet()) {
      long[] shape = snapshot.shapes().get(e.getKey());
      int[] dims = new int[shape.length];
      for (int i = 0; i < shape.length; i++) {
        dims[i] = Math.toIntExact(shape[i]);
      }
      b.put(e.getKey(), dims, e.getValue());
    }
    return b.build();
  }

  public static ParameterSnapshot toSnapshot(ModelParameters parameters) {
    LinkedHashMap<String, float[]> values = new LinkedHashMap<>();
    LinkedHashMap<String, long[]> shapes = new LinkedHashMap<>();
    for (String name : parameters.names()) {
      int[] dims = parameters.shape(name);
      long[] shape = new long[dims.length];
      for (int i = 0; i < dims.length; i++) {
        shape[i] = dims[i];
      }
      values.put(name, parameters.values(name));
      shapes.put(name, shape);
    }
    return new ParameterSnapshot(values, shapes);
  }

  /**
   * The numeric architecture fields of {@code config} as update metrics ({@code arch.dim = 96},
   * ...), informational: consumers build the encoder from their own configuration and refuse
   * parameters whose layout does not match it.
   */
  public static Map<String, Double> architectureMetrics(EncoderConfig config) {
    Map<String, Double> out = new LinkedHashMap<>();
    config
        .toMap()
        .forEach(
            (k, v) -> {
              try {
                out.put(ARCH_PREFIX + k, Double.parseDouble(v));
              } catch (NumberFormatException e) {
                // not numeric: not carried
              }
            });
    return out;
  }
}
