package io.selfstream.ops.dashboard;

import io.selfstream.config.Config;
import io.selfstream.ops.cli.CommonOptions;
import io.selfstream.ops.metrics.MetricsServer;
import io.selfstream.ops.metrics.MetricsSettings;
import io.selfstream.ops.stack.StackSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code selfstream dashboard}: the demo's dashboard in a process of its own, serving the state a
 * running (or finished) demo writes to {@code <dataDir>/demo/dashboard.json} at every status tick.
 * The demo itself serves the same page on its metrics port.
 */
@Command(
    name = "dashboard",
    description = "Serve the demo's live dashboard (reads <dataDir>/demo/dashboard.json).")
public final class DashboardCommand implements Callable<Integer> {

  @Mixin CommonOptions common;

  @Option(names = "--port", paramLabel = "N", description = "HTTP port (default ${DEFAULT-VALUE})")
  int port = 9405;

  @Option(
      names = "--host",
      paramLabel = "HOST",
      description = "interface to bind (default ${DEFAULT-VALUE})")
  String host = "127.0.0.1";

  @Option(
      names = "--state",
      paramLabel = "FILE",
      description = "state file (default <dataDir>/demo/dashboard.json)")
  Path state;

  @Override
  public Integer call() throws Exception {
    Config config = common.load();
    Path file =
        state != null
            ? state
            : StackSettings.from(config)
                .dataDir()
                .resolve("demo")
                .resolve(DashboardState.FILE_NAME);
    CountDownLatch stop = new CountDownLatch(1);
    try (MetricsServer server = MetricsServer.start(new MetricsSettings(host, port))) {
      DashboardServer.mount(server, () -> read(file));
      Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown, "dashboard-shutdown"));
      System.out.println("dashboard: " + server.baseUrl() + "/ (state from " + file + ")");
      if (!Files.exists(file)) {
        System.out.println("no state yet: start `selfstream demo` (it writes " + file + ")");
      }
      stop.await();
    }
    return 0;
  }

  private static String read(Path file) {
    try {
      return Files.isRegularFile(file) ? Files.readString(file) : null;
    } catch (IOException e) {
      return null;
    }
  }
}
