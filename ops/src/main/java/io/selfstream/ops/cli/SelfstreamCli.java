package io.selfstream.ops.cli;

import io.selfstream.config.ConfigException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code selfstream} command line. The only place that calls {@link System#exit}. */
@Command(
    name = "selfstream",
    mixinStandardHelpOptions = true,
    version = "selfstream 0.1.0",
    description = "Streaming self-training for video and image feeds (Kafka, Flink, DJL).",
    subcommands = {
      StackCommand.class,
      IngestCommand.class,
      NormalizerCommand.class,
      DemoCommand.class,
      BenchCommand.class,
      ConfigCommand.class,
      CommandLine.HelpCommand.class
    })
public final class SelfstreamCli implements Runnable {

  @Override
  public void run() {
    new CommandLine(this).usage(System.out);
  }

  /** Builds the command line with selfstream's error handling. */
  public static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new SelfstreamCli());
    cli.setExecutionExceptionHandler(
        (ex, commandLine, parseResult) -> {
          if (ex instanceof ConfigException) {
            commandLine.getErr().println("selfstream: bad configuration: " + ex.getMessage());
            return 2;
          }
          throw ex;
        });
    return cli;
  }

  public static void main(String[] args) {
    System.setProperty("ai.djl.offline", "true");
    System.exit(commandLine().execute(args));
  }
}
