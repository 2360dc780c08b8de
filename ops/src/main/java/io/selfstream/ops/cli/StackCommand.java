package io.selfstream.ops.cli;

import io.selfstream.config.Config;
import io.selfstream.ops.stack.EmbeddedStack;
import io.selfstream.ops.stack.StackSettings;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code selfstream stack up}: the embedded Kafka broker and schema registry. */
@Command(
    name = "stack",
    description = "Embedded single-node stack (KRaft Kafka broker + Apicurio Registry).",
    subcommands = {StackCommand.Up.class})
final class StackCommand implements Runnable {

  @Override
  public void run() {
    new picocli.CommandLine(this).usage(System.out);
  }

  @Command(name = "up", description = "Start the stack and keep it running until Ctrl-C.")
  static final class Up implements Callable<Integer> {

    @Mixin CommonOptions common;

    @Override
    public Integer call() throws Exception {
      Config config = common.load();
      StackSettings settings = StackSettings.from(config);
      EmbeddedStack stack = EmbeddedStack.start(settings);
      CountDownLatch stopped = new CountDownLatch(1);
      Thread hook =
          new Thread(
              () -> {
                System.out.println("stopping the embedded stack ...");
                stack.close();
                stopped.countDown();
              },
              "selfstream-stack-shutdown");
      Runtime.getRuntime().addShutdownHook(hook);
      System.out.printf(
          "selfstream stack ready in %.1f s%n  kafka bootstrap : %s%n  schema registry : %s"
              + " (%s API; Confluent-compatible at %s)%n  data dir        : %s%n"
              + "Press Ctrl-C to stop.%n",
          stack.startupTime().toMillis() / 1000.0,
          stack.bootstrap(),
          stack.registry().clientUrl(),
          stack.registry().clientApi().name().toLowerCase(),
          stack.registry().confluentCompatibleUrl(),
          settings.dataDir());
      stopped.await();
      return 0;
    }
  }
}
