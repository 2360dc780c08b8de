package io.selfstream.graphreasoning.live;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.PairList;
import io.selfstream.graphreasoning.model.ModelSpec;
import io.selfstream.schemas.model.ModelParameters;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * The model-update codec of the temporal model: a trained DJL DTGRM or MS-TCN block plus its {@link
 * ModelSpec} and the encoder version of the features it was trained on, to and from the {@link
 * ModelParameters} a {@code dtgrm} version on {@code model-updates} carries.
 *
 * <p>Where the description travels. Update metrics are <em>not</em> signed (see {@code
 * UpdateSignature}): anyone on the path could change {@code features.encoder_version} and make a
 * consumer label features of one encoder with a model trained for another. So the authoritative
 * description is inside the signed payload: one empty tensor ({@code shape [0]}) named {@value
 * #DESCRIPTOR_PREFIX}{@code k=v;k=v...} in front of the weights. It costs a few hundred bytes, is
 * covered by the payload hash and signature, and makes an architecture or encoder-version change a
 * layout change, so a trainer cannot publish one as a DELTA by accident (the delta codec refuses
 * layouts that differ). The metrics still carry the same facts ({@code arch.*}, {@value
 * #FEATURES_DIM}, {@value #FEATURES_ENCODER_VERSION}), as the encoder does, for dashboards and for
 * a cheap cross-check: a consumer refuses a version whose metrics contradict its payload.
 *
 * <p>Weights are copied as raw float32 bits in DJL's parameter order; {@link #load} checks every
 * name and shape, so the round trip is bit-exact or it fails.
 */
public final class TemporalModels {

  /** Model name of the temporal model on {@code model-updates}. */
  public static final String MODEL = "dtgrm";

  /** Prefix of the metric entries that describe the architecture ({@code arch.stages}, ...). */
  public static final String ARCH_PREFIX = "arch.";

  /** Metric: feature dimension the model reads. */
  public static final String FEATURES_DIM = "features.dim";

  /** Metric: encoder version of the features the model was trained on. */
  public static final String FEATURES_ENCODER_VERSION = "features.encoder_version";

  /** Encoder version of the fixed, training-free synthetic-video feature extractor. */
  public static final long FIXED_EXTRACTOR_VERSION = 0;

  /** Name prefix of the signed descriptor tensor. */
  public static final String DESCRIPTOR_PREFIX = "selfstream.temporal/";

  private static final int MAX_NAME_BYTES = 1024;

  private TemporalModels() {}

  /**
   * What a temporal model version is, beyond its weights.
   *
   * @param spec architecture (type, feature dim, classes, stages, ...)
   * @param encoderVersion encoder version of the training features ({@link
   *     #FIXED_EXTRACTOR_VERSION} for the fixed extractor)
   * @param labels action names by class index; empty when unknown
   */
  public record Descriptor(ModelSpec spec, long encoderVersion, List<String> labels) {

    public Descriptor {
      if (spec == null) {
        throw new IllegalArgumentException("spec must not be null");
      }
      if (encoderVersion < 0) {
        throw new IllegalArgumentException("encoder version must be >= 0, got " + encoderVersion);
      }
      labels = labels == null ? List.of() : List.copyOf(labels);
      if (!labels.isEmpty() && labels.size() != spec.numClasses()) {
        throw new IllegalArgumentException(
            labels.size() + " action names for " + spec.numClasses() + " classes");
      }
    }

    /** Feature dimension the model reads. */
    public int featureDim() {
      return spec.inputDim();
    }

    /** Name of class {@code c}, or {@code null} when the model has no names. */
    public String labelName(int c) {
      return c >= 0 && c < labels.size() ? labels.get(c) : null;
    }
  }

  /**
   * The parameters of {@code block} (built for {@code descriptor.spec()}) with the signed
   * descriptor in front, ready for {@code UpdateEncoder.encodeFull(MODEL, ...)} or {@code
   * TernaryDelta.encode}.
   */
  public static ModelParameters export(Block block, Descriptor descriptor) {
    ModelParameters.Builder b = ModelParameters.builder();
    b.put(descriptorName(descriptor), new int[] {0}, new float[0]);
    PairList<String, Parameter> params = block.getParameters();
    for (int i = 0; i < params.size(); i++) {
      NDArray array = params.valueAt(i).getArray();
      long[] shape = array.getShape().getShape();
      int[] dims = new int[shape.length];
      for (int d = 0; d < shape.length; d++) {
        dims[d] = Math.toIntExact(shape[d]);
      }
      b.put(params.keyAt(i), dims, array.toFloatArray());
    }
    return b.build();
  }

  /** The update metrics of a version: {@code arch.*}, {@value #FEATURES_DIM}, encoder version. */
  public static Map<String, Double> metrics(Descriptor descriptor) {
    Map<String, Double> out = new LinkedHashMap<>();
    ModelSpec spec = descriptor.spec();
    out.put(ARCH_PREFIX + "type", (double) spec.type().ordinal());
    spec.toProperties()
        .forEach(
            (k, v) -> {
              String key = (String) k;
              String value = (String) v;
              if (key.equals("type")) {
                return;
              }
              out.put(
                  ARCH_PREFIX + key,
                  value.equals("true")
                      ? 1.0
                      : value.equals("false") ? 0.0 : Double.parseDouble(value));
            });
    out.put(FEATURES_DIM, (double) spec.inputDim());
    out.put(FEATURES_ENCODER_VERSION, (double) descriptor.encoderVersion());
    return new TreeMap<>(out);
  }

  /** {@link #metrics(Descriptor)} plus the trainer's own metrics (loss, step, ...). */
  public static Map<String, Double> metrics(Descriptor descriptor, Map<String, Double> extra) {
    Map<String, Double> out = new TreeMap<>(extra);
    out.putAll(metrics(descriptor));
    return out;
  }

  /**
   * The signed descriptor of a version's parameters.
   *
   * @throws IllegalArgumentException when the parameters carry no (or a malformed) descriptor
   */
  public static Descriptor descriptor(ModelParameters parameters) {
    List<String> names = parameters.names();
    if (names.isEmpty() || !names.get(0).startsWith(DESCRIPTOR_PREFIX)) {
      throw new IllegalArgumentException(
          "not a temporal model: the first tensor is not a " + DESCRIPTOR_PREFIX + " descriptor");
    }
    return parseDescriptor(names.get(0));
  }

  /**
   * Checks that unsigned update metrics, where present, agree with the signed descriptor.
   *
   * @return {@code null} when they agree (or are absent), else what disagrees
   */
  public static String metricsDisagreement(Descriptor signed, Map<String, Double> metrics) {
    Map<String, Double> expected = metrics(signed);
    List<String> problems = new ArrayList<>();
    for (Map.Entry<String, Double> e : expected.entrySet()) {
      Double have = metrics.get(e.getKey());
      if (have != null && Double.compare(have, e.getValue()) != 0) {
        problems.add(e.getKey() + " " + have + " vs signed " + e.getValue());
      }
    }
    return problems.isEmpty() ? null : String.join(", ", problems);
  }

  /**
   * Copies the weights of {@code parameters} into {@code block}, which must be initialised for the
   * descriptor's spec (see {@code SegmentationModels.create}).
   *
   * @throws IllegalArgumentException when names, order or shapes differ from the block's
   */
  public static void load(ModelParameters parameters, Block block) {
    List<String> names = parameters.names();
    PairList<String, Parameter> params = block.getParameters();
    int offset = !names.isEmpty() && names.get(0).startsWith(DESCRIPTOR_PREFIX) ? 1 : 0;
    if (names.size() - offset != params.size()) {
      throw new IllegalArgumentException(
          (names.size() - offset) + " tensors for a block of " + params.size() + " parameters");
    }
    for (int i = 0; i < params.size(); i++) {
      String name = names.get(i + offset);
      if (!name.equals(params.keyAt(i))) {
        throw new IllegalArgumentException(
            "tensor " + i + " is " + name + ", the block expects " + params.keyAt(i));
      }
      NDArray array = params.valueAt(i).getArray();
      long[] want = array.getShape().getShape();
      int[] have = parameters.shape(name);
      if (!Arrays.equals(want, Arrays.stream(have).asLongStream().toArray())) {
        throw new IllegalArgumentException(
            name + ": shape " + Arrays.toString(have) + ", block has " + Arrays.toString(want));
      }
      array.set(FloatBuffer.wrap(parameters.values(name)));
    }
  }

  static String descriptorName(Descriptor d) {
    Map<String, String> fields = new TreeMap<>();
    Properties p = d.spec().toProperties();
    for (String k : p.stringPropertyNames()) {
      fields.put(k, p.getProperty(k));
    }
    fields.put(FEATURES_ENCODER_VERSION, Long.toString(d.encoderVersion()));
    String withoutLabels = DESCRIPTOR_PREFIX + join(fields);
    if (d.labels().isEmpty()) {
      return withoutLabels;
    }
    fields.put("labels", String.join(",", d.labels().stream().map(TemporalModels::enc).toList()));
    String name = DESCRIPTOR_PREFIX + join(fields);
    // action names are a convenience; the descriptor must fit a tensor name
    return name.getBytes(StandardCharsets.UTF_8).length <= MAX_NAME_BYTES ? name : withoutLabels;
  }

  static Descriptor parseDescriptor(String name) {
    Properties p = new Properties();
    String body = name.substring(DESCRIPTOR_PREFIX.length());
    for (String part : body.split(";")) {
      int eq = part.indexOf('=');
      if (eq < 1) {
        throw new IllegalArgumentException("malformed temporal model descriptor: '" + part + "'");
      }
      String key = dec(part.substring(0, eq));
      // the labels value is a list of individually encoded names: split before decoding
      p.setProperty(
          key, key.equals("labels") ? part.substring(eq + 1) : dec(part.substring(eq + 1)));
    }
    String ev = p.getProperty(FEATURES_ENCODER_VERSION);
    if (ev == null) {
      throw new IllegalArgumentException("temporal model descriptor lacks the encoder version");
    }
    List<String> labels = new ArrayList<>();
    String raw = p.getProperty("labels");
    if (raw != null && !raw.isEmpty()) {
      for (String l : raw.split(",", -1)) {
        labels.add(dec(l));
      }
    }
    try {
      ModelSpec spec = ModelSpec.fromProperties(p);
      return new Descriptor(spec, Long.parseLong(ev), labels);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("malformed temporal model descriptor: " + e.getMessage());
    }
  }

  private static String join(Map<String, String> fields) {
    StringBuilder sb = new StringBuilder();
    fields.forEach(
        (k, v) -> {
          if (sb.length() > 0) {
            sb.append(';');
          }
          sb.append(enc(k)).append('=').append(k.equals("labels") ? v : enc(v));
        });
    return sb.toString();
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private static String dec(String s) {
    return URLDecoder.decode(s, StandardCharsets.UTF_8);
  }
}
