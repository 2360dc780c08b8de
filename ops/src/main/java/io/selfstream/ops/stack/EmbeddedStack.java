package io.selfstream.ops.stack;

import io.selfstream.config.ClientSettings;
import io.selfstream.schemas.TopicSpec;
import io.selfstream.schemas.Topics;
import java.io.IOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole embedded stack: a KRaft broker in this JVM, an Apicurio Registry child JVM, the
 * catalogue's topics and schemas. Closing it stops both and leaves the data dir for the next start.
 *
 * <p>While it runs, {@code <dataDir>/stack.properties} tells other selfstream commands where it is.
 */
public final class EmbeddedStack implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(EmbeddedStack.class);
  public static final String STATE_FILE = "stack.properties";

  private final StackSettings settings;
  private final EmbeddedKafkaBroker broker;
  private final RegistryProcess registry;
  private Duration startupTime = Duration.ZERO;
  private Map<String, Integer> schemaIds = Map.of();

  private EmbeddedStack(StackSettings settings) {
    this.settings = settings;
    this.broker =
        new EmbeddedKafkaBroker(
            settings.dataDir().resolve("kafka"),
            Ports.resolve(settings.kafkaPort()),
            Ports.resolve(settings.controllerPort()));
    this.registry = new RegistryProcess(settings, Ports.resolve(settings.registryPort()));
  }

  /** Starts broker and registry in parallel, then creates topics and registers schemas. */
  public static EmbeddedStack start(StackSettings settings) throws Exception {
    Files.createDirectories(settings.dataDir());
    EmbeddedStack stack = new EmbeddedStack(settings);
    long t0 = System.nanoTime();
    try {
      CompletableFuture<Void> registryStarted =
          CompletableFuture.runAsync(
              () -> {
                try {
                  stack.registry.start();
                } catch (Exception e) {
                  throw new java.util.concurrent.CompletionException(e);
                }
              });
      stack.broker.start();
      try {
        registryStarted.get(settings.startTimeout().toMillis() + 5_000, TimeUnit.MILLISECONDS);
      } catch (ExecutionException e) {
        throw e.getCause() instanceof Exception ex ? ex : e;
      }
      stack.createTopics(Topics.ALL);
      stack.schemaIds =
          new SchemaRegistrar(stack.registry.confluentCompatibleUrl()).registerAll(Topics.ALL);
      stack.startupTime = Duration.ofNanos(System.nanoTime() - t0);
      stack.writeStateFile();
      log.info("embedded stack ready in {} ms", stack.startupTime.toMillis());
      return stack;
    } catch (Exception e) {
      stack.close();
      throw e;
    }
  }

  private void createTopics(List<TopicSpec<?>> topics) throws Exception {
    try (Admin admin = Admin.create(adminProps())) {
      Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
      List<NewTopic> missing = new ArrayList<>();
      for (TopicSpec<?> topic : topics) {
        if (!existing.contains(topic.name())) {
          missing.add(
              new NewTopic(topic.name(), topic.partitions(), (short) 1)
                  .configs(topic.topicConfigs()));
        }
      }
      if (!missing.isEmpty()) {
        admin.createTopics(missing).all().get(30, TimeUnit.SECONDS);
        log.info("created topics {}", missing.stream().map(NewTopic::name).toList());
      }
    }
  }

  private Map<String, Object> adminProps() {
    return Map.of(
        AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap(),
        AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 15_000,
        AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000);
  }

  private void writeStateFile() throws IOException {
    Properties p = new Properties();
    p.setProperty(ClientSettings.BOOTSTRAP.name(), bootstrap());
    p.setProperty(ClientSettings.REGISTRY_URL.name(), registry.clientUrl());
    p.setProperty(ClientSettings.REGISTRY_API.name(), registry.clientApi().name().toLowerCase());
    p.setProperty("pid", Long.toString(ProcessHandle.current().pid()));
    Path tmp = settings.dataDir().resolve(STATE_FILE + ".tmp");
    try (Writer w = Files.newBufferedWriter(tmp)) {
      p.store(w, "running selfstream embedded stack");
    }
    Files.move(
        tmp,
        settings.dataDir().resolve(STATE_FILE),
        StandardCopyOption.ATOMIC_MOVE,
        StandardCopyOption.REPLACE_EXISTING);
  }

  /**
   * The client settings of a stack running from {@code dataDir} (in this or another process), if
   * its state file exists and its process is alive.
   */
  public static Optional<Map<String, String>> runningStack(Path dataDir) {
    Path file = dataDir.resolve(STATE_FILE);
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    Properties p = new Properties();
    try (var r = Files.newBufferedReader(file)) {
      p.load(r);
    } catch (IOException e) {
      return Optional.empty();
    }
    long pid = Long.parseLong(p.getProperty("pid", "-1"));
    if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
      p.remove("pid");
      Map<String, String> values = new java.util.TreeMap<>();
      p.forEach((k, v) -> values.put(k.toString(), v.toString()));
      return Optional.of(values);
    }
    return Optional.empty();
  }

  /** Settings for clients of this stack. */
  public ClientSettings clientSettings() {
    return new ClientSettings(bootstrap(), registry.clientUrl(), registry.clientApi(), true);
  }

  public String bootstrap() {
    return broker.bootstrap();
  }

  public RegistryProcess registry() {
    return registry;
  }

  public Duration startupTime() {
    return startupTime;
  }

  /** Subject -> id of the catalogue schemas registered at start-up. */
  public Map<String, Integer> schemaIds() {
    return schemaIds;
  }

  public StackSettings settings() {
    return settings;
  }

  @Override
  public synchronized void close() {
    try {
      Files.deleteIfExists(settings.dataDir().resolve(STATE_FILE));
    } catch (IOException e) {
      log.warn("could not remove {}: {}", STATE_FILE, e.toString());
    }
    try {
      broker.close();
    } finally {
      registry.close();
    }
  }
}
