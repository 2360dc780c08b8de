package io.selfstream.ops.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.selfstream.data.FashionMnist;
import io.selfstream.ingest.corrupt.CorruptedStream;
import io.selfstream.ingest.corrupt.Corruption;
import io.selfstream.ops.pipeline.SourceEncoder;
import io.selfstream.ops.stack.EmbeddedStack;
import io.selfstream.ops.stack.StackSettings;
import io.selfstream.trainer.adapt.AdaptationMethod;
import io.selfstream.trainer.encoder.BootstrapConfig;
import io.selfstream.trainer.encoder.BootstrapListener;
import io.selfstream.trainer.encoder.EncoderConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A short demo on the embedded stack through the whole live pipeline: versions advance, every
 * consumer applies the last one, the evaluator scores every frame with adapted versions, nothing is
 * lost. It does not assert that the online error fell: with the source model a CI build can afford
 * (one epoch, cached under target/it-models and shared with {@code DashboardIT}) and a one-minute
 * stream, the difference is within noise (measured: 0.433 vs 0.429). Learning is shown by {@code
 * selfstream bench adaptation}.
 */
class DemoRunIT {

  @TempDir Path work;

  @Test
  void theLivePipelineAdaptsAndLosesNothing() throws Exception {
    assumeTrue(
        Files.isRegularFile(FashionMnist.DEBIAN_DIR.resolve("t10k-images-idx3-ubyte.gz")),
        "Fashion-MNIST not installed (scripts/setup.sh installs dataset-fashion-mnist)");
    // one short bootstrap per build, shared by reruns of this test in the same target dir
    SourceEncoder source =
        SourceEncoder.loadOrTrain(
            Paths.get("target", "it-models"),
            EncoderConfig.DEFAULT,
            BootstrapConfig.DEFAULT.withEpochs(1),
            false,
            BootstrapListener.NONE);
    // one trainer (the full objective) so it has the cores to itself; a version every 2 steps so
    // the evaluator sees the adaptation within 19 steps
    DemoRun.Options quick = DemoRun.Options.of(true);
    DemoRun.Options options =
        new DemoRun.Options(
            Duration.ofMinutes(5),
            CorruptedStream.Config.defaults()
                .withSeverity(5)
                .withOrder(List.of(Corruption.SNOW, Corruption.FROST, Corruption.BRIGHTNESS))
                .withLimitPerDomain(400),
            100,
            List.of(AdaptationMethod.SELFSTREAM),
            quick.adapt(),
            2,
            10,
            quick.maxScoreWait(),
            quick.statusEvery(),
            quick.drainTimeout());
    try (EmbeddedStack stack = EmbeddedStack.start(StackSettings.forTests(work.resolve("stack")))) {
      DemoRun.Summary summary =
          new DemoRun(
                  stack.clientSettings(),
                  work,
                  source,
                  options,
                  new SimpleMeterRegistry(),
                  System.out)
              .run();
      Map<String, Object> json = summary.json();
      assertThat(summary.nothingLost()).as("nothing lost: %s", json).isTrue();
      assertThat(summary.applied()).as("last versions applied: %s", json).isTrue();
      assertThat(json.get("frames_sent")).isEqualTo(1207L); // 1200 images + 7 broken files
      assertThat(json.get("dead_letters")).isEqualTo(7L);
      @SuppressWarnings("unchecked")
      Map<String, Map<String, Object>> trainers =
          (Map<String, Map<String, Object>>) json.get("trainers");
      assertThat(trainers).containsOnlyKeys("selfstream");
      trainers.forEach(
          (m, t) -> assertThat((Long) t.get("version")).as("versions of %s", m).isGreaterThan(1));
      @SuppressWarnings("unchecked")
      Map<String, Map<String, Object>> methods =
          (Map<String, Map<String, Object>>) json.get("methods");
      assertThat(methods).containsOnlyKeys("source", "selfstream");
      assertThat(methods.get("selfstream").get("frames_scored")).isEqualTo(1200L);
      assertThat((Long) methods.get("selfstream").get("last_version_used"))
          .as("the evaluator scored with adapted versions")
          .isGreaterThan(1L);
      assertThat(methods.get("source").get("last_version_used")).isEqualTo(1L);
    }
  }
}
