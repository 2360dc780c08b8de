package io.selfstream.ops.cli;

import io.selfstream.config.ConfigException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code selfstream} command line. The only place that calls {@link System#exit}. */
@Command(
    name = "selfstream",
    mixinStandardHelpOptions = true,
    scope = picocli.CommandLine.ScopeType.INHERIT,
    version = "selfstream 0.1.0",
    description = "Streaming self-training for video and image feeds (Kafka, Flink, DJL).",
    subcommands = {
      StackCommand.class,
      IngestCommand.class,
      NormalizerCommand.class,
      DemoCommand.class,
      io.selfstream.ops.dashboard.DashboardCommand.class,
      ViewsCommand.class,
      BenchCommand.class,
      SegmentEvalCommand.class,
      ExportCommand.class,
      BootstrapCommand.class,
      SegmentationCommands.Train.class,
      SegmentationCommands.Predict.class,
      SegmentationCommands.Generate.class,
      SegmentCommand.class,
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
          // a clear one-line reason; the stack trace only on request
          commandLine
              .getErr()
              .println("selfstream " + commandLine.getCommandName() + ": " + describe(ex));
          if (Boolean.getBoolean("selfstream.debug")) {
            ex.printStackTrace(commandLine.getErr());
          } else {
            commandLine
                .getErr()
                .println(
                    "(rerun with SELFSTREAM_JAVA_OPTS=-Dselfstream.debug=true for the stack trace)");
          }
          return 1;
        });
    return cli;
  }

  private static String describe(Throwable ex) {
    StringBuilder text = new StringBuilder(String.valueOf(ex.getMessage()));
    for (Throwable cause = ex.getCause(); cause != null && cause != ex; cause = cause.getCause()) {
      if (cause.getMessage() != null && !text.toString().contains(cause.getMessage())) {
        text.append(": ").append(cause.getMessage());
      }
      if (cause.getCause() == cause) {
        break;
      }
    }
    return text.toString();
  }

  public static void main(String[] args) {
    System.setProperty("ai.djl.offline", "true");
    System.exit(commandLine().execute(args));
  }
}
