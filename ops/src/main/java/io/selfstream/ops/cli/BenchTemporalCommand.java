package io.selfstream.ops.cli;

import io.selfstream.ops.bench.BenchOutput;
import io.selfstream.trainer.temporal.OfflineTemporalAdaptation;
import io.selfstream.trainer.temporal.TemporalConfig;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code selfstream bench temporal}: the frozen seed-trained DTGRM versus the continually
 * self-trained one on the same shifted live feeds, prequential, in one run ({@link
 * OfflineTemporalAdaptation}). Last stdout line: {@code
 * {"bench":"temporal","frozen":{...},"adapted":{...},...}}.
 */
@Command(
    name = "temporal",
    description =
        "Continual temporal self-training: frozen vs adapted DTGRM on shifted live feeds"
            + " (generated), test-then-train clip by clip; acc/edit/F1 of both in one run.")
final class BenchTemporalCommand implements Callable<Integer> {

  @Option(names = "--quick", description = "8 live feeds, a smaller model, 30 seed epochs")
  boolean quick;

  @Option(
      names = "--shift",
      paramLabel = "none|sensor-noise|live",
      description = "domain shift of the live feeds (default live)")
  String shift;

  @Option(names = "--seed-videos", paramLabel = "N", description = "labeled seed videos")
  Integer seedVideos;

  @Option(names = "--live-videos", paramLabel = "N", description = "shifted live feeds")
  Integer liveVideos;

  @Option(names = "--epochs", paramLabel = "N", description = "seed-training epochs")
  Integer epochs;

  @Option(
      names = "--set",
      paramLabel = "temporal.KEY=VALUE",
      description = "override a temporal.* hyperparameter (repeatable)")
  Map<String, String> overrides = new LinkedHashMap<>();

  @Option(
      names = "--cache",
      paramLabel = "DIR",
      description =
          "where the trained seed model is cached (default: <tmp>/selfstream-bench-temporal)")
  Path cache;

  @Option(
      names = "--threads",
      paramLabel = "N",
      description = "PyTorch intra-op threads (default ${DEFAULT-VALUE})",
      defaultValue = "1")
  int threads;

  @Option(names = "--out", paramLabel = "FILE", description = "also write the JSON here")
  Path out;

  @Override
  public Integer call() throws Exception {
    // JVM-wide, read when the engine loads: set before anything touches DJL
    if (System.getProperty("ai.djl.pytorch.num_threads") == null) {
      System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(threads));
    }
    TemporalConfig cfg = TemporalConfig.withOverrides(overrides);
    OfflineTemporalAdaptation.Options o =
        quick
            ? OfflineTemporalAdaptation.Options.quick()
            : OfflineTemporalAdaptation.Options.full();
    if (shift != null) {
      OfflineTemporalAdaptation.shift(shift); // fails early on a bad name
      o = o.withShift(shift);
    }
    o = o.withCounts(seedVideos, liveVideos, epochs);
    Path dir =
        cache != null
            ? cache
            : Path.of(System.getProperty("java.io.tmpdir"), "selfstream-bench-temporal");
    String json = OfflineTemporalAdaptation.run(o, cfg, dir, System.err).toJson();
    BenchOutput.emitRaw(json, out);
    return 0;
  }
}
