package io.selfstream.ops.bench;

import ai.djl.Device;
import io.selfstream.config.ClientSettings;
import io.selfstream.config.Config;
import io.selfstream.data.FashionMnist;
import io.selfstream.data.IdxFile;
import io.selfstream.ops.pipeline.TopicCounter;
import io.selfstream.ops.views.LocalViewsJob;
import io.selfstream.schemas.Topics;
import io.selfstream.schemas.avro.Frame;
import io.selfstream.schemas.model.ModelParameters;
import io.selfstream.schemas.model.ModelUpdatePublisher;
import io.selfstream.schemas.model.SigningKeys;
import io.selfstream.schemas.model.UpdateEncoder;
import io.selfstream.schemas.serde.SerdeFactory;
import io.selfstream.trainer.encoder.Encoder;
import io.selfstream.trainer.encoder.EncoderConfig;
import io.selfstream.trainer.views.EncoderUpdates;
import io.selfstream.trainer.views.TeacherApplyLog;
import io.selfstream.trainer.views.ViewMaker;
import io.selfstream.trainer.views.ViewsJobSettings;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Views/s of the Flink views job from {@code frames} to committed {@code views} against the same
 * augment + mask + teacher-forward loop ({@link ViewMaker}) on in-memory frames with the same
 * parallelism, batch size and teacher, in one run; then publish-to-applied latency of model updates
 * in every parallel instance while frames keep flowing (times from the instances' accumulator).
 */
public final class ViewsBenchmark {

  private static final Logger log = LoggerFactory.getLogger(ViewsBenchmark.class);
  static final int SOURCES = 4;
  static final int WARMUP_UPDATES = 3;

  /** Minimum warm-up of each path before it is measured (JIT). */
  static final Duration MEMORY_WARMUP = Duration.ofSeconds(5);

  static final Duration FLINK_WARMUP = Duration.ofSeconds(20);

  /** Frames keep flowing during the update phase at this fraction of the measured throughput. */
  static final double LIVE_FRACTION = 1.0 / 3;

  /**
   * @param minFrames frames in the measured runs at least
   * @param measure the measured runs are sized (from a first in-memory run) to last about this long
   *     in memory, so the job commits many checkpoints during its run; zero = exactly {@code
   *     minFrames}
   * @param warmup frames per warm-up round of each path
   * @param parallelism Flink parallelism = in-memory threads
   * @param batchSize frames per teacher forward pass
   * @param updates versions published in the latency phase
   * @param updateSpacing pause between two of them
   * @param checkpointInterval the job's checkpoint interval (exactly-once visibility)
   * @param encoder teacher architecture
   */
  public record Options(
      int minFrames,
      Duration measure,
      int warmup,
      int parallelism,
      int batchSize,
      int updates,
      Duration updateSpacing,
      Duration checkpointInterval,
      EncoderConfig encoder) {

    public static Options of(boolean quick) {
      return new Options(
          quick ? 6_000 : 20_000,
          Duration.ofSeconds(quick ? 15 : 60),
          3_000,
          2,
          32,
          quick ? 10 : 30,
          Duration.ofMillis(500),
          Duration.ofSeconds(2),
          EncoderConfig.DEFAULT);
    }

    public Options withParallelism(int p) {
      return new Options(
          minFrames,
          measure,
          warmup,
          p,
          batchSize,
          updates,
          updateSpacing,
          checkpointInterval,
          encoder);
    }

    /** Exactly {@code n} frames per measured run. */
    public Options withFrames(int n) {
      return new Options(
          n,
          Duration.ZERO,
          warmup,
          parallelism,
          batchSize,
          updates,
          updateSpacing,
          checkpointInterval,
          encoder);
    }
  }

  /** Upper bound of frames per measured run (they are held in memory). */
  static final int MAX_FRAMES = 300_000;

  private final ClientSettings client;
  private final Path workDir;
  private final Options options;

  public ViewsBenchmark(ClientSettings client, Path workDir, Options options) {
    this.client = client;
    this.workDir = workDir;
    this.options = options;
  }

  public Map<String, Object> run() throws Exception {
    IdxFile images = IdxFile.read(FashionMnist.DEBIAN_DIR.resolve("t10k-images-idx3-ubyte.gz"));
    List<Frame> warmupFrames = frames(images, "warmup", options.warmup(), 0);
    List<Frame> frames = frames(images, "bench", options.minFrames(), 0);
    ModelParameters teacher;
    try (Encoder e = Encoder.create(options.encoder(), Device.cpu(), 1)) {
      teacher = EncoderUpdates.export(e);
    }

    double memoryBefore = memoryLoop(teacher, warmupFrames, frames);
    long sized = (long) (memoryBefore * options.measure().toMillis() / 1000.0);
    if (sized > frames.size()) {
      // size the runs so the job spans many checkpoints: its output becomes visible per checkpoint
      frames = frames(images, "bench", (int) Math.min(MAX_FRAMES, sized), 0);
      memoryBefore = memoryLoop(teacher, warmupFrames, frames);
    }
    log.info("in-memory loop: {} views/s over {} frames", memoryBefore, frames.size());

    KeyPair key = SigningKeys.loadOrCreate(workDir.resolve("keys"));
    Path publicKey = workDir.resolve("keys").resolve(SigningKeys.PUBLIC_KEY_FILE);
    Map<String, Object> out = new LinkedHashMap<>();
    try (ModelUpdatePublisher publisher =
            ModelUpdatePublisher.create(client, new UpdateEncoder(key), "bench-views-trainer");
        KafkaProducer<String, Frame> producer = producer()) {
      publisher.publishFull(
          EncoderUpdates.MODEL,
          1,
          0,
          teacher,
          EncoderUpdates.architectureMetrics(options.encoder()));
      try (LocalViewsJob job = LocalViewsJob.start(settings(publicKey))) {
        if (!job.awaitTeacherEverywhere(1, Duration.ofMinutes(3))) {
          throw new IllegalStateException("views job did not apply teacher v1: " + job.progress());
        }
        // warm-up through the whole path: JIT, transactions, registry lookups
        try (TopicCounter warm = TopicCounter.fromNow(client.bootstrap(), Topics.VIEWS.name())) {
          // at least FLINK_WARMUP of traffic: the JIT compiles the Kafka, Flink and broker paths
          long warmStart = System.nanoTime();
          long sent = 0;
          int round = 0;
          do {
            List<Frame> batch = frames(images, "warmup" + round++, options.warmup(), 0);
            send(producer, batch);
            sent += batch.size();
            awaitCount(warm, sent, Duration.ofMinutes(3));
          } while (System.nanoTime() - warmStart < FLINK_WARMUP.toNanos());
        }

        double flinkRate;
        double endToEndRate;
        long counted;
        // serialized before the clock starts: the bench's own producer should cost next to nothing
        List<ProducerRecord<String, byte[]>> records = serialized(frames);
        try (TopicCounter views = TopicCounter.fromNow(client.bootstrap(), Topics.VIEWS.name());
            KafkaProducer<String, byte[]> raw = rawProducer()) {
          long t0 = System.nanoTime();
          for (ProducerRecord<String, byte[]> r : records) {
            raw.send(r);
          }
          raw.flush();
          // views become visible a checkpoint at a time: the throughput is what was committed
          // between the first and the last commit (the memory loop has no pipeline to fill)
          long firstNanos = 0;
          long firstCount = 0;
          long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
          while (views.count() < frames.size()) {
            if (System.nanoTime() > deadline) {
              throw new IllegalStateException(
                  "only " + views.count() + " of " + frames.size() + " views committed");
            }
            views.poll(Duration.ofMillis(20));
            if (firstNanos == 0 && views.count() > 0) {
              // the rest of this commit may still be arriving: wait for a quiet moment
              long before;
              do {
                before = views.count();
                views.poll(Duration.ofMillis(100));
              } while (views.count() > before);
              firstNanos = views.lastArrivalNanos();
              firstCount = views.count();
            }
          }
          long lastNanos = views.lastArrivalNanos();
          endToEndRate = frames.size() / ((lastNanos - t0) / 1e9);
          flinkRate =
              lastNanos > firstNanos && frames.size() > firstCount
                  ? (frames.size() - firstCount) / ((lastNanos - firstNanos) / 1e9)
                  : endToEndRate;
          // anything beyond N would be a duplicate
          views.poll(Duration.ofSeconds(2));
          counted = views.count();
        }
        log.info("Flink views job: {} views/s ({} end to end)", flinkRate, endToEndRate);
        // the machine may be shared: measure the in-memory loop again and take the mean
        double memoryAfter = memoryLoop(teacher, warmupFrames, frames);
        log.info("in-memory loop (again): {} views/s", memoryAfter);
        double memoryRate = (memoryBefore + memoryAfter) / 2;

        long[] latencies = updateLatencies(job, publisher, producer, teacher, images, flinkRate);
        out.put("bench", "views");
        out.put("views_per_s", BenchOutput.round(flinkRate, 1));
        out.put("memory_views_per_s", BenchOutput.round(memoryRate, 1));
        out.put("ratio", BenchOutput.round(flinkRate / memoryRate, 3));
        out.put("update_apply_p99_ms", percentile(latencies, 0.99));
        out.put("update_apply_p50_ms", percentile(latencies, 0.50));
        out.put(
            "update_apply_max_ms", latencies.length == 0 ? -1 : latencies[latencies.length - 1]);
        out.put("updates", latencies.length);
        out.put("views_per_s_end_to_end", BenchOutput.round(endToEndRate, 1));
        out.put("memory_views_per_s_before", BenchOutput.round(memoryBefore, 1));
        out.put("memory_views_per_s_after", BenchOutput.round(memoryAfter, 1));
        out.put("frames", frames.size());
        out.put("views_committed", counted);
        out.put("parallelism", options.parallelism());
        out.put("batch", options.batchSize());
        out.put("checkpoint_interval_ms", options.checkpointInterval().toMillis());
        out.put("encoder_params", teacher.parameterCount());
        // other processes on a shared machine skew both rates: say how busy it was
        out.put(
            "load_avg_1m",
            BenchOutput.round(
                java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                    .getSystemLoadAverage(),
                2));
      }
    }
    return out;
  }

  ViewsJobSettings settings(Path publicKey) {
    Map<String, String> o = new HashMap<>();
    o.put(ClientSettings.BOOTSTRAP.name(), client.bootstrap());
    o.put(ClientSettings.REGISTRY_URL.name(), client.registryUrl());
    o.put(ClientSettings.REGISTRY_API.name(), client.registryApi().name());
    o.put(ViewsJobSettings.ENCODER.name(), ViewsJobSettings.encoderSpec(options.encoder()));
    o.put(ViewsJobSettings.MASK_PATCH.name(), Integer.toString(options.encoder().maskPatchSize()));
    o.put(ViewsJobSettings.MASK_RATIO.name(), Double.toString(options.encoder().maskRatio()));
    o.put(ViewsJobSettings.PARALLELISM.name(), Integer.toString(options.parallelism()));
    o.put(ViewsJobSettings.BATCH_SIZE.name(), Integer.toString(options.batchSize()));
    o.put(
        ViewsJobSettings.CHECKPOINT_INTERVAL.name(),
        options.checkpointInterval().toMillis() + "ms");
    o.put(ViewsJobSettings.CHECKPOINT_DIR.name(), workDir.resolve("checkpoints").toString());
    o.put(ViewsJobSettings.TRUSTED_KEYS.name(), publicKey.toString());
    o.put(ViewsJobSettings.DEVICE.name(), "cpu");
    o.put(ViewsJobSettings.GROUP_ID.name(), "bench-views");
    o.put(ViewsJobSettings.TRANSACTIONAL_ID_PREFIX.name(), "bench-views");
    return ViewsJobSettings.from(Config.load(ViewsJobSettings.allKeys(), null, Map.of(), o));
  }

  /** The same per-batch work, one thread per Flink subtask, frames split as the source splits. */
  double memoryLoop(ModelParameters teacher, List<Frame> warmup, List<Frame> frames)
      throws Exception {
    int p = options.parallelism();
    ExecutorService pool = Executors.newFixedThreadPool(p);
    CountDownLatch ready = new CountDownLatch(p);
    CountDownLatch go = new CountDownLatch(1);
    try {
      List<Future<Long>> ends = new ArrayList<>();
      for (int t = 0; t < p; t++) {
        List<Frame> mine = shard(frames, t, p);
        List<Frame> mineWarm = shard(warmup, t, p);
        ends.add(
            pool.submit(
                () -> {
                  try (Encoder encoder = Encoder.create(options.encoder(), Device.cpu(), 0)) {
                    encoder.importParameters(EncoderUpdates.toSnapshot(teacher));
                    ViewMaker maker =
                        new ViewMaker(
                            options.encoder(),
                            Double.parseDouble(
                                ViewsJobSettings.CONFIDENCE_THRESHOLD.defaultValue()),
                            Long.parseLong(ViewsJobSettings.SEED.defaultValue()));
                    long warmStart = System.nanoTime();
                    do {
                      runBatches(maker, encoder, mineWarm);
                    } while (System.nanoTime() - warmStart < MEMORY_WARMUP.toNanos());
                    ready.countDown();
                    go.await();
                    long views = runBatches(maker, encoder, mine);
                    if (views != mine.size()) {
                      throw new IllegalStateException(views + " views for " + mine.size());
                    }
                    return System.nanoTime();
                  }
                }));
      }
      if (!ready.await(5, TimeUnit.MINUTES)) {
        throw new IllegalStateException("in-memory loop did not warm up");
      }
      long t0 = System.nanoTime();
      go.countDown();
      long last = t0;
      for (Future<Long> end : ends) {
        last = Math.max(last, end.get(10, TimeUnit.MINUTES));
      }
      return frames.size() / ((last - t0) / 1e9);
    } finally {
      pool.shutdownNow();
    }
  }

  private long runBatches(ViewMaker maker, Encoder encoder, List<Frame> frames) {
    long views = 0;
    for (int i = 0; i < frames.size(); i += options.batchSize()) {
      List<Frame> batch = frames.subList(i, Math.min(frames.size(), i + options.batchSize()));
      views += maker.make(batch, encoder, 1).views().size();
    }
    return views;
  }

  /** Frames of the partitions subtask {@code t} of {@code p} reads (partition = seq % 4). */
  static List<Frame> shard(List<Frame> frames, int t, int p) {
    List<Frame> out = new ArrayList<>();
    for (Frame f : frames) {
      if ((int) (f.getSeq() % SOURCES) % p == t) {
        out.add(f);
      }
    }
    return out;
  }

  /**
   * Publishes {@code updates} versions while frames flow at {@link #LIVE_FRACTION} of the measured
   * rate; returns the sorted publish-start to applied-in-the-last-instance latencies in ms.
   */
  long[] updateLatencies(
      LocalViewsJob job,
      ModelUpdatePublisher publisher,
      KafkaProducer<String, Frame> producer,
      ModelParameters teacher,
      IdxFile images,
      double flinkRate)
      throws Exception {
    AtomicBoolean stop = new AtomicBoolean();
    double liveRate = Math.max(50, flinkRate * LIVE_FRACTION);
    Thread live =
        new Thread(
            () -> {
              long seq = 0;
              long start = System.nanoTime();
              while (!stop.get()) {
                List<Frame> batch = frames(images, "live", 32, seq);
                send(producer, batch);
                seq += batch.size();
                long due = start + (long) (seq / liveRate * 1e9);
                long wait = due - System.nanoTime();
                if (wait > 0) {
                  try {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                  } catch (InterruptedException e) {
                    return;
                  }
                }
              }
            },
            "bench-live-frames");
    live.setDaemon(true);
    live.start();
    Map<Long, Instant> publishedAt = new LinkedHashMap<>();
    try {
      Thread.sleep(1_000);
      // the first updates warm the update path (JIT of assembly, hashing, import); not measured
      for (int i = 0; i < WARMUP_UPDATES + options.updates(); i++) {
        long version = 2 + i;
        ModelUpdatePublisher.Published p =
            publisher.publishFull(EncoderUpdates.MODEL, version, version - 1, teacher, Map.of());
        if (i >= WARMUP_UPDATES) {
          publishedAt.put(version, p.startedAt());
        }
        Thread.sleep(options.updateSpacing().toMillis());
      }
      long lastVersion = 1 + WARMUP_UPDATES + options.updates();
      int parallelism = options.parallelism();
      if (!job.awaitTeacher(
          t -> t.appliedEverywhereAt(lastVersion, parallelism).isPresent(),
          Duration.ofMinutes(2))) {
        log.warn("not every instance applied v{}: {}", lastVersion, job.progress());
      }
      // accumulators travel with heartbeats: give the last report time to arrive
      Thread.sleep(1_500);
    } finally {
      stop.set(true);
      live.join(10_000);
    }
    TeacherApplyLog.Snapshot log = job.teacher();
    List<Long> latencies = new ArrayList<>();
    publishedAt.forEach(
        (version, at) -> {
          OptionalLong applied = log.appliedEverywhereAt(version, options.parallelism());
          OptionalLong received = log.receivedEverywhereAt(version, options.parallelism());
          if (applied.isPresent()) {
            latencies.add(applied.getAsLong() - at.toEpochMilli());
            ViewsBenchmark.log.info(
                "v{}: publish -> first chunk in every instance {} ms, -> applied everywhere {} ms",
                version,
                received.isPresent() ? received.getAsLong() - at.toEpochMilli() : -1,
                applied.getAsLong() - at.toEpochMilli());
          } else {
            ViewsBenchmark.log.warn("v{} not applied everywhere; counted as missing", version);
          }
        });
    long[] sorted = latencies.stream().mapToLong(Long::longValue).toArray();
    Arrays.sort(sorted);
    return sorted;
  }

  /** Nearest-rank percentile; -1 without samples. */
  static long percentile(long[] sorted, double q) {
    if (sorted.length == 0) {
      return -1;
    }
    int rank = (int) Math.ceil(q * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
  }

  static List<Frame> frames(IdxFile images, String prefix, int n, long firstSeq) {
    List<Frame> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      long seq = firstSeq + i;
      out.add(
          Frame.newBuilder()
              .setSourceId(prefix + "-" + (seq % SOURCES))
              .setSeq(seq)
              .setCaptureTimeMs(Instant.now())
              .setWidth(FashionMnist.SIZE)
              .setHeight(FashionMnist.SIZE)
              .setChannels(1)
              .setPixels(ByteBuffer.wrap(images.item((int) (seq % images.count()))))
              .setNormalizedAtMs(Instant.now())
              .build());
    }
    return out;
  }

  private KafkaProducer<String, Frame> producer() {
    Map<String, Object> props = new HashMap<>(new SerdeFactory(client).producerConfig());
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.LINGER_MS_CONFIG, "5");
    props.put(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(256 * 1024));
    return new KafkaProducer<>(props);
  }

  private List<ProducerRecord<String, byte[]>> serialized(List<Frame> frames) {
    List<ProducerRecord<String, byte[]>> out = new ArrayList<>(frames.size());
    try (var serializer = new SerdeFactory(client).valueSerializer(Topics.FRAMES)) {
      for (Frame f : frames) {
        out.add(
            new ProducerRecord<>(
                Topics.FRAMES.name(),
                (int) (f.getSeq() % SOURCES),
                f.getSourceId(),
                serializer.serialize(Topics.FRAMES.name(), f)));
      }
    }
    return out;
  }

  private KafkaProducer<String, byte[]> rawProducer() {
    Map<String, Object> props = new HashMap<>();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, client.bootstrap());
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.LINGER_MS_CONFIG, "5");
    props.put(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(256 * 1024));
    return new KafkaProducer<>(props);
  }

  static void send(KafkaProducer<String, Frame> producer, List<Frame> frames) {
    for (Frame f : frames) {
      producer.send(
          new ProducerRecord<>(
              Topics.FRAMES.name(), (int) (f.getSeq() % SOURCES), f.getSourceId(), f));
    }
    producer.flush();
  }

  static void awaitCount(TopicCounter counter, long n, Duration timeout) {
    if (!TopicCounter.pollUntil(List.of(counter), () -> counter.count() >= n, timeout)) {
      throw new IllegalStateException(
          "only " + counter.count() + " of " + n + " views committed within " + timeout);
    }
  }
}
