package io.selfstream.ops.stack;

import io.selfstream.config.ClientSettings.RegistryApi;
import io.selfstream.ops.stack.JavaRuntimes.JavaRuntime;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Apicurio Registry server in a child JVM, from the official {@code
 * apicurio-registry-app:*:all} distributions that the ops build copies next to the CLI jar.
 *
 * <p>Apicurio 3.x needs Java 21+; when one is installed it runs with its SQL storage on an H2
 * <em>file</em> database in the data dir, so schemas and their ids survive a restart, and serves
 * the v3, v2 and Confluent-compatible ({@code ccompat/v7}) APIs. Without Java 21+ the 2.6 line runs
 * on the current Java 17 with in-memory storage; the stack then re-registers the catalogue's
 * schemas at start-up, always in the same order, and clients use the Confluent API.
 */
public final class RegistryProcess implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(RegistryProcess.class);

  /** Which distribution runs. */
  public enum Flavor {
    /** Apicurio Registry 3.x (Java 21+), persistent H2 file storage, v3 API. */
    V3("3.", 21),
    /** Apicurio Registry 2.6 (Java 17), in-memory storage, Confluent-compatible API. */
    LEGACY("2.6.", 17);

    final String versionPrefix;
    final int minJava;

    Flavor(String versionPrefix, int minJava) {
      this.versionPrefix = versionPrefix;
      this.minJava = minJava;
    }
  }

  private final StackSettings settings;
  private final int port;
  private Process process;
  private Flavor flavor;
  private Path logFile;

  public RegistryProcess(StackSettings settings, int port) {
    this.settings = settings;
    this.port = port;
  }

  /** Starts the child JVM and waits until its REST API answers. */
  public void start() throws IOException, InterruptedException {
    Ports.requireFree(port, "schema registry");
    Optional<JavaRuntime> modern =
        settings.registryChoice() == StackSettings.RegistryChoice.LEGACY
            ? Optional.empty()
            : JavaRuntimes.find(21, settings.registryJavaHome(), System.getenv());
    if (modern.isEmpty() && settings.registryChoice() == StackSettings.RegistryChoice.V3) {
      throw new IOException(
          "stack.registry=v3 needs a Java 21+ runtime: set stack.registryJavaHome or JAVA21_HOME");
    }
    Path distDir = distributionDir();
    JavaRuntime runtime;
    if (modern.isPresent() && findArchive(distDir, Flavor.V3).isPresent()) {
      flavor = Flavor.V3;
      runtime = modern.get();
    } else {
      flavor = Flavor.LEGACY;
      runtime =
          new JavaRuntime(Path.of(System.getProperty("java.home")), Runtime.version().feature());
      if (settings.registryChoice() == StackSettings.RegistryChoice.AUTO)
        log.warn(
            "no Java 21+ runtime found (set stack.registryJavaHome or JAVA21_HOME): running the"
                + " Apicurio Registry 2.6 build on Java {} with in-memory storage and the"
                + " Confluent-compatible API",
            runtime.feature());
    }
    Path archive =
        findArchive(distDir, flavor)
            .orElseThrow(
                () ->
                    new IOException(
                        "no Apicurio Registry "
                            + flavor.versionPrefix
                            + "x distribution in "
                            + distDir
                            + " (build it with `mvn -pl ops -am package`)"));
    Path home = unpack(archive, settings.dataDir().resolve("registry-dist"));
    Files.createDirectories(settings.dataDir().resolve("logs"));
    logFile = settings.dataDir().resolve("logs").resolve("registry.log");

    List<String> command = new ArrayList<>();
    command.add(runtime.javaExecutable().toString());
    command.add("-Xmx" + settings.registryHeap());
    command.add("-XX:+UseSerialGC");
    command.add("-XX:TieredStopAtLevel=1");
    command.add("-Dquarkus.http.host=127.0.0.1");
    command.add("-Dquarkus.http.port=" + port);
    // Apicurio 3 builds its management interface in (port 9000 on all interfaces by default):
    // move it to a free loopback port so two stacks, or another service on 9000, do not collide
    command.add("-Dquarkus.management.host=127.0.0.1");
    command.add("-Dquarkus.management.port=" + Ports.resolve(0));
    command.add("-Dquarkus.log.console.color=false");
    if (flavor == Flavor.V3) {
      Path db = settings.dataDir().resolve("registry").toAbsolutePath();
      Files.createDirectories(db);
      command.add("-Dapicurio.storage.kind=sql");
      command.add("-Dapicurio.storage.sql.kind=h2");
      command.add(
          "-Dapicurio.datasource.url=jdbc:h2:file:"
              + db.resolve("registry")
              + ";DB_CLOSE_ON_EXIT=FALSE");
      command.add("-Dapicurio.datasource.username=sa");
      command.add("-Dapicurio.datasource.password=sa");
      command.add("-jar");
      command.add(home.resolve("quarkus-run.jar").toString());
    } else {
      command.add("-jar");
      command.add(findRunner(home).toString());
    }
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .directory(home.toFile())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
    builder.environment().remove("JAVA_TOOL_OPTIONS");
    Instant started = Instant.now();
    process = builder.start();
    log.info(
        "started Apicurio Registry {} (pid {}, Java {}), log {}",
        archive.getFileName(),
        process.pid(),
        runtime.feature(),
        logFile);
    awaitReady(started);
  }

  private void awaitReady(Instant started) throws IOException, InterruptedException {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    URI probe =
        URI.create(
            baseUrl()
                + (flavor == Flavor.V3
                    ? "/apis/registry/v3/system/info"
                    : "/apis/registry/v2/system/info"));
    Instant deadline = started.plus(settings.startTimeout());
    while (Instant.now().isBefore(deadline)) {
      if (!process.isAlive()) {
        throw new IOException(
            "schema registry exited with code "
                + process.exitValue()
                + "; see "
                + logFile
                + ":\n"
                + tail());
      }
      try {
        HttpResponse<Void> response =
            http.send(
                HttpRequest.newBuilder(probe).timeout(Duration.ofSeconds(2)).build(),
                HttpResponse.BodyHandlers.discarding());
        if (response.statusCode() == 200) {
          log.info(
              "schema registry ready at {} after {} ms",
              baseUrl(),
              Duration.between(started, Instant.now()).toMillis());
          return;
        }
      } catch (IOException e) {
        // not listening yet
      }
      Thread.sleep(200);
    }
    close();
    throw new IOException(
        "schema registry not ready after "
            + settings.startTimeout()
            + "; see "
            + logFile
            + ":\n"
            + tail());
  }

  private String tail() {
    try {
      List<String> lines = Files.readAllLines(logFile);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    } catch (IOException e) {
      return "(no log)";
    }
  }

  public String baseUrl() {
    return "http://127.0.0.1:" + port;
  }

  /** The URL the serdes use, and which API they speak there. */
  public String clientUrl() {
    return flavor == Flavor.V3 ? baseUrl() + "/apis/registry/v3" : baseUrl() + "/apis/ccompat/v7";
  }

  public RegistryApi clientApi() {
    return flavor == Flavor.V3 ? RegistryApi.APICURIO : RegistryApi.CONFLUENT;
  }

  /** The Confluent-compatible endpoint, served by both flavors. */
  public String confluentCompatibleUrl() {
    return baseUrl() + "/apis/ccompat/v7";
  }

  public Flavor flavor() {
    return flavor;
  }

  private Path distributionDir() {
    if (settings.registryDistDir().isPresent()) {
      return settings.registryDistDir().get();
    }
    List<Path> candidates = new ArrayList<>();
    try {
      Path jar =
          Path.of(
              RegistryProcess.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      candidates.add(jar.resolveSibling("registry"));
      candidates.add(jar.getParent().resolveSibling("registry"));
    } catch (Exception e) {
      // running from an unusual class loader: fall back to the build output
    }
    Path cwd = Path.of("").toAbsolutePath();
    for (Path dir = cwd; dir != null; dir = dir.getParent()) {
      candidates.add(dir.resolve("target").resolve("registry"));
      candidates.add(dir.resolve("ops").resolve("target").resolve("registry"));
    }
    return candidates.stream()
        .filter(Files::isDirectory)
        .findFirst()
        .orElse(candidates.isEmpty() ? cwd : candidates.get(0));
  }

  private static Optional<Path> findArchive(Path dir, Flavor flavor) throws IOException {
    if (!Files.isDirectory(dir)) {
      return Optional.empty();
    }
    try (var files = Files.list(dir)) {
      return files
          .filter(
              p -> {
                String name = p.getFileName().toString();
                return name.startsWith("apicurio-registry-app-" + flavor.versionPrefix)
                    && name.endsWith("-all.tar.gz");
              })
          .sorted()
          .reduce((a, b) -> b);
    }
  }

  private static Path findRunner(Path home) throws IOException {
    try (var files = Files.list(home)) {
      return files
          .filter(p -> p.getFileName().toString().endsWith("-runner.jar"))
          .findFirst()
          .orElseThrow(() -> new IOException("no *-runner.jar in " + home));
    }
  }

  /** Unpacks {@code archive} once into {@code root/<name>}; a marker file records completion. */
  static Path unpack(Path archive, Path root) throws IOException {
    String name = archive.getFileName().toString().replace(".tar.gz", "");
    Path target = root.resolve(name);
    Path marker = target.resolve(".unpacked");
    if (Files.exists(marker)) {
      return target;
    }
    Path staging = root.resolve(name + ".partial");
    Dirs.deleteRecursively(staging);
    Files.createDirectories(staging);
    try (InputStream in =
            new GZIPInputStream(new BufferedInputStream(Files.newInputStream(archive), 1 << 16));
        TarArchiveInputStream tar = new TarArchiveInputStream(in)) {
      TarArchiveEntry entry;
      while ((entry = tar.getNextEntry()) != null) {
        Path out = staging.resolve(entry.getName()).normalize();
        if (!out.startsWith(staging)) {
          throw new IOException("archive entry escapes its folder: " + entry.getName());
        }
        if (entry.isDirectory()) {
          Files.createDirectories(out);
        } else {
          Files.createDirectories(out.getParent());
          Files.copy(tar, out, StandardCopyOption.REPLACE_EXISTING);
          if ((entry.getMode() & 0100) != 0) {
            Files.setPosixFilePermissions(
                out,
                Set.of(
                    PosixFilePermission.OWNER_READ,
                    PosixFilePermission.OWNER_WRITE,
                    PosixFilePermission.OWNER_EXECUTE));
          }
        }
      }
    }
    Files.createFile(staging.resolve(".unpacked"));
    Dirs.deleteRecursively(target);
    Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
    return target;
  }

  @Override
  public void close() {
    if (process == null) {
      return;
    }
    process.descendants().forEach(ProcessHandle::destroy);
    process.destroy();
    try {
      if (!process.waitFor(15, java.util.concurrent.TimeUnit.SECONDS)) {
        log.warn("schema registry did not stop in 15 s; killing it");
        process.destroyForcibly().waitFor(5, java.util.concurrent.TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    log.info("schema registry stopped");
    process = null;
  }
}
