package io.selfstream.ops.cli;

import io.selfstream.ingest.corrupt.CorruptedExport;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code selfstream export ...}: write what selfstream streams as files other tools read. */
@Command(
    name = "export",
    description = "Write a stream as files.",
    subcommands = {ExportCommand.Corrupted.class})
final class ExportCommand implements Runnable {

  @Override
  public void run() {
    new picocli.CommandLine(this).usage(System.out);
  }

  @Command(
      name = "corrupted",
      description =
          "The drifting feed exactly as `ingest corrupted` streams it (same order and seed), as"
              + " IDX image and label files plus a domains CSV.")
  static final class Corrupted implements Callable<Integer> {

    @ArgGroup(exclusive = false, heading = "Feed%n")
    IngestCommand.CorruptionOptions feed = new IngestCommand.CorruptionOptions();

    @Option(names = "--out", required = true, paramLabel = "DIR")
    Path out;

    @Override
    public Integer call() throws Exception {
      CorruptedExport.Result result;
      try (ProgressBar bar = new ProgressBar("export", -1)) {
        result = CorruptedExport.write(feed.toConfig(), out, bar::update);
      }
      System.out.printf(
          "wrote %d images: %s, %s, %s%n",
          result.count(), result.images(), result.labels(), result.domains());
      return 0;
    }
  }
}
