package io.selfstream.trainer.views;

import static io.selfstream.trainer.views.VideoFrameFeaturesTest.RAW;
import static io.selfstream.trainer.views.VideoFrameFeaturesTest.VIDEO;
import static io.selfstream.trainer.views.VideoFrameFeaturesTest.assertBitEqual;
import static io.selfstream.trainer.views.VideoFrameFeaturesTest.column;
import static io.selfstream.trainer.views.VideoFrameFeaturesTest.frame;
import static io.selfstream.trainer.views.VideoFrameFeaturesTest.normalized;
import static io.selfstream.trainer.views.VideoFrameFeaturesTest.rawVideo;
import static io.selfstream.trainer.views.VideoFrameFeaturesTest.values;
import static org.assertj.core.api.Assertions.assertThat;

import io.selfstream.graphreasoning.data.Features;
import io.selfstream.schemas.avro.DeadFrame;
import io.selfstream.schemas.avro.DeadLetterReason;
import io.selfstream.schemas.avro.FrameFeatures;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

/**
 * {@link VideoFeaturesFunction} in a local MiniCluster: keyed per feed (two feeds interleaved over
 * two instances), a seq gap restarts the motion state, a misfit frame goes to the dead letters,
 * counts reach the accumulators. Restore after a failure is covered by {@code ViewsJobIT}.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class VideoFeaturesFunctionTest {

  @BeforeAll
  static void quietFlink() {
    // the trainer module has no logback-test.xml: without this the MiniCluster logs at DEBUG
    ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger("org.apache"))
        .setLevel(ch.qos.logback.classic.Level.WARN);
  }

  @Test
  void featuresPerFeedWithGapResetAndDeadLetters() throws Exception {
    List<byte[]> raw = rawVideo(15);
    List<FrameEnvelope> in = new ArrayList<>();
    for (int t = 0; t < 15; t++) {
      if (t != 8) { // video-a loses frame 8
        in.add(FrameEnvelope.of(normalized("video-a", t, raw.get(t))));
      }
      if (t < 10) {
        in.add(FrameEnvelope.of(normalized("video-b", t, raw.get(14 - t))));
      }
      if (t == 3) {
        in.add(FrameEnvelope.of(frame("video-c", 0, new byte[30 * 30], 30, 30, 1)));
      }
    }

    Configuration conf = new Configuration();
    conf.set(PipelineOptions.GENERIC_TYPES, false);
    StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(2, conf);
    SingleOutputStreamOperator<FrameFeatures> out =
        env.fromData(in, new FrameEnvelope.TypeInfo())
            .setParallelism(1)
            .keyBy(new VideoFeaturesFunction.SourceKey(), Types.STRING)
            .process(new VideoFeaturesFunction(7), AvroTypeInfo.forClass(FrameFeatures.class));
    out.sinkTo(new ListSink<>("features"));
    out.getSideOutput(ViewsOperator.DEAD_LETTERS).sinkTo(new ListSink<>("dead"));
    JobExecutionResult result = env.execute("video features test");

    Map<String, List<FrameFeatures>> bySource = new TreeMap<>();
    for (Object o : ListSink.take("features")) {
      FrameFeatures f = (FrameFeatures) o;
      bySource.computeIfAbsent(f.getSourceId(), k -> new ArrayList<>()).add(f);
    }
    List<DeadFrame> deadLetters = new ArrayList<>();
    ListSink.take("dead").forEach(o -> deadLetters.add((DeadFrame) o));

    // expected: each unbroken run of a feed extracted offline from its first frame
    Features aHead = VIDEO.ofVideo(raw.subList(0, 8), RAW);
    Features aTail = VIDEO.ofVideo(raw.subList(9, 15), RAW);
    List<byte[]> bRaw = new ArrayList<>();
    for (int t = 0; t < 10; t++) {
      bRaw.add(raw.get(14 - t));
    }
    Features b = VIDEO.ofVideo(bRaw, RAW);

    assertThat(bySource.keySet()).containsExactly("video-a", "video-b");
    List<FrameFeatures> a = bySource.get("video-a");
    assertThat(a)
        .extracting(FrameFeatures::getSeq)
        .containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 9L, 10L, 11L, 12L, 13L, 14L);
    for (int i = 0; i < a.size(); i++) {
      long seq = a.get(i).getSeq();
      float[] expected = seq < 8 ? column(aHead, (int) seq) : column(aTail, (int) seq - 9);
      assertBitEqual(values(a.get(i)), expected, "video-a#" + seq);
      assertThat(a.get(i).getEncoderVersion()).isZero();
    }
    List<FrameFeatures> bOut = bySource.get("video-b");
    assertThat(bOut).hasSize(10);
    for (int t = 0; t < 10; t++) {
      assertThat(bOut.get(t).getSeq()).isEqualTo(t);
      assertBitEqual(values(bOut.get(t)), column(b, t), "video-b#" + t);
    }

    assertThat(deadLetters).hasSize(1);
    DeadFrame d = deadLetters.get(0);
    assertThat(d.getSourceId()).isEqualTo("video-c");
    assertThat(d.getSeq()).isZero();
    assertThat(d.getReason()).isEqualTo(DeadLetterReason.MODEL_SHAPE_MISMATCH);
    assertThat(d.getMessage()).contains("side 30", "views.videoFeatureGrid 7");

    assertThat(result.<Long>getAccumulatorResult(VideoFeaturesFunction.ACC_VIDEO_FEATURES))
        .isEqualTo(24L);
    assertThat(result.<Long>getAccumulatorResult(ViewsOperator.ACC_DEAD_LETTERS)).isEqualTo(1L);
  }

  @Test
  void theSourceFilterSplitsVideoFromEverythingElse() {
    var video = new VideoFeaturesFunction.VideoSourceFilter("video-.*", true);
    var images = new VideoFeaturesFunction.VideoSourceFilter("video-.*", false);
    FrameEnvelope v = FrameEnvelope.of(frame("video-7", 0, new byte[4], 2, 2, 1));
    FrameEnvelope partial = FrameEnvelope.of(frame("my-video-7", 0, new byte[4], 2, 2, 1));
    FrameEnvelope img = FrameEnvelope.of(frame("cam-1", 0, new byte[4], 2, 2, 1));
    FrameEnvelope deadVideo =
        FrameEnvelope.dead(
            DeadFrame.newBuilder()
                .setSourceId("video-7")
                .setReason(DeadLetterReason.UNDESERIALIZABLE)
                .build());
    assertThat(video.filter(v)).isTrue();
    assertThat(images.filter(v)).isFalse();
    // the whole sourceId must match
    assertThat(video.filter(partial)).isFalse();
    assertThat(images.filter(partial)).isTrue();
    assertThat(video.filter(img)).isFalse();
    assertThat(images.filter(img)).isTrue();
    // dead letters always take the views operator's dead-letter path
    assertThat(video.filter(deadVideo)).isFalse();
    assertThat(images.filter(deadVideo)).isTrue();
    assertThat(VideoFeaturesFunction.isVideo(Pattern.compile("video-.*"), v.frame())).isTrue();
  }

  /** Collects into this JVM's memory (the MiniCluster runs here); read after the job ends. */
  static final class ListSink<T> implements Sink<T> {
    private static final long serialVersionUID = 1L;
    static final Map<String, Queue<Object>> RECEIVED = new ConcurrentHashMap<>();

    private final String name;

    ListSink(String name) {
      this.name = name;
      RECEIVED.put(name, new ConcurrentLinkedQueue<>());
    }

    static List<Object> take(String name) {
      return new ArrayList<>(RECEIVED.remove(name));
    }

    @Override
    public SinkWriter<T> createWriter(WriterInitContext context) {
      Queue<Object> into = RECEIVED.get(name);
      return new SinkWriter<>() {
        @Override
        public void write(T element, Context ctx) {
          into.add(element);
        }

        @Override
        public void flush(boolean endOfInput) {}

        @Override
        public void close() {}
      };
    }
  }
}
