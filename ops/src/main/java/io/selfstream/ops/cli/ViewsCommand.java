package io.selfstream.ops.cli;

import io.selfstream.config.Config;
import io.selfstream.config.ConfigException;
import io.selfstream.ops.metrics.ModelConsumerMeters;
import io.selfstream.ops.metrics.ServiceMetrics;
import io.selfstream.ops.stack.StackSettings;
import io.selfstream.ops.views.LocalViewsJob;
import io.selfstream.schemas.model.SigningKeys;
import io.selfstream.schemas.model.UpdateRejected;
import io.selfstream.trainer.views.TeacherApplyLog;
import io.selfstream.trainer.views.ViewsJobSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.flink.api.common.JobStatus;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code selfstream views}: the Flink views job in a local MiniCluster against the configured (or
 * running embedded) stack, until Ctrl-C. The metrics endpoint shows the JVM and the teacher as a
 * model consumer ({@link ModelConsumerMeters}, consumer {@code views}), read from the job's
 * accumulators at each status line; the job's own operator metrics are Flink metrics (a Flink
 * Prometheus reporter on a real cluster), not registered here.
 */
@Command(
    name = "views",
    description =
        "Run the Flink views job (frames + model-updates -> views, features, frames.dlq) in a"
            + " local MiniCluster until Ctrl-C.")
final class ViewsCommand implements Callable<Integer> {

  /** Where the dev signing key lives under the data dir (SigningKeys.loadOrCreate). */
  static final String KEYS_DIR = "keys";

  @Mixin CommonOptions common;

  @Option(
      names = "--status-every",
      paramLabel = "DURATION",
      description = "print a status line this often (default ${DEFAULT-VALUE})",
      defaultValue = "10s")
  String statusEvery;

  @Override
  public Integer call() throws Exception {
    Config config = common.load();
    ViewsJobSettings settings = resolve(ViewsJobSettings.from(config), config);
    Duration every = parseDuration(statusEvery);
    CountDownLatch stop = new CountDownLatch(1);
    CountDownLatch cancelled = new CountDownLatch(1);
    // Ctrl-C: let the main thread cancel the job (aborting its open transactions) before the JVM
    // exits, bounded
    Thread hook =
        new Thread(
            () -> {
              stop.countDown();
              try {
                cancelled.await(90, TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "views-stop");
    Runtime.getRuntime().addShutdownHook(hook);
    JobStatus status = JobStatus.RUNNING;
    // the teacher meters read the last progress the status loop fetched: a scrape never waits on
    // the job's accumulators
    AtomicReference<LocalViewsJob.Progress> last = new AtomicReference<>();
    int parallelism = settings.parallelism();
    List<String> reasons = new ArrayList<>();
    for (UpdateRejected.Reason r : UpdateRejected.Reason.values()) {
      reasons.add(r.name().toLowerCase(Locale.ROOT));
    }
    reasons.add("layout");
    try (ServiceMetrics metrics = ServiceMetrics.start(config);
        ModelConsumerMeters teacher =
            new ModelConsumerMeters(
                metrics.registry(),
                settings.model(),
                "views",
                () -> {
                  LocalViewsJob.Progress p = last.get();
                  return p == null ? 0 : p.teacher().newestHeldEverywhere(parallelism);
                },
                () -> {
                  LocalViewsJob.Progress p = last.get();
                  return p == null ? Map.of() : rejectionsByReason(p.teacher());
                },
                reasons);
        LocalViewsJob job = LocalViewsJob.start(settings)) {
      System.out.printf(
          "views job %s running against %s (parallelism %d, checkpoints every %s in %s%s), %s;"
              + " Ctrl-C stops it%n",
          job.client().getJobID(),
          settings.client().bootstrap(),
          settings.parallelism(),
          settings.checkpointInterval(),
          settings.checkpointDir().map(Path::toString).orElse("memory"),
          settings.hasVideoSources()
              ? ", video sources /"
                  + settings.videoSources()
                  + "/ -> fixed features, grid "
                  + settings.videoFeatureGrid()
              : "",
          metrics.describe());
      while (!stop.await(every.toMillis(), TimeUnit.MILLISECONDS)) {
        LocalViewsJob.Progress p = job.progress();
        last.set(p);
        status = p.status();
        System.out.printf(
            "views: %s, %d views, %d features,%s %d dead letters, teacher %s%n",
            status,
            p.views(),
            p.features(),
            settings.hasVideoSources() ? " " + p.videoFeatures() + " video features," : "",
            p.deadLetters(),
            describe(p.teacher()));
        if (status.isGloballyTerminalState()) {
          break;
        }
      }
      System.out.println("views: stopping");
    } finally {
      cancelled.countDown();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // the JVM is exiting; the hook is what woke us up
      }
    }
    return status == JobStatus.FAILED ? 1 : 0;
  }

  /** Fills in the data-dir defaults: the dev public key and the checkpoint directory. */
  static ViewsJobSettings resolve(ViewsJobSettings settings, Config config) {
    Path dataDir = config.get(StackSettings.DATA_DIR);
    if (settings.trustedKeyFiles().isEmpty()) {
      Path key = dataDir.resolve(KEYS_DIR).resolve(SigningKeys.PUBLIC_KEY_FILE);
      if (!Files.isRegularFile(key)) {
        throw new ConfigException(
            ViewsJobSettings.TRUSTED_KEYS.name(),
            "not set and "
                + key
                + " does not exist: publish an encoder first (selfstream bootstrap encoder) or"
                + " name the trainer's public key file");
      }
      settings = settings.withTrustedKeyFiles(List.of(key));
    }
    if (settings.checkpointDir().isEmpty()) {
      settings = settings.withCheckpointDir(dataDir.resolve("flink").resolve("checkpoints"));
    }
    return settings;
  }

  /** Rejections of every version and instance, summed by lower-case reason. */
  static Map<String, Long> rejectionsByReason(TeacherApplyLog.Snapshot t) {
    Map<String, Long> out = new LinkedHashMap<>();
    t.rejected()
        .values()
        .forEach(m -> m.forEach((r, n) -> out.merge(r.toLowerCase(Locale.ROOT), n, Long::sum)));
    return out;
  }

  private static String describe(TeacherApplyLog.Snapshot t) {
    if (t.applied().isEmpty() && t.restored().isEmpty()) {
      return "none yet";
    }
    StringBuilder sb = new StringBuilder();
    Map<Long, Map<Integer, Long>> held = new java.util.TreeMap<>(t.restored());
    t.applied().forEach((v, m) -> held.merge(v, m, (a, b) -> a));
    long newest = ((java.util.TreeMap<Long, Map<Integer, Long>>) held).lastKey();
    sb.append('v')
        .append(newest)
        .append(" on ")
        .append(held.get(newest).size())
        .append(" instance(s)");
    long rejected =
        t.rejected().values().stream()
            .flatMap(m -> m.entrySet().stream())
            .filter(e -> !e.getKey().equals("REPLAYED"))
            .mapToLong(Map.Entry::getValue)
            .sum();
    if (rejected > 0) {
      sb.append(", ").append(rejected).append(" update rejection(s)");
    }
    return sb.toString();
  }

  private static Duration parseDuration(String text) {
    return io.selfstream.config.ConfigKey.duration("views.statusEvery", text, "")
        .parser()
        .apply(text);
  }
}
