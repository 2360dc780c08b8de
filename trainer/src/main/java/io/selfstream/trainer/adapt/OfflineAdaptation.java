package io.selfstream.trainer.adapt;

import ai.djl.Device;
import io.selfstream.config.Config;
import io.selfstream.schemas.avro.Frame;
import io.selfstream.schemas.avro.TrainingView;
import io.selfstream.trainer.augment.U8Image;
import io.selfstream.trainer.encoder.Encoder;
import io.selfstream.trainer.encoder.EncoderConfig;
import io.selfstream.trainer.encoder.ParameterSnapshot;
import io.selfstream.trainer.encoder.Prediction;
import io.selfstream.trainer.mask.MaskBits;
import io.selfstream.trainer.views.ViewMaker;
import io.selfstream.trainer.views.ViewsJobSettings;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * The in-memory prequential reference run of online adaptation: the same learners the Kafka
 * trainers drive, on a labelled stream, without Kafka or Flink. For each batch, first every
 * method's <em>consumer-held</em> model scores the clean batch (SOURCE: the frozen source; the
 * others: their serving parameters as of their last publish, refreshed every {@code
 * publishEverySteps} steps, exactly what a consumer of {@code model-updates} would hold); then the
 * views are made with {@link ViewMaker} under the views job's default settings and every learning
 * method takes one step. Errors are counted per domain.
 *
 * <p>Also the in-memory side of the benchmark's trainer ratio: {@link #timeSteps} times learner
 * steps over prebuilt batches.
 */
public final class OfflineAdaptation {

  /** One labelled stream element. */
  public record Sample(U8Image image, int label, String domain) {}

  /**
   * What to run.
   *
   * @param methods methods to compare (SOURCE is scored but never trains)
   * @param config hyperparameters (its batch size cuts the stream)
   * @param encoder the source model's architecture
   * @param source the source model's parameters
   * @param views makes the weak/strong views and masks ({@link #defaultViews} = the views job's)
   * @param publishEverySteps a learner publishes (consumers refresh, {@code markGood}) every this
   *     many steps
   * @param device where the models live
   * @param seed learner seed
   */
  public record Options(
      List<AdaptationMethod> methods,
      AdaptConfig config,
      EncoderConfig encoder,
      ParameterSnapshot source,
      ViewMaker views,
      int publishEverySteps,
      Device device,
      long seed) {
    public Options {
      methods = List.copyOf(methods);
      Objects.requireNonNull(config, "config");
      Objects.requireNonNull(encoder, "encoder");
      Objects.requireNonNull(source, "source");
      Objects.requireNonNull(views, "views");
      if (publishEverySteps < 1) {
        throw new IllegalArgumentException("publishEverySteps must be >= 1");
      }
    }
  }

  /**
   * One method's outcome.
   *
   * @param meanError error over every scored sample
   * @param perDomain error per domain, in stream order
   * @param trainSamplesPerSecond learner throughput (training steps only; 0 for SOURCE)
   * @param steps learner steps applied
   * @param rollbacks steps the guard rolled back
   * @param lastGuardReason why the guard last fired, or null
   */
  public record MethodResult(
      double meanError,
      Map<String, Double> perDomain,
      double trainSamplesPerSecond,
      long steps,
      int rollbacks,
      String lastGuardReason) {}

  /** All methods' outcomes over {@code samples} stream elements. */
  public record Result(Map<AdaptationMethod, MethodResult> methods, long samples) {}

  private OfflineAdaptation() {}

  /**
   * The views job's default view settings on {@code encoder}: its default mask patch and ratio,
   * confidence threshold and seed (the offline run must see the views the stack would make).
   */
  public static ViewMaker defaultViews(EncoderConfig encoder) {
    return defaultViews(encoder, parse(ViewsJobSettings.MASK_RATIO));
  }

  /** As {@link #defaultViews(EncoderConfig)} with another SimMIM mask ratio (for tuning). */
  public static ViewMaker defaultViews(EncoderConfig encoder, double maskRatio) {
    return defaultViews(encoder, parse(ViewsJobSettings.MASK_PATCH), maskRatio);
  }

  /** As {@link #defaultViews(EncoderConfig)} with another SimMIM mask block and ratio (tuning). */
  public static ViewMaker defaultViews(EncoderConfig encoder, int maskPatch, double maskRatio) {
    double threshold = parse(ViewsJobSettings.CONFIDENCE_THRESHOLD);
    long seed = parse(ViewsJobSettings.SEED);
    return new ViewMaker(encoder.withMask(maskPatch, maskRatio), threshold, seed);
  }

  private static <T> T parse(io.selfstream.config.ConfigKey<T> key) {
    return Config.defaults(List.of(key)).get(key);
  }

  /** Runs the stream to its end; {@code log} receives one line per finished domain. */
  public static Result run(Iterator<Sample> stream, Options options, Consumer<String> log) {
    Consumer<String> out = log == null ? s -> {} : log;
    int n = options.methods().size();
    List<OnlineLearner> learners = new ArrayList<>(n);
    List<Encoder> consumers = new ArrayList<>(n);
    try {
      for (AdaptationMethod m : options.methods()) {
        learners.add(
            OnlineLearners.create(
                m,
                options.encoder(),
                options.source(),
                options.config(),
                options.device(),
                options.seed()));
        Encoder c = Encoder.create(options.encoder(), options.device(), options.seed());
        consumers.add(c);
        c.importParameters(options.source());
      }
      return loop(stream, options, learners, consumers, out);
    } finally {
      learners.forEach(OnlineLearner::close);
      consumers.forEach(Encoder::close);
    }
  }

  private static Result loop(
      Iterator<Sample> stream,
      Options options,
      List<OnlineLearner> learners,
      List<Encoder> consumers,
      Consumer<String> log) {
    int n = learners.size();
    List<Map<String, long[]>> errors = new ArrayList<>(); // domain -> {errors, count}
    long[] trainNanos = new long[n];
    long[] trainSamples = new long[n];
    int[] rollbacks = new int[n];
    String[] lastReason = new String[n];
    for (int i = 0; i < n; i++) {
      errors.add(new LinkedHashMap<>());
    }
    long seq = 0;
    String currentDomain = null;
    while (stream.hasNext()) {
      List<Sample> batch = new ArrayList<>(options.config().batchSize());
      while (stream.hasNext() && batch.size() < options.config().batchSize()) {
        batch.add(stream.next());
      }
      List<U8Image> images = new ArrayList<>(batch.size());
      for (Sample s : batch) {
        images.add(s.image());
      }
      // 1. score with what each consumer holds, before anyone trains on these images
      for (int i = 0; i < n; i++) {
        List<Prediction> p = consumers.get(i).predict(images);
        for (int j = 0; j < batch.size(); j++) {
          long[] e = errors.get(i).computeIfAbsent(batch.get(j).domain(), k -> new long[2]);
          e[0] += p.get(j).label() == batch.get(j).label() ? 0 : 1;
          e[1]++;
        }
      }
      // 2. views as the views job would make them, then one step per learner
      ViewBatch views = viewBatch(options.views(), images, seq);
      seq += batch.size();
      for (int i = 0; i < n; i++) {
        OnlineLearner learner = learners.get(i);
        if (learner.method() == AdaptationMethod.SOURCE) {
          continue;
        }
        long t0 = System.nanoTime();
        StepReport r = learner.step(views);
        trainNanos[i] += System.nanoTime() - t0;
        trainSamples[i] += views.size();
        if (r.rolledBack()) {
          rollbacks[i]++;
          lastReason[i] = r.guardReason();
          log.accept(
              learner.method().id() + " rolled back at step " + r.step() + ": " + r.guardReason());
        } else if (learner.step() % options.publishEverySteps() == 0) {
          consumers.get(i).importParameters(learner.servingParameters());
          learner.markGood();
        }
      }
      String last = batch.get(batch.size() - 1).domain();
      if (currentDomain != null && !currentDomain.equals(last) || !stream.hasNext()) {
        String finished = !stream.hasNext() ? last : currentDomain;
        StringBuilder sb = new StringBuilder("domain ").append(finished).append(':');
        for (int i = 0; i < n; i++) {
          long[] e = errors.get(i).get(finished);
          sb.append(String.format(" %s %.3f", learners.get(i).method().id(), e[0] / (double) e[1]));
        }
        log.accept(sb.toString());
      }
      currentDomain = last;
    }
    Map<AdaptationMethod, MethodResult> results = new LinkedHashMap<>();
    for (int i = 0; i < n; i++) {
      long err = 0;
      long count = 0;
      Map<String, Double> perDomain = new LinkedHashMap<>();
      for (Map.Entry<String, long[]> e : errors.get(i).entrySet()) {
        err += e.getValue()[0];
        count += e.getValue()[1];
        perDomain.put(e.getKey(), e.getValue()[0] / (double) e.getValue()[1]);
      }
      results.put(
          learners.get(i).method(),
          new MethodResult(
              count == 0 ? Double.NaN : err / (double) count,
              perDomain,
              trainNanos[i] == 0 ? 0 : trainSamples[i] / (trainNanos[i] / 1e9),
              learners.get(i).step(),
              rollbacks[i],
              lastReason[i]));
    }
    return new Result(results, seq);
  }

  /**
   * The views of {@code images} (stream positions {@code firstSeq...}) as the views job makes them,
   * without a teacher (learners label with their own EMA teacher), as a {@link ViewBatch}.
   */
  public static ViewBatch viewBatch(ViewMaker maker, List<U8Image> images, long firstSeq) {
    List<Frame> frames = new ArrayList<>(images.size());
    for (int i = 0; i < images.size(); i++) {
      U8Image img = images.get(i);
      frames.add(
          Frame.newBuilder()
              .setSourceId("offline")
              .setSeq(firstSeq + i)
              .setCaptureTimeMs(Instant.EPOCH)
              .setWidth(img.width())
              .setHeight(img.height())
              .setChannels(img.channels())
              .setPixels(ByteBuffer.wrap(img.pixels()))
              .build());
    }
    return fromTrainingViews(maker.make(frames, null, 0).views());
  }

  /** Decodes {@code TrainingView} records into a {@link ViewBatch} (pseudo-label -1 = none). */
  public static ViewBatch fromTrainingViews(List<TrainingView> views) {
    int n = views.size();
    List<U8Image> weak = new ArrayList<>(n);
    List<U8Image> strong = new ArrayList<>(n);
    List<boolean[]> masks = new ArrayList<>(n);
    int[] labels = new int[n];
    String[] ids = new String[n];
    long[] seqs = new long[n];
    for (int i = 0; i < n; i++) {
      TrainingView v = views.get(i);
      weak.add(image(v.getWeakView(), v));
      strong.add(image(v.getStrongView(), v));
      masks.add(
          MaskBits.unpack(bytes(v.getMaskBits()), v.getMaskGridWidth() * v.getMaskGridHeight()));
      labels[i] = v.getPseudoLabel() == null ? -1 : v.getPseudoLabel();
      ids[i] = v.getSourceId().toString();
      seqs[i] = v.getSeq();
    }
    return new ViewBatch(weak, strong, masks, labels, ids, seqs);
  }

  private static U8Image image(ByteBuffer pixels, TrainingView v) {
    return new U8Image(bytes(pixels), v.getWidth(), v.getHeight(), v.getChannels());
  }

  private static byte[] bytes(ByteBuffer b) {
    ByteBuffer d = b.duplicate();
    byte[] out = new byte[d.remaining()];
    d.get(out);
    return out;
  }

  /**
   * Learner throughput in samples/s: {@code steps} steps over {@code batches} (cycled), timed after
   * one untimed warm-up step. The learner's state changes.
   */
  public static double timeSteps(OnlineLearner learner, List<ViewBatch> batches, int steps) {
    if (batches.isEmpty() || steps < 1) {
      throw new IllegalArgumentException("need at least one batch and one step");
    }
    learner.step(batches.get(0));
    long samples = 0;
    long t0 = System.nanoTime();
    for (int i = 0; i < steps; i++) {
      ViewBatch b = batches.get(i % batches.size());
      learner.step(b);
      samples += b.size();
    }
    return samples / ((System.nanoTime() - t0) / 1e9);
  }
}
