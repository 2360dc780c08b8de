package io.selfstream.trainer.views;

import io.selfstream.config.Config;
import io.selfstream.schemas.Topics;
import io.selfstream.schemas.avro.DeadFrame;
import io.selfstream.schemas.avro.FrameFeatures;
import io.selfstream.schemas.avro.ModelUpdate;
import io.selfstream.schemas.avro.TrainingView;
import io.selfstream.schemas.serde.SerdeFactory;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.function.SerializableFunction;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * The views job: {@code frames} (+ broadcast {@code model-updates}) -> weak/strong views, SimMIM
 * mask and teacher pseudo-label -> {@code views}; teacher class-token features -> {@code features};
 * frames the model cannot take -> {@code frames.dlq}. Frames of video sources ({@code
 * views.videoSources}) skip views and teacher: keyed by source, they become fixed video features
 * ({@link VideoFeaturesFunction}, encoder version 0) on the same {@code features} sink.
 * Exactly-once end to end: Kafka sources with checkpointed offsets ({@code read_committed}),
 * transactional Kafka sinks committed on checkpoints, keyed video state in the checkpoints.
 *
 * <p>{@link #define} only builds the graph, so the same function serves the CLI's local
 * MiniCluster, the tests, and {@link #main} in a job jar submitted to a real cluster.
 */
public final class ViewsJob {

  public static final String UID_FRAMES_SOURCE = "views-frames-source";
  public static final String UID_UPDATES_SOURCE = "views-model-updates-source";
  public static final String UID_CHAOS = "views-chaos-fail-once";
  public static final String UID_VIEWS = "views-operator";
  public static final String UID_VIEWS_SINK = "views-sink";
  public static final String UID_FEATURES_SINK = "views-features-sink";
  public static final String UID_DLQ_SINK = "views-dlq-sink";
  public static final String UID_IMAGE_FILTER = "views-image-frames";
  public static final String UID_VIDEO_FILTER = "views-video-frames";
  public static final String UID_VIDEO_FEATURES = "views-video-features";

  private ViewsJob() {}

  /** Adds the views job to {@code env} and applies its checkpointing and restart settings. */
  public static void define(StreamExecutionEnvironment env, ViewsJobSettings settings) {
    List<PublicKey> trustedKeys = settings.loadTrustedKeys();
    SerdeFactory serdes = new SerdeFactory(settings.client());

    Configuration conf = new Configuration();
    conf.set(PipelineOptions.GENERIC_TYPES, false); // every type has a real serializer
    conf.set(PipelineOptions.OBJECT_REUSE, true); // no operator keeps or mutates its inputs
    conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
    conf.set(
        RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, settings.restartAttempts());
    conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, settings.restartDelay());
    settings
        .checkpointDir()
        .ifPresent(
            dir -> {
              conf.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
              conf.set(
                  CheckpointingOptions.CHECKPOINTS_DIRECTORY,
                  dir.toAbsolutePath().toUri().toString());
            });
    env.configure(conf);
    env.enableCheckpointing(
        settings.checkpointInterval().toMillis(), CheckpointingMode.EXACTLY_ONCE);
    env.setParallelism(settings.parallelism());

    int p = settings.parallelism();
    DataStream<FrameEnvelope> frames =
        env.fromSource(framesSource(settings, serdes), WatermarkStrategy.noWatermarks(), "frames")
            .uid(UID_FRAMES_SOURCE)
            .setParallelism(p);
    if (settings.failOnceAfterFrames() > 0) {
      frames =
          frames
              .map(new FailOnceMap(settings.failOnceAfterFrames()), new FrameEnvelope.TypeInfo())
              .name("chaos: fail once")
              .uid(UID_CHAOS)
              .setParallelism(p);
    }
    DataStream<ModelUpdate> updates =
        env.fromSource(
                updatesSource(settings, serdes), WatermarkStrategy.noWatermarks(), "model-updates")
            .uid(UID_UPDATES_SOURCE)
            .setParallelism(1);

    // without video sources the graph is exactly the image-only one
    DataStream<FrameEnvelope> imageFrames = frames;
    SingleOutputStreamOperator<FrameFeatures> videoFeatures = null;
    if (settings.hasVideoSources()) {
      imageFrames =
          frames
              .filter(new VideoFeaturesFunction.VideoSourceFilter(settings.videoSources(), false))
              .name("image frames")
              .uid(UID_IMAGE_FILTER)
              .setParallelism(p);
      videoFeatures =
          frames
              .filter(new VideoFeaturesFunction.VideoSourceFilter(settings.videoSources(), true))
              .name("video frames")
              .uid(UID_VIDEO_FILTER)
              .setParallelism(p)
              .keyBy(new VideoFeaturesFunction.SourceKey(), Types.STRING)
              .process(
                  new VideoFeaturesFunction(settings.videoFeatureGrid()),
                  AvroTypeInfo.forClass(FrameFeatures.class))
              .name("video features")
              .uid(UID_VIDEO_FEATURES)
              .setParallelism(p);
    }

    SingleOutputStreamOperator<TrainingView> views =
        imageFrames
            .connect(updates.broadcast())
            .transform(
                "views: augment, mask, teacher",
                AvroTypeInfo.forClass(TrainingView.class),
                new ViewsOperator(ViewsOperator.Spec.of(settings, trustedKeys)))
            .uid(UID_VIEWS)
            .setParallelism(p);

    // the sinks run in their own tasks: their producer flushes and transaction commits at each
    // checkpoint then never stall the views operator (and the teacher updates it applies)
    views
        .sinkTo(
            sink(
                settings,
                serdes,
                Topics.VIEWS.name(),
                "views",
                TrainingView::getSourceId,
                TrainingView.class))
        .name("views sink")
        .uid(UID_VIEWS_SINK)
        .setParallelism(p)
        .disableChaining();
    DataStream<FrameFeatures> features = views.getSideOutput(ViewsOperator.FEATURES);
    DataStream<DeadFrame> deadLetters = views.getSideOutput(ViewsOperator.DEAD_LETTERS);
    if (videoFeatures != null) {
      features = features.union(videoFeatures);
      deadLetters = deadLetters.union(videoFeatures.getSideOutput(ViewsOperator.DEAD_LETTERS));
    }
    features
        .sinkTo(
            sink(
                settings,
                serdes,
                Topics.FEATURES.name(),
                "features",
                FrameFeatures::getSourceId,
                FrameFeatures.class))
        .name("features sink")
        .uid(UID_FEATURES_SINK)
        .setParallelism(p)
        .disableChaining();
    deadLetters
        .sinkTo(
            sink(
                settings,
                serdes,
                Topics.FRAMES_DLQ.name(),
                "dlq",
                DeadFrame::getSourceId,
                DeadFrame.class))
        .name("frames.dlq sink")
        .uid(UID_DLQ_SINK)
        .setParallelism(p)
        .disableChaining();
  }

  static KafkaSource<FrameEnvelope> framesSource(ViewsJobSettings s, SerdeFactory serdes) {
    Map<String, String> consumer = KafkaSerdes.consumerSerdeConfig(serdes, Topics.FRAMES);
    OffsetsInitializer start =
        switch (s.startFrom()) {
          case COMMITTED -> OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST);
          case EARLIEST -> OffsetsInitializer.earliest();
          case LATEST -> OffsetsInitializer.latest();
        };
    return KafkaSource.<FrameEnvelope>builder()
        .setBootstrapServers(s.client().bootstrap())
        .setTopics(Topics.FRAMES.name())
        .setGroupId(s.groupId())
        .setClientIdPrefix(s.groupId() + "-frames")
        .setStartingOffsets(start)
        .setDeserializer(
            new FrameDeserializationSchema(
                consumer.get(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG),
                consumer,
                s.encoder().imageSize(),
                s.encoder().channels(),
                s.dlqMaxOriginalBytes(),
                s.videoSources(),
                s.videoFeatureGrid()))
        .setProperty(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed")
        .setProperty("commit.offsets.on.checkpoint", "true")
        .build();
  }

  static KafkaSource<ModelUpdate> updatesSource(ViewsJobSettings s, SerdeFactory serdes) {
    Map<String, String> consumer = KafkaSerdes.consumerSerdeConfig(serdes, Topics.MODEL_UPDATES);
    return KafkaSource.<ModelUpdate>builder()
        .setBootstrapServers(s.client().bootstrap())
        .setTopics(Topics.MODEL_UPDATES.name())
        .setGroupId(s.groupId() + "-model-updates")
        .setClientIdPrefix(s.groupId() + "-model-updates")
        // without a checkpoint: the whole history, so the latest FULL and its DELTAs are seen
        .setStartingOffsets(OffsetsInitializer.earliest())
        .setDeserializer(
            new ModelUpdateDeserializationSchema(
                consumer.get(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG), consumer))
        .setProperty(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed")
        .setProperty("commit.offsets.on.checkpoint", "false")
        // fetch a chunk (up to the record limit) per request; low latency for small updates
        .setProperty(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "50")
        .build();
  }

  static <T extends org.apache.avro.specific.SpecificRecord> KafkaSink<T> sink(
      ViewsJobSettings s,
      SerdeFactory serdes,
      String topic,
      String name,
      SerializableFunction<T, String> key,
      Class<T> type) {
    Properties producer = new Properties();
    producer.setProperty(
        ProducerConfig.TRANSACTION_TIMEOUT_CONFIG,
        Long.toString(s.transactionTimeout().toMillis()));
    // records become visible at the checkpoint anyway: batch generously (fewer requests for the
    // broker to handle per view)
    producer.setProperty(ProducerConfig.LINGER_MS_CONFIG, "50");
    producer.setProperty(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(256 * 1024));
    producer.setProperty(ProducerConfig.COMPRESSION_TYPE_CONFIG, s.producerCompression());
    return KafkaSink.<T>builder()
        .setBootstrapServers(s.client().bootstrap())
        .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
        .setTransactionalIdPrefix(s.transactionalIdPrefix() + "-" + name)
        .setKafkaProducerConfig(producer)
        .setRecordSerializer(
            new AvroRecordSerializationSchema<>(
                topic,
                serdes.valueSerializerClass().getName(),
                KafkaSerdes.strings(serdes.serdeConfig()),
                key,
                type))
        .build();
  }

  /**
   * Entry point of the job jar on a real cluster: {@code [config.properties] [key=value ...]}, plus
   * {@code SELFSTREAM_*} environment variables (see {@link ViewsJobSettings#KEYS}).
   */
  public static void main(String[] args) throws Exception {
    Path file = null;
    Map<String, String> overrides = new LinkedHashMap<>();
    for (String arg : args) {
      int eq = arg.indexOf('=');
      if (eq > 0) {
        overrides.put(arg.substring(0, eq), arg.substring(eq + 1));
      } else {
        file = Path.of(arg);
      }
    }
    ViewsJobSettings settings =
        ViewsJobSettings.from(
            Config.load(ViewsJobSettings.allKeys(), file, System.getenv(), overrides));
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    define(env, settings);
    env.execute(settings.jobName());
  }
}
