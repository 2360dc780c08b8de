package io.selfstream.ops.bench;

import ai.djl.Device;
import io.selfstream.data.FashionMnist;
import io.selfstream.ingest.corrupt.CorruptedStream;
import io.selfstream.ingest.corrupt.LabeledFrame;
import io.selfstream.trainer.adapt.AdaptConfig;
import io.selfstream.trainer.adapt.AdaptationMethod;
import io.selfstream.trainer.adapt.OfflineAdaptation;
import io.selfstream.trainer.adapt.OnlineLearner;
import io.selfstream.trainer.adapt.OnlineLearners;
import io.selfstream.trainer.adapt.ViewBatch;
import io.selfstream.trainer.augment.U8Image;
import io.selfstream.trainer.encoder.EncoderConfig;
import io.selfstream.trainer.views.ViewMaker;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * {@code bench adaptation --in-memory}: the prequential comparison of SOURCE, TENT, SELFTRAIN and
 * SELFSTREAM on the continual Fashion-MNIST-C stream (test split through the 15 corruptions in the
 * ImageNet-C order at one severity), without Kafka, plus the in-memory trainer throughput (the
 * denominator of the Kafka trainer ratio).
 */
public final class OfflineAdaptationBenchmark {

  /**
   * @param severity corruption severity of every domain
   * @param limitPerDomain images per domain (0 = the whole test split)
   * @param methods methods to compare
   * @param config learner hyperparameters
   * @param maskRatio SimMIM mask ratio override of the views (null = the views job's default)
   * @param maskPatch SimMIM mask block side override in pixels (null = the views job's default)
   * @param publishEverySteps learners publish (consumers refresh) every this many steps
   * @param timingSteps learner steps timed for the trainer throughput
   * @param seed stream and learner seed
   */
  public record Options(
      int severity,
      int limitPerDomain,
      List<AdaptationMethod> methods,
      AdaptConfig config,
      Double maskRatio,
      Integer maskPatch,
      int publishEverySteps,
      int timingSteps,
      long seed) {

    /** Quick: 400 images per domain; full: the whole test split (10,000 per domain). */
    public static Options of(boolean quick) {
      return new Options(
          5,
          quick ? 400 : 0,
          List.of(AdaptationMethod.values()),
          AdaptConfig.DEFAULT,
          null,
          null,
          1,
          quick ? 10 : 30,
          0L);
    }
  }

  private final EncoderConfig encoder;
  private final io.selfstream.trainer.encoder.ParameterSnapshot source;
  private final Options options;

  public OfflineAdaptationBenchmark(
      EncoderConfig encoder, io.selfstream.trainer.encoder.ParameterSnapshot source, Options o) {
    this.encoder = encoder;
    this.source = source;
    this.options = o;
  }

  /** The labelled continual stream as offline samples. */
  static Iterator<OfflineAdaptation.Sample> stream(CorruptedStream frames) {
    return new Iterator<>() {
      @Override
      public boolean hasNext() {
        return frames.hasNext();
      }

      @Override
      public OfflineAdaptation.Sample next() {
        LabeledFrame f = frames.nextLabeled();
        ByteBuffer b = f.frame().getBytes().duplicate();
        byte[] px = new byte[b.remaining()];
        b.get(px);
        U8Image img =
            new U8Image(px, f.frame().getWidth(), f.frame().getHeight(), f.frame().getChannels());
        return new OfflineAdaptation.Sample(
            img, f.label().getLabel(), f.label().getDomain().toString());
      }
    };
  }

  private CorruptedStream open(FashionMnist test) {
    return new CorruptedStream(
        test,
        CorruptedStream.Config.defaults()
            .withSeverity(options.severity())
            .withLimitPerDomain(options.limitPerDomain())
            .withSeed(options.seed()),
        Clock.systemUTC());
  }

  public Map<String, Object> run(Consumer<String> log) throws IOException {
    FashionMnist test = FashionMnist.load(FashionMnist.Split.TEST);
    ViewMaker defaults = OfflineAdaptation.defaultViews(encoder);
    ViewMaker views =
        options.maskRatio() == null && options.maskPatch() == null
            ? defaults
            : OfflineAdaptation.defaultViews(
                encoder,
                options.maskPatch() == null
                    ? defaults.encoder().maskPatchSize()
                    : options.maskPatch(),
                options.maskRatio() == null ? defaults.encoder().maskRatio() : options.maskRatio());
    Device device = Device.cpu();
    OfflineAdaptation.Options o =
        new OfflineAdaptation.Options(
            options.methods(),
            options.config(),
            encoder,
            source,
            views,
            options.publishEverySteps(),
            device,
            options.seed());
    long t0 = System.nanoTime();
    OfflineAdaptation.Result r = OfflineAdaptation.run(stream(open(test)), o, log);
    double seconds = (System.nanoTime() - t0) / 1e9;

    // trainer throughput: SELFSTREAM steps over prebuilt view batches of the stream's start
    double trainerRate = 0;
    if (options.timingSteps() > 0) {
      List<ViewBatch> batches = new ArrayList<>();
      Iterator<OfflineAdaptation.Sample> it = stream(open(test));
      long seq = 0;
      while (batches.size() < 4 && it.hasNext()) {
        List<U8Image> imgs = new ArrayList<>();
        while (imgs.size() < options.config().batchSize() && it.hasNext()) {
          imgs.add(it.next().image());
        }
        batches.add(OfflineAdaptation.viewBatch(views, imgs, seq));
        seq += imgs.size();
      }
      try (OnlineLearner l =
          OnlineLearners.create(
              AdaptationMethod.SELFSTREAM, encoder, source, options.config(), device, 1)) {
        trainerRate = OfflineAdaptation.timeSteps(l, batches, options.timingSteps());
      }
    }

    Map<String, Object> methods = new LinkedHashMap<>();
    for (var e : r.methods().entrySet()) {
      OfflineAdaptation.MethodResult m = e.getValue();
      Map<String, Object> one = new LinkedHashMap<>();
      one.put("mean_error", BenchOutput.round(m.meanError(), 4));
      Map<String, Object> pd = new LinkedHashMap<>();
      m.perDomain().forEach((k, v) -> pd.put(k, BenchOutput.round(v, 4)));
      one.put("per_domain", pd);
      one.put("train_samples_per_s", BenchOutput.round(m.trainSamplesPerSecond(), 1));
      one.put("steps", m.steps());
      one.put("rollbacks", m.rollbacks());
      methods.put(e.getKey().id(), one);
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("bench", "adaptation");
    out.put("mode", "in-memory");
    out.put("severity", options.severity());
    out.put("limit_per_domain", options.limitPerDomain());
    out.put("samples", r.samples());
    out.put("methods", methods);
    out.put("trainer_memory_samples_per_s", BenchOutput.round(trainerRate, 1));
    out.put("wall_s", BenchOutput.round(seconds, 1));
    out.put("mask_patch", views.encoder().maskPatchSize());
    out.put("mask_ratio", views.encoder().maskRatio());
    out.put("adapt", options.config());
    return out;
  }
}
