package io.selfstream.ops.bench;

import io.selfstream.config.ClientSettings;
import io.selfstream.data.FashionMnist;
import io.selfstream.data.IdxFile;
import io.selfstream.ingest.normalize.NormalizerSettings;
import io.selfstream.ingest.produce.IngestSettings;
import io.selfstream.ingest.source.IdxSource;
import io.selfstream.ops.pipeline.ImageIngestRun;
import io.selfstream.schemas.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Frames/s of the full ingest path (source -> frames.raw -> normalizer -> frames) against a plain
 * {@link KafkaProducer} sending the same pixel bytes to a plain topic on the same broker, with the
 * same producer tuning, measured one after the other in one run after a warm-up of both.
 */
public final class IngestBenchmark {

  /** Topic of the raw-producer baseline; not part of the catalogue. */
  static final String BASELINE_TOPIC = Topics.FRAMES_RAW.name() + ".bench-baseline";

  private final ClientSettings client;
  private final IngestSettings ingest;
  private final NormalizerSettings normalizer;

  public IngestBenchmark(
      ClientSettings client, IngestSettings ingest, NormalizerSettings normalizer) {
    this.client = client;
    this.ingest = ingest;
    this.normalizer = normalizer;
  }

  public Map<String, Object> run(IdxFile images, int frames, int warmup) throws Exception {
    createBaselineTopic();
    // warm-up: JIT, connections, registry lookups, transactions
    rawProducer(images, warmup);
    selfstream(images, warmup, "bench-warmup");

    double rawFps = rawProducer(images, frames);
    ImageIngestRun.Result result = selfstream(images, frames, "bench");
    if (!result.accounted()) {
      throw new IllegalStateException("ingest benchmark lost frames: " + result);
    }
    double selfstreamFps = frames / (result.elapsed().toNanos() / 1e9);
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("bench", "ingest");
    out.put("frames", frames);
    out.put("selfstream_fps", BenchOutput.round(selfstreamFps, 1));
    out.put("raw_producer_fps", BenchOutput.round(rawFps, 1));
    out.put("ratio", BenchOutput.round(selfstreamFps / rawFps, 3));
    out.put(
        "selfstream_produce_only_fps",
        BenchOutput.round(frames / (result.produceElapsed().toNanos() / 1e9), 1));
    return out;
  }

  private ImageIngestRun.Result selfstream(IdxFile images, int frames, String sourceId)
      throws Exception {
    IdxSource source = new IdxSource(images, "fashion-mnist", sourceId, 0, Clock.systemUTC());
    return ImageIngestRun.run(
        client, ingest, normalizer, List.of(source.limit(frames)), p -> {}, Duration.ofMinutes(10));
  }

  private double rawProducer(IdxFile images, int frames) throws Exception {
    Properties props = ingest.producerProperties(client.bootstrap());
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    byte[] key = "bench-raw".getBytes(StandardCharsets.UTF_8);
    long start = System.nanoTime();
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props)) {
      for (int i = 0; i < frames; i++) {
        producer.send(new ProducerRecord<>(BASELINE_TOPIC, key, images.item(i % images.count())));
      }
      producer.flush();
      long elapsed = System.nanoTime() - start;
      return frames / (elapsed / 1e9);
    }
  }

  private void createBaselineTopic() throws Exception {
    try (Admin admin =
        Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, client.bootstrap()))) {
      if (!admin.listTopics().names().get(30, TimeUnit.SECONDS).contains(BASELINE_TOPIC)) {
        admin
            .createTopics(
                List.of(new NewTopic(BASELINE_TOPIC, Topics.FRAMES_RAW.partitions(), (short) 1)))
            .all()
            .get(30, TimeUnit.SECONDS);
      }
    }
  }

  /** The Fashion-MNIST split the benchmark sends. */
  public static IdxFile images(boolean quick) throws java.io.IOException {
    return FashionMnist.load(quick ? FashionMnist.Split.TEST : FashionMnist.Split.TRAIN).images();
  }
}
