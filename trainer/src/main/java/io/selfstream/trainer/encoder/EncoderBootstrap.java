package io.selfstream.trainer.encoder;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.util.Pair;
import io.selfstream.data.FashionMnist;
import io.selfstream.graphreasoning.engine.GradientLock;
import io.selfstream.trainer.augment.U8Image;
import io.selfstream.trainer.augment.WeakAugment;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * Supervised bootstrap of the encoder on a labelled source set (the clean Fashion-MNIST train
 * split): AdamW with decoupled weight decay on kernels only, linear warm-up then cosine decay,
 * optional label smoothing and weak augmentation, global-norm gradient clipping, and a NaN/inf
 * guard that skips a bad step (and reports it) instead of applying it. The SimMIM decoder and the
 * mask token get no gradient from this objective and are left untouched.
 *
 * <p>One training run per JVM at a time: the PyTorch engine allows one gradient collector at once.
 */
public final class EncoderBootstrap {

  private final BootstrapConfig config;
  private final BootstrapListener listener;

  public EncoderBootstrap(BootstrapConfig config, BootstrapListener listener) {
    this.config = Objects.requireNonNull(config, "config");
    this.listener = listener == null ? BootstrapListener.NONE : listener;
  }

  /** The outcome of one training step. */
  public record StepResult(
      boolean applied, float loss, float gradNorm, int correct, String skipReason) {}

  /**
   * Names of parameters the supervised objective trains: all but the SimMIM decoder and the mask
   * token.
   */
  public static List<Parameter> supervisedParameters(Encoder encoder) {
    List<Parameter> out = new ArrayList<>();
    for (Pair<String, Parameter> p : encoder.parameters()) {
      String name = p.getKey();
      if (name.equals(VisionTransformer.MASK_TOKEN) || name.contains("decoder")) {
        continue;
      }
      out.add(p.getValue());
    }
    return out;
  }

  /**
   * One supervised step on a batch: forward, cross-entropy (label smoothing {@code smoothing}),
   * backward, NaN/inf guard, clipping to {@code clipNorm} (0 = none), AdamW update of {@code
   * trainable}. All tensors live in a sub-manager closed before returning.
   */
  public static StepResult trainStep(
      Encoder encoder,
      DecoupledAdamW optimizer,
      List<Parameter> trainable,
      List<U8Image> images,
      int[] labels,
      float lr,
      float smoothing,
      float clipNorm) {
    if (images.size() != labels.length) {
      throw new IllegalArgumentException(
          images.size() + " images but " + labels.length + " labels");
    }
    try (NDManager step = encoder.manager().newSubManager()) {
      NDArray x = ImageTensors.images(step, images, encoder.config());
      float loss;
      int correct;
      synchronized (GradientLock.ENGINE) { // one gradient collector per process (DJL)
        try (GradientCollector gc = step.getEngine().newGradientCollector()) {
          NDList out = encoder.forward(x, null, true);
          NDArray logits = out.get(VisionTransformer.LOGITS);
          NDArray lossArray = EncoderLosses.crossEntropy(logits, labels, smoothing);
          loss = lossArray.getFloat();
          correct = countCorrect(logits, labels);
          if (!Float.isFinite(loss)) {
            return new StepResult(false, loss, Float.NaN, correct, "non-finite loss " + loss);
          }
          gc.backward(lossArray);
        }
      }
      float norm = DecoupledAdamW.globalGradNorm(trainable, step);
      if (!Float.isFinite(norm)) {
        int bad = DecoupledAdamW.firstNonFiniteGradient(trainable, step);
        String where = bad < 0 ? "" : " (first in " + nameOf(encoder, trainable.get(bad)) + ")";
        DecoupledAdamW.zeroGradients(trainable);
        return new StepResult(
            false, loss, norm, correct, "non-finite gradient norm " + norm + where);
      }
      float scale = clipNorm > 0 && norm > clipNorm ? clipNorm / (norm + 1e-6f) : 1f;
      optimizer.step(trainable, lr, scale);
      return new StepResult(true, loss, norm, correct, null);
    }
  }

  private static String nameOf(Encoder encoder, Parameter parameter) {
    for (Pair<String, Parameter> p : encoder.parameters()) {
      if (p.getValue() == parameter) {
        return p.getKey();
      }
    }
    return parameter.getName();
  }

  private static int countCorrect(NDArray logits, int[] labels) {
    long[] pred = logits.argMax(1).toLongArray();
    int c = 0;
    for (int i = 0; i < labels.length; i++) {
      if (pred[i] == labels[i]) {
        c++;
      }
    }
    return c;
  }

  /** Top-1 accuracy on {@code data} (clean images, no gradients). */
  public static double evaluate(Encoder encoder, LabeledImages data, int batchSize) {
    if (data.size() == 0) {
      return Double.NaN;
    }
    long correct = 0;
    for (int start = 0; start < data.size(); start += batchSize) {
      int end = Math.min(data.size(), start + batchSize);
      int[] labels = new int[end - start];
      List<U8Image> images = new ArrayList<>(end - start);
      for (int i = start; i < end; i++) {
        images.add(data.image(i));
        labels[i - start] = data.label(i);
      }
      try (NDManager step = encoder.manager().newSubManager()) {
        NDArray x = ImageTensors.images(step, images, encoder.config());
        correct +=
            countCorrect(encoder.forward(x, null, false).get(VisionTransformer.LOGITS), labels);
      }
    }
    return correct / (double) data.size();
  }

  /** Trains {@code encoder} in place on {@code train}; evaluates on {@code test}. */
  public BootstrapResult run(Encoder encoder, LabeledImages train, LabeledImages test) {
    LabeledImages tr = train.limit(config.trainLimit());
    LabeledImages te = test.limit(config.testLimit());
    if (tr.size() == 0) {
      throw new IllegalArgumentException("empty training set");
    }
    int n = tr.size();
    int bs = Math.min(config.batchSize(), n);
    int stepsPerEpoch = (n + bs - 1) / bs;
    long totalSteps = (long) stepsPerEpoch * config.epochs();
    long warmup = Math.min(totalSteps, Math.round(config.warmupEpochs() * stepsPerEpoch));
    WarmupCosineSchedule schedule =
        new WarmupCosineSchedule(
            config.learningRate(), config.minLearningRate(), warmup, totalSteps);
    DecoupledAdamW optimizer = new DecoupledAdamW(config.weightDecay());
    List<Parameter> trainable = supervisedParameters(encoder);
    listener.onStart(config.epochs(), stepsPerEpoch, n, te.size(), encoder.parameterCount());

    long t0 = System.nanoTime();
    double trainNanos = 0;
    long globalStep = 0;
    long skipped = 0;
    int rollbacks = 0;
    int consecutiveSkips = 0;
    double lastLoss = Double.NaN;
    double lastTrainAcc = Double.NaN;
    double testAcc = Double.NaN;
    ParameterSnapshot lastGood = encoder.exportParameters();
    WeakAugment weak = WeakAugment.DEFAULT;
    try {
      for (int epoch = 1; epoch <= config.epochs(); epoch++) {
        int[] order = permutation(n, new SplittableRandom(mix(config.seed(), epoch)));
        double lossSum = 0;
        int lossSteps = 0;
        long correct = 0;
        long seen = 0;
        int epochSkips = 0;
        long e0 = System.nanoTime();
        for (int s = 0; s < stepsPerEpoch; s++) {
          int from = s * bs;
          int to = Math.min(n, from + bs);
          List<U8Image> images = new ArrayList<>(to - from);
          int[] labels = new int[to - from];
          for (int i = from; i < to; i++) {
            int idx = order[i];
            U8Image img = tr.image(idx);
            if (config.augment()) {
              img = weak.apply(img, mix(mix(config.seed(), epoch), idx));
            }
            images.add(img);
            labels[i - from] = tr.label(idx);
          }
          float lr = schedule.at(globalStep);
          StepResult r =
              trainStep(
                  encoder,
                  optimizer,
                  trainable,
                  images,
                  labels,
                  lr,
                  config.labelSmoothing(),
                  config.gradClipNorm());
          globalStep++;
          seen += labels.length;
          correct += r.correct();
          if (r.applied()) {
            lossSum += r.loss();
            lossSteps++;
            consecutiveSkips = 0;
          } else {
            skipped++;
            epochSkips++;
            consecutiveSkips++;
            listener.onSkippedStep(epoch, globalStep, r.skipReason());
            if (consecutiveSkips >= config.maxConsecutiveSkips()) {
              encoder.importParameters(lastGood);
              throw new IllegalStateException(
                  "training diverged: "
                      + consecutiveSkips
                      + " consecutive non-finite steps (last: "
                      + r.skipReason()
                      + "); parameters restored to the end of epoch "
                      + (epoch - 1));
            }
          }
          double secs = (System.nanoTime() - e0) / 1e9;
          listener.onStep(
              new BootstrapListener.StepProgress(
                  epoch,
                  config.epochs(),
                  s + 1,
                  stepsPerEpoch,
                  globalStep,
                  totalSteps,
                  r.loss(),
                  lr,
                  secs > 0 ? seen / secs : 0));
        }
        double epochNanos = System.nanoTime() - e0;
        trainNanos += epochNanos;
        lastLoss = lossSteps > 0 ? lossSum / lossSteps : Double.NaN;
        lastTrainAcc = correct / (double) seen;
        String bad = firstNonFinite(encoder);
        if (bad != null) {
          encoder.importParameters(lastGood);
          optimizer.clear();
          rollbacks++;
          listener.onRollback(epoch, "parameter " + bad + " is not finite");
        } else {
          lastGood = encoder.exportParameters();
        }
        boolean evalNow = config.evalEveryEpoch() || epoch == config.epochs();
        double acc =
            evalNow && te.size() > 0 ? evaluate(encoder, te, config.evalBatchSize()) : Double.NaN;
        if (evalNow) {
          testAcc = acc;
        }
        listener.onEpochEnd(
            new BootstrapListener.EpochSummary(
                epoch,
                lastLoss,
                lastTrainAcc,
                acc,
                epochNanos / 1e9,
                seen / (epochNanos / 1e9),
                epochSkips));
      }
    } finally {
      optimizer.clear();
    }
    double total = (System.nanoTime() - t0) / 1e9;
    return new BootstrapResult(
        testAcc,
        lastTrainAcc,
        lastLoss,
        (double) n * config.epochs() / (trainNanos / 1e9),
        trainNanos / 1e9,
        total,
        config.epochs(),
        globalStep,
        skipped,
        rollbacks,
        encoder.parameterCount(),
        encoder.device().toString());
  }

  /**
   * Creates an encoder on the configured device, trains it on the Fashion-MNIST train split from
   * {@code dataDir} and evaluates on its test split. The caller closes the returned encoder.
   */
  public static Trained bootstrapFashionMnist(
      EncoderConfig encoderConfig, BootstrapConfig config, Path dataDir, BootstrapListener listener)
      throws IOException {
    FashionMnist train = FashionMnist.load(dataDir, FashionMnist.Split.TRAIN);
    FashionMnist test = FashionMnist.load(dataDir, FashionMnist.Split.TEST);
    Device device = Devices.select(config.device());
    Encoder encoder = Encoder.create(encoderConfig, device, config.seed());
    try {
      BootstrapResult result =
          new EncoderBootstrap(config, listener)
              .run(encoder, LabeledImages.of(train), LabeledImages.of(test));
      return new Trained(encoder, result);
    } catch (RuntimeException e) {
      encoder.close();
      throw e;
    }
  }

  /** A trained encoder (owned by the caller) and how its training went. */
  public record Trained(Encoder encoder, BootstrapResult result) implements AutoCloseable {
    @Override
    public void close() {
      encoder.close();
    }
  }

  private static String firstNonFinite(Encoder encoder) {
    for (Pair<String, Parameter> p : encoder.parameters()) {
      for (float v : p.getValue().getArray().toFloatArray()) {
        if (!Float.isFinite(v)) {
          return p.getKey();
        }
      }
    }
    return null;
  }

  static int[] permutation(int n, SplittableRandom random) {
    int[] p = new int[n];
    for (int i = 0; i < n; i++) {
      p[i] = i;
    }
    for (int i = n - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return p;
  }

  /** SplitMix64-style seed mixing. */
  static long mix(long a, long b) {
    long z = a * 0x9E3779B97F4A7C15L + b;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /**
   * Runs the bootstrap from the command line: {@code [--epochs N] [--batch N] [--lr X] [--device D]
   * [--train-limit N] [--test-limit N] [--seed N] [--data DIR] [--out FILE] [--threads N]
   * [--augment | --no-augment] [--smoothing X] [--clip X] [--wd X] [--warmup EPOCHS]}. Prints one
   * line per epoch and a final JSON line.
   */
  public static void main(String[] args) throws IOException {
    BootstrapConfig cfg = BootstrapConfig.DEFAULT;
    EncoderConfig enc = EncoderConfig.DEFAULT;
    Path data = FashionMnist.DEBIAN_DIR;
    Path out = null;
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      switch (a) {
        case "--epochs" -> cfg = cfg.withEpochs(Integer.parseInt(args[++i]));
        case "--batch" -> cfg = cfg.withBatch(Integer.parseInt(args[++i]), cfg.learningRate());
        case "--lr" -> cfg = cfg.withBatch(cfg.batchSize(), Float.parseFloat(args[++i]));
        case "--device" -> cfg = cfg.withDevice(args[++i]);
        case "--train-limit" -> cfg = cfg.withLimits(Integer.parseInt(args[++i]), cfg.testLimit());
        case "--test-limit" -> cfg = cfg.withLimits(cfg.trainLimit(), Integer.parseInt(args[++i]));
        case "--seed" -> cfg = cfg.withSeed(Long.parseLong(args[++i]));
        case "--data" -> data = Path.of(args[++i]);
        case "--threads" -> {
          // must happen before the engine loads; one thread is much faster on a busy 2-core box
          System.setProperty("ai.djl.pytorch.num_threads", args[++i]);
          System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        }
        case "--out" -> out = Path.of(args[++i]);
        case "--no-augment" -> cfg = cfg.toBuilder().augment(false).build();
        case "--augment" -> cfg = cfg.toBuilder().augment(true).build();
        case "--smoothing" ->
            cfg = cfg.toBuilder().labelSmoothing(Float.parseFloat(args[++i])).build();
        case "--clip" -> cfg = cfg.toBuilder().gradClipNorm(Float.parseFloat(args[++i])).build();
        case "--wd" -> cfg = cfg.toBuilder().weightDecay(Float.parseFloat(args[++i])).build();
        case "--warmup" ->
            cfg = cfg.toBuilder().warmupEpochs(Double.parseDouble(args[++i])).build();
        default -> throw new IllegalArgumentException("unknown option " + a);
      }
    }
    System.out.println("encoder " + enc.toMap() + "\nbootstrap " + cfg);
    BootstrapListener printer =
        new BootstrapListener() {
          @Override
          public void onStart(int epochs, int steps, int trainSize, int testSize, long params) {
            System.out.printf(
                Locale.ROOT,
                "train %d, test %d, %d steps/epoch, %d parameters%n",
                trainSize,
                testSize,
                steps,
                params);
          }

          @Override
          public void onSkippedStep(int epoch, long globalStep, String reason) {
            System.out.printf(
                Locale.ROOT, "epoch %d step %d skipped: %s%n", epoch, globalStep, reason);
          }

          @Override
          public void onEpochEnd(EpochSummary s) {
            System.out.printf(
                Locale.ROOT,
                "epoch %d loss %.4f train-acc %.4f test-acc %.4f %.1fs %.0f samples/s skipped %d%n",
                s.epoch(),
                s.trainLoss(),
                s.trainAccuracy(),
                s.testAccuracy(),
                s.seconds(),
                s.samplesPerSecond(),
                s.skippedSteps());
          }
        };
    try (Trained t = bootstrapFashionMnist(enc, cfg, data, printer)) {
      if (out != null) {
        t.encoder().save(out);
        System.out.println("saved " + out);
      }
      BootstrapResult r = t.result();
      System.out.printf(
          Locale.ROOT,
          "{\"bootstrap\":\"encoder\",\"test_accuracy\":%.4f,\"train_samples_per_s\":%.1f,"
              + "\"train_s\":%.1f,\"total_s\":%.1f,\"epochs\":%d,\"skipped_steps\":%d,"
              + "\"params\":%d,\"device\":\"%s\"}%n",
          r.testAccuracy(),
          r.samplesPerSecond(),
          r.trainSeconds(),
          r.totalSeconds(),
          r.epochs(),
          r.skippedSteps(),
          r.parameterCount(),
          r.device());
    }
  }
}
