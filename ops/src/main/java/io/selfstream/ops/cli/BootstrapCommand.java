package io.selfstream.ops.cli;

import io.selfstream.config.ClientSettings;
import io.selfstream.config.Config;
import io.selfstream.ops.pipeline.SourceEncoder;
import io.selfstream.ops.stack.StackSettings;
import io.selfstream.schemas.model.ModelParameters;
import io.selfstream.schemas.model.ModelUpdatePublisher;
import io.selfstream.schemas.model.SigningKeys;
import io.selfstream.schemas.model.UpdateEncoder;
import io.selfstream.trainer.encoder.BootstrapConfig;
import io.selfstream.trainer.encoder.BootstrapListener;
import io.selfstream.trainer.encoder.EncoderConfig;
import io.selfstream.trainer.views.EncoderUpdates;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code selfstream bootstrap encoder}: the supervised source model, published as version 1. */
@Command(
    name = "bootstrap",
    description = "Train source models on labeled data.",
    subcommands = {BootstrapCommand.EncoderCommand.class})
final class BootstrapCommand implements Runnable {

  @Override
  public void run() {
    new picocli.CommandLine(this).usage(System.out);
  }

  @Command(
      name = "encoder",
      description =
          "Train the compact ViT on the clean Fashion-MNIST train split, report clean test"
              + " accuracy, cache it under <dataDir>/models and publish it as version 1 of model"
              + " `encoder` (signed) to model-updates.")
  static final class EncoderCommand implements Callable<Integer> {

    @Mixin CommonOptions common;

    @Option(names = "--epochs", paramLabel = "N", description = "training epochs")
    Integer epochs;

    @Option(names = "--force", description = "retrain even when a cached model exists")
    boolean force;

    @Option(names = "--no-publish", description = "train and cache only")
    boolean noPublish;

    @Override
    public Integer call() throws Exception {
      Config config = common.load();
      Path dataDir = StackSettings.from(config).dataDir();
      BootstrapConfig bootstrap =
          epochs == null ? BootstrapConfig.DEFAULT : BootstrapConfig.DEFAULT.withEpochs(epochs);
      ProgressBar[] bar = new ProgressBar[1];
      SourceEncoder source =
          SourceEncoder.loadOrTrain(
              dataDir,
              EncoderConfig.DEFAULT,
              bootstrap,
              force,
              new BootstrapListener() {
                @Override
                public void onStart(
                    int totalEpochs, int stepsPerEpoch, int trainSize, int testSize, long p) {
                  bar[0] = new ProgressBar("bootstrap encoder", (long) totalEpochs * stepsPerEpoch);
                }

                @Override
                public void onStep(StepProgress progress) {
                  bar[0].update(
                      progress.globalStep(),
                      String.format("epoch %d loss %.3f", progress.epoch(), progress.loss()));
                }

                @Override
                public void onSkippedStep(int epoch, long globalStep, String reason) {
                  System.err.println("skipped step " + globalStep + ": " + reason);
                }
              });
      if (bar[0] != null) {
        bar[0].close();
      }
      if (source.reused()) {
        System.out.println(
            "reusing cached source encoder " + source.file() + " (--force retrains)");
      }
      double accuracy = source.testAccuracy();
      System.out.printf(
          "source encoder: clean Fashion-MNIST test accuracy %.2f%% (%d epochs)%n",
          accuracy * 100, source.epochs());
      if (noPublish) {
        return 0;
      }
      ModelParameters parameters = source.modelParameters();
      ClientSettings client = ClientSettings.from(config);
      try (ModelUpdatePublisher publisher =
          ModelUpdatePublisher.create(
              client,
              new UpdateEncoder(SigningKeys.loadOrCreate(dataDir.resolve(ViewsCommand.KEYS_DIR))),
              "selfstream-bootstrap-" + EncoderUpdates.MODEL)) {
        var published =
            publisher.publishFull(
                EncoderUpdates.MODEL, 1, 0, parameters, Map.of("test_accuracy", accuracy));
        System.out.println("published " + published);
      }
      return 0;
    }
  }
}
