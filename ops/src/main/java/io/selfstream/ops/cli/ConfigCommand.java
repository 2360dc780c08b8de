package io.selfstream.ops.cli;

import io.selfstream.config.Config;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** Prints the effective configuration with where each value came from. */
@Command(name = "config", description = "Print the effective configuration and every key's doc.")
final class ConfigCommand implements Callable<Integer> {

  @Mixin CommonOptions common;

  @Override
  public Integer call() {
    Config config = common.load();
    config.describe().forEach((k, v) -> System.out.println(k + " = " + v));
    return 0;
  }
}
