package io.selfstream.ingest.produce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.selfstream.config.Config;
import io.selfstream.config.ConfigException;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.junit.jupiter.api.Test;

class IngestSettingsTest {

  private static IngestSettings load(Map<String, String> overrides) {
    return IngestSettings.from(Config.load(IngestSettings.KEYS, null, Map.of(), overrides));
  }

  @Test
  void defaultsAreUnlimitedAndTunedForThroughput() {
    IngestSettings s = IngestSettings.defaults();
    assertThat(s.rate()).isZero();
    assertThat(s.limit()).isZero();
    assertThat(s.compression()).isEqualTo(IngestSettings.Compression.LZ4);
    Properties p = s.producerProperties("localhost:9092");
    assertThat(p)
        .containsEntry(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true")
        .containsEntry(ProducerConfig.ACKS_CONFIG, "all")
        .containsEntry(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4")
        .containsEntry(ProducerConfig.LINGER_MS_CONFIG, "20")
        .containsEntry(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(256 * 1024))
        .containsEntry(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, "localhost:9092");
    // the producer accepts them (idempotence requires acks=all, in-flight <= 5, ...)
    new ProducerConfig(withSerializers(p));
  }

  private static Properties withSerializers(Properties p) {
    Properties q = new Properties();
    q.putAll(p);
    q.put(
        ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG,
        "org.apache.kafka.common.serialization.StringSerializer");
    q.put(
        ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG,
        "org.apache.kafka.common.serialization.ByteArraySerializer");
    return q;
  }

  @Test
  void overridesAreParsed() {
    IngestSettings s =
        load(
            Map.of(
                "ingest.sourceId", "cam-7",
                "ingest.rate", "30",
                "ingest.limit", "1000",
                "ingest.producer.compression", "zstd",
                "ingest.producer.linger", "50ms"));
    assertThat(s.sourceId()).isEqualTo("cam-7");
    assertThat(s.rate()).isEqualTo(30.0);
    assertThat(s.limit()).isEqualTo(1000);
    assertThat(s.linger()).isEqualTo(Duration.ofMillis(50));
    assertThat(s.producerProperties("b:1").getProperty(ProducerConfig.COMPRESSION_TYPE_CONFIG))
        .isEqualTo("zstd");
  }

  @Test
  void badValuesNameTheirKey() {
    assertThatThrownBy(() -> load(Map.of("ingest.rate", "-1")))
        .isInstanceOf(ConfigException.class)
        .extracting(e -> ((ConfigException) e).key())
        .isEqualTo("ingest.rate");
    assertThatThrownBy(() -> load(Map.of("ingest.sourceId", "has space")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("ingest.sourceId");
    assertThatThrownBy(() -> load(Map.of("ingest.producer.compression", "brotli")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("ingest.producer.compression");
    assertThatThrownBy(() -> load(Map.of("ingest.producer.deliveryTimeout", "10s")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("ingest.producer.deliveryTimeout");
    assertThatThrownBy(() -> load(Map.of("ingest.limt", "5")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("did you mean 'ingest.limit'");
  }
}
