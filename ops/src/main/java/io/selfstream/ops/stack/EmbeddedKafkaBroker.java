package io.selfstream.ops.stack;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A single-node Kafka broker in KRaft combined mode (broker + controller in one process), started
 * the way {@code kafka-storage.sh format} and {@code kafka-server-start.sh} do: the log dir is
 * formatted once with a persistent cluster id, then {@link KafkaRaftServer} runs on it. Restarting
 * on the same directory keeps all topics and records.
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(EmbeddedKafkaBroker.class);
  private static final int NODE_ID = 1;

  private final Path logDir;
  private final int port;
  private final int controllerPort;
  private KafkaRaftServer server;

  public EmbeddedKafkaBroker(Path logDir, int port, int controllerPort) {
    this.logDir = logDir;
    this.port = port;
    this.controllerPort = controllerPort;
  }

  /** Formats the storage on first use and starts the broker; returns once it serves requests. */
  public void start() throws Exception {
    Ports.requireFree(port, "Kafka broker");
    Ports.requireFree(controllerPort, "Kafka controller");
    Files.createDirectories(logDir);
    Properties props = brokerProperties();
    formatIfNeeded();
    KafkaConfig config = KafkaConfig.fromProps(props, false);
    server = new KafkaRaftServer(config, Time.SYSTEM);
    server.startup();
    log.info("Kafka broker listening on {}", bootstrap());
  }

  public String bootstrap() {
    return "127.0.0.1:" + port;
  }

  private Properties brokerProperties() {
    Properties p = new Properties();
    p.put("process.roles", "broker,controller");
    p.put("node.id", Integer.toString(NODE_ID));
    p.put("controller.quorum.voters", NODE_ID + "@127.0.0.1:" + controllerPort);
    p.put(
        "listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
    p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
    p.put("controller.listener.names", "CONTROLLER");
    p.put("inter.broker.listener.name", "PLAINTEXT");
    p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
    p.put("log.dirs", logDir.toAbsolutePath().toString());
    // single node: every internal topic must accept one replica, or consumers and
    // transactional producers (Kafka Streams EOS, Flink exactly-once) stall
    p.put("offsets.topic.replication.factor", "1");
    p.put("offsets.topic.num.partitions", "8");
    p.put("transaction.state.log.replication.factor", "1");
    p.put("transaction.state.log.min.isr", "1");
    p.put("transaction.state.log.num.partitions", "8");
    p.put("share.coordinator.state.topic.replication.factor", "1");
    p.put("share.coordinator.state.topic.min.isr", "1");
    p.put("default.replication.factor", "1");
    p.put("min.insync.replicas", "1");
    p.put("num.partitions", "1");
    p.put("group.initial.rebalance.delay.ms", "0");
    p.put("auto.create.topics.enable", "false");
    p.put("num.network.threads", "2");
    p.put("num.io.threads", "4");
    p.put("log.flush.interval.ms", "1000");
    return p;
  }

  private void formatIfNeeded() throws Exception {
    if (Files.exists(logDir.resolve("meta.properties"))) {
      log.info("Kafka log dir {} already formatted", logDir);
      return;
    }
    String clusterId = Uuid.randomUuid().toString();
    try (PrintStream out = new PrintStream(java.io.OutputStream.nullOutputStream())) {
      new Formatter()
          .setPrintStream(out)
          .setNodeId(NODE_ID)
          .setClusterId(clusterId)
          .setDirectories(List.of(logDir.toAbsolutePath().toString()))
          .setMetadataLogDirectory(logDir.toAbsolutePath().toString())
          .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
          .setControllerListenerName("CONTROLLER")
          .setIgnoreFormatted(true)
          .run();
    }
    log.info("formatted Kafka log dir {} (cluster {})", logDir, clusterId);
  }

  @Override
  public void close() {
    if (server != null) {
      server.shutdown();
      server.awaitShutdown();
      server = null;
      log.info("Kafka broker stopped");
    }
  }

  /** Whether {@link #start} succeeded and {@link #close} was not called yet. */
  public boolean running() {
    return server != null;
  }
}
