package io.selfstream.ops.pipeline;

import io.selfstream.data.FashionMnist;
import io.selfstream.schemas.model.ModelParameters;
import io.selfstream.trainer.encoder.BootstrapConfig;
import io.selfstream.trainer.encoder.BootstrapListener;
import io.selfstream.trainer.encoder.EncoderBootstrap;
import io.selfstream.trainer.encoder.EncoderConfig;
import io.selfstream.trainer.encoder.EncoderFile;
import io.selfstream.trainer.encoder.ParameterSnapshot;
import io.selfstream.trainer.views.EncoderUpdates;
import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/**
 * The supervised source encoder (version 1 of {@code encoder}), cached under {@code
 * <dataDir>/models} so the bootstrap command, the demo and the benchmarks train it once per
 * machine.
 *
 * @param file the cached weights
 * @param config its architecture
 * @param parameters its weights
 * @param testAccuracy clean Fashion-MNIST test accuracy measured after training (0..1)
 * @param epochs epochs it was trained for
 * @param reused whether it came from the cache
 */
public record SourceEncoder(
    Path file,
    EncoderConfig config,
    ParameterSnapshot parameters,
    double testAccuracy,
    int epochs,
    boolean reused) {

  public static Path modelFile(Path dataDir) {
    return dataDir.resolve("models").resolve("encoder-v1.bin");
  }

  private static Path resultFile(Path dataDir) {
    return dataDir.resolve("models").resolve("encoder-v1.properties");
  }

  /**
   * The cached source encoder, or a freshly trained one (then cached) when there is none, when
   * {@code force} is set, when the cache holds another architecture than {@code config}, or when it
   * was trained for fewer epochs than {@code bootstrap} asks (a quick run's model is not reused by
   * a full one).
   */
  public static SourceEncoder loadOrTrain(
      Path dataDir,
      EncoderConfig config,
      BootstrapConfig bootstrap,
      boolean force,
      BootstrapListener listener)
      throws IOException {
    Path modelFile = modelFile(dataDir);
    Path resultFile = resultFile(dataDir);
    if (!force && Files.isRegularFile(modelFile) && Files.isRegularFile(resultFile)) {
      EncoderFile.Contents cached = EncoderFile.read(modelFile);
      Properties p = new Properties();
      try (Reader in = Files.newBufferedReader(resultFile)) {
        p.load(in);
      }
      int cachedEpochs = Integer.parseInt(p.getProperty("epochs", "0"));
      if (cached.config().equals(config) && cachedEpochs >= bootstrap.epochs()) {
        return new SourceEncoder(
            modelFile,
            cached.config(),
            cached.parameters(),
            Double.parseDouble(p.getProperty("test_accuracy")),
            cachedEpochs,
            true);
      }
    }
    try (EncoderBootstrap.Trained trained =
        EncoderBootstrap.bootstrapFashionMnist(
            config, bootstrap, FashionMnist.DEBIAN_DIR, listener)) {
      ParameterSnapshot parameters = trained.encoder().exportParameters();
      Files.createDirectories(modelFile.getParent());
      EncoderFile.write(modelFile, trained.encoder().config(), parameters);
      Properties result = new Properties();
      result.setProperty("test_accuracy", Double.toString(trained.result().testAccuracy()));
      result.setProperty("epochs", Integer.toString(trained.result().epochs()));
      result.setProperty("samples_per_s", Double.toString(trained.result().samplesPerSecond()));
      try (Writer out = Files.newBufferedWriter(resultFile)) {
        result.store(out, "selfstream bootstrap encoder");
      }
      return new SourceEncoder(
          modelFile,
          trained.encoder().config(),
          parameters,
          trained.result().testAccuracy(),
          trained.result().epochs(),
          false);
    }
  }

  /** The weights in the model-update codec's form. */
  public ModelParameters modelParameters() {
    return EncoderUpdates.toModelParameters(parameters);
  }
}
