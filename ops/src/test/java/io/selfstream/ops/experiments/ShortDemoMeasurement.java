package io.selfstream.ops.experiments;

import ai.djl.Device;
import io.selfstream.data.FashionMnist;
import io.selfstream.ingest.corrupt.CorruptedStream;
import io.selfstream.ingest.corrupt.Corruption;
import io.selfstream.ingest.corrupt.LabeledFrame;
import io.selfstream.trainer.adapt.AdaptConfig;
import io.selfstream.trainer.adapt.AdaptationMethod;
import io.selfstream.trainer.adapt.OfflineAdaptation;
import io.selfstream.trainer.augment.U8Image;
import io.selfstream.trainer.encoder.BootstrapConfig;
import io.selfstream.trainer.encoder.BootstrapListener;
import io.selfstream.trainer.encoder.EncoderBootstrap;
import io.selfstream.trainer.encoder.EncoderConfig;
import io.selfstream.trainer.encoder.EncoderFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * How short can a demo be and still show adaptation beating the frozen source? Bootstraps a source
 * encoder (or loads one saved by an earlier run) and runs the in-memory prequential comparison
 * ({@link OfflineAdaptation}, the learners the demo's trainers run) for every (domain order, images
 * per domain, adapt variant) and stream seed, printing one line per run with each method's mean
 * error and the wall times of the bootstrap and of the stream.
 *
 * <pre>
 * mvn -o -q -pl ops test-compile dependency:build-classpath -Dmdep.outputFile=/tmp/ops-cp.txt
 * OMP_NUM_THREADS=1 java -Dai.djl.offline=true -Dai.djl.pytorch.num_threads=1 \
 *   -Dai.djl.pytorch.num_interop_threads=1 \
 *   -cp ops/target/test-classes:ops/target/classes:$(cat /tmp/ops-cp.txt) \
 *   io.selfstream.ops.experiments.ShortDemoMeasurement epochs=2 perDomain=60,120 \
 *   orders=all seeds=0,1,2 publishEvery=5 [trainLimit=N testLimit=N save=F load=F \
 *   adapt=learningRate=3e-4|learningRate=5e-4+batchSize=16]
 * </pre>
 *
 * {@code orders} is a {@code ;}-separated list of comma-separated corruption lists ({@code all} =
 * the ImageNet-C order); {@code adapt} a {@code |}-separated list of {@code +}-joined overrides.
 */
public final class ShortDemoMeasurement {

  private ShortDemoMeasurement() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> a = new LinkedHashMap<>();
    for (String arg : args) {
      int eq = arg.indexOf('=');
      a.put(arg.substring(0, eq), arg.substring(eq + 1));
    }
    int epochs = Integer.parseInt(a.getOrDefault("epochs", "1"));
    int trainLimit = Integer.parseInt(a.getOrDefault("trainLimit", "0"));
    int testLimit = Integer.parseInt(a.getOrDefault("testLimit", "0"));
    long bootSeed = Long.parseLong(a.getOrDefault("bootSeed", "42"));
    int publishEvery = Integer.parseInt(a.getOrDefault("publishEvery", "5"));
    List<Integer> perDomain = new ArrayList<>();
    for (String s : a.getOrDefault("perDomain", "60").split(",")) {
      perDomain.add(Integer.parseInt(s));
    }
    List<Long> seeds = new ArrayList<>();
    for (String s : a.getOrDefault("seeds", "0,1,2").split(",")) {
      seeds.add(Long.parseLong(s));
    }
    List<String> orders = List.of(a.getOrDefault("orders", "all").split(";"));
    List<String> adaptVariants = List.of(a.getOrDefault("adapt", "").split("\\|", -1));
    List<AdaptationMethod> methods = new ArrayList<>();
    for (String m : a.getOrDefault("methods", "source,tent,selftrain,selfstream").split(",")) {
      methods.add(AdaptationMethod.parse(m));
    }

    EncoderConfig encoder;
    io.selfstream.trainer.encoder.ParameterSnapshot params;
    double bootSeconds = 0;
    if (a.containsKey("load")) {
      EncoderFile.Contents c = EncoderFile.read(Path.of(a.get("load")));
      encoder = c.config();
      params = c.parameters();
      System.out.println("source loaded from " + a.get("load"));
    } else {
      BootstrapConfig boot =
          BootstrapConfig.DEFAULT
              .withEpochs(epochs)
              .withLimits(trainLimit, testLimit)
              .withSeed(bootSeed)
              .toBuilder()
              .warmupEpochs(Math.min(epochs, Double.parseDouble(a.getOrDefault("warmup", "1.0"))))
              .build();
      long t0 = System.nanoTime();
      try (EncoderBootstrap.Trained t =
          EncoderBootstrap.bootstrapFashionMnist(
              EncoderConfig.DEFAULT, boot, FashionMnist.DEBIAN_DIR, new BootstrapListener() {})) {
        bootSeconds = (System.nanoTime() - t0) / 1e9;
        encoder = t.encoder().config();
        params = t.encoder().exportParameters();
        System.out.printf(
            Locale.ROOT,
            "source: epochs=%d warmup=%.2f trainLimit=%d testLimit=%d bootSeed=%d clean acc %.4f,"
                + " bootstrap %.1f s (train %.1f s)%n",
            epochs,
            boot.warmupEpochs(),
            trainLimit,
            testLimit,
            bootSeed,
            t.result().testAccuracy(),
            bootSeconds,
            t.result().trainSeconds());
      }
      if (a.containsKey("save")) {
        Path f = Path.of(a.get("save"));
        Files.createDirectories(f.toAbsolutePath().getParent());
        EncoderFile.write(f, encoder, params);
      }
    }

    FashionMnist test = FashionMnist.load(FashionMnist.Split.TEST);
    for (String order : orders) {
      List<Corruption> corruptions = Corruption.parseList(order);
      for (int n : perDomain) {
        for (String variant : adaptVariants) {
          Map<String, String> overrides = new LinkedHashMap<>();
          for (String kv : variant.split("\\+")) {
            if (!kv.isBlank()) {
              int eq = kv.indexOf('=');
              String k = kv.substring(0, eq);
              overrides.put(k.startsWith("adapt.") ? k : "adapt." + k, kv.substring(eq + 1));
            }
          }
          AdaptConfig adapt = AdaptConfig.withOverrides(overrides);
          List<double[]> rows = new ArrayList<>();
          for (long seed : seeds) {
            CorruptedStream frames =
                new CorruptedStream(
                    test,
                    CorruptedStream.Config.defaults()
                        .withOrder(corruptions)
                        .withLimitPerDomain(n)
                        .withSeed(seed),
                    Clock.systemUTC());
            OfflineAdaptation.Options o =
                new OfflineAdaptation.Options(
                    methods,
                    adapt,
                    encoder,
                    params,
                    OfflineAdaptation.defaultViews(encoder),
                    publishEvery,
                    Device.cpu(),
                    seed);
            long t0 = System.nanoTime();
            OfflineAdaptation.Result r = OfflineAdaptation.run(samples(frames), o, s -> {});
            double streamSeconds = (System.nanoTime() - t0) / 1e9;
            StringBuilder line = new StringBuilder();
            double[] row = new double[methods.size()];
            int i = 0;
            for (AdaptationMethod m : methods) {
              OfflineAdaptation.MethodResult mr = r.methods().get(m);
              row[i++] = mr.meanError();
              line.append(
                  String.format(
                      Locale.ROOT,
                      " %s=%.4f%s",
                      m.id(),
                      mr.meanError(),
                      mr.rollbacks() > 0 ? "(rb" + mr.rollbacks() + ")" : ""));
            }
            rows.add(row);
            System.out.printf(
                Locale.ROOT,
                "RUN epochs=%d order=%s perDomain=%d adapt=[%s] seed=%d samples=%d%s"
                    + " boot_s=%.1f stream_s=%.1f%n",
                epochs,
                order,
                n,
                variant,
                seed,
                r.samples(),
                line,
                bootSeconds,
                streamSeconds);
            if (a.containsKey("perDomainOut")) {
              r.methods()
                  .forEach((m, mr) -> System.out.println("  " + m.id() + " " + mr.perDomain()));
            }
          }
          StringBuilder mean = new StringBuilder();
          for (int i = 0; i < methods.size(); i++) {
            double s = 0;
            for (double[] row : rows) {
              s += row[i];
            }
            mean.append(
                String.format(Locale.ROOT, " %s=%.4f", methods.get(i).id(), s / rows.size()));
          }
          System.out.printf(
              Locale.ROOT,
              "MEAN epochs=%d order=%s perDomain=%d adapt=[%s]%s%n",
              epochs,
              order,
              n,
              variant,
              mean);
        }
      }
    }
  }

  /** The labelled stream as offline samples (as the in-memory bench reads it). */
  private static Iterator<OfflineAdaptation.Sample> samples(CorruptedStream frames) {
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
}
