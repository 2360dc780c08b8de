package io.selfstream.ingest.video;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.selfstream.ingest.AvroSerde;
import io.selfstream.ingest.produce.FrameProducer;
import io.selfstream.ingest.produce.IngestSettings;
import io.selfstream.schemas.Topics;
import io.selfstream.schemas.avro.DeadFrame;
import io.selfstream.schemas.avro.DeadLetterReason;
import io.selfstream.schemas.avro.RawFrame;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VideoIngestTest {

  @TempDir static Path dir;

  private static Path a;
  private static Path b;
  private static Path cut;

  private final List<MockProducer<String, RawFrame>> frameProducers = new ArrayList<>();
  private final MockProducer<String, DeadFrame> dlq =
      new MockProducer<>(
          true, null, new StringSerializer(), new AvroSerde<>(DeadFrame.class).serializer());

  @BeforeAll
  static void videos() throws Exception {
    a =
        TestVideos.write(
            dir, "a", TestVideos.Kind.FFV1_MKV, TestVideos.frames(30, 32, 32, 1), 32, 32, 15);
    b =
        TestVideos.write(
            dir, "b", TestVideos.Kind.MJPEG_AVI, TestVideos.frames(20, 32, 32, 2), 32, 32, 10);
    Path whole =
        TestVideos.write(
            dir, "c", TestVideos.Kind.FFV1_MKV, TestVideos.frames(80, 64, 64, 3), 64, 64, 25);
    byte[] all = Files.readAllBytes(whole);
    cut = Files.write(dir.resolve("c-cut.mkv"), Arrays.copyOf(all, all.length * 2 / 3));
  }

  private VideoIngest ingest() {
    return new VideoIngest(
        IngestSettings.defaults(),
        VideoSettings.defaults(),
        FrameShape.model(28, 28, 1, io.selfstream.ingest.image.ResizeMethod.AREA),
        settings -> {
          MockProducer<String, RawFrame> mock =
              new MockProducer<>(
                  true, null, new StringSerializer(), new AvroSerde<>(RawFrame.class).serializer());
          synchronized (frameProducers) {
            frameProducers.add(mock);
          }
          return new FrameProducer(
              mock, Topics.FRAMES_RAW.name(), null, Duration.ofMillis(200), System::nanoTime);
        },
        dlq,
        Clock.systemUTC());
  }

  private List<ProducerRecord<String, RawFrame>> sent() {
    return frameProducers.stream().flatMap(p -> p.history().stream()).toList();
  }

  @Test
  void manyFeedsAtOnceEachKeyedAndInOrder() throws Exception {
    List<VideoIngest.FeedResult> results =
        ingest().run(VideoFeed.of(List.of(a.toString(), b.toString()), List.of("cam-a", "cam-b")));
    assertThat(results).allMatch(VideoIngest.FeedResult::ok);
    assertThat(results).extracting(r -> r.result().acked()).containsExactly(30L, 20L);
    Map<String, List<Long>> seqs =
        sent().stream()
            .collect(
                Collectors.groupingBy(
                    ProducerRecord::key,
                    Collectors.mapping(r -> r.value().getSeq(), Collectors.toList())));
    assertThat(seqs.get("cam-a")).isEqualTo(range(30));
    assertThat(seqs.get("cam-b")).isEqualTo(range(20));
    assertThat(sent()).allMatch(r -> r.topic().equals("frames.raw"));
    assertThat(sent()).allMatch(r -> r.value().getBytes().remaining() == 28 * 28);
    assertThat(dlq.history()).isEmpty();
  }

  @Test
  void aTruncatedFeedSendsWhatItHadAndRecordsTheLossOnTheDeadLetterTopic() throws Exception {
    List<VideoIngest.FeedResult> results =
        ingest().run(VideoFeed.of(List.of(a.toString(), cut.toString()), List.of("ok", "cut")));
    VideoIngest.FeedResult good = results.get(0);
    VideoIngest.FeedResult bad = results.get(1);
    assertThat(good.ok()).isTrue();
    assertThat(bad.ok()).isFalse();
    assertThat(bad.failure())
        .get()
        .extracting(VideoFailure::kind)
        .isEqualTo(VideoFailure.Kind.TRUNCATED);
    long sentBad = bad.result().acked();
    assertThat(sentBad).isBetween(20L, 75L);
    assertThat(bad.deadLetter()).isTrue();
    assertThat(dlq.history()).hasSize(1);
    ProducerRecord<String, DeadFrame> dead = dlq.history().get(0);
    assertThat(dead.topic()).isEqualTo("frames.dlq");
    assertThat(dead.key()).isEqualTo("cut");
    assertThat(dead.value().getReason()).isEqualTo(DeadLetterReason.UNDECODABLE);
    assertThat(dead.value().getSeq()).isEqualTo(sentBad);
    assertThat(dead.value().getMessage()).contains("truncated").contains(cut.toString());
    assertThat(sent().stream().filter(r -> r.key().equals("cut")).map(r -> r.value().getSeq()))
        .containsExactlyElementsOf(range((int) sentBad));
  }

  @Test
  void anyFeedThatCannotOpenStopsTheRunBeforeAnythingIsSent() {
    Path missing = dir.resolve("missing.mkv");
    assertThatThrownBy(
            () ->
                ingest()
                    .run(
                        VideoFeed.of(
                            List.of(a.toString(), missing.toString(), "/nowhere/x.avi"),
                            List.of())))
        .isInstanceOf(VideoOpenException.class)
        .hasMessageStartingWith("2 of 3 video feeds cannot be opened:")
        .hasMessageContaining("missing: cannot open " + missing + ": no such file")
        .hasMessageContaining("x: cannot open /nowhere/x.avi: no such file");
    assertThat(sent()).isEmpty();
  }

  @Test
  void feedListsAndSourceIds() throws Exception {
    Path list =
        Files.writeString(
            dir.resolve("feeds.txt"),
            "# cameras\n\ncam-1  rtsp://127.0.0.1:8554/live\ncam-2\t/data/my clip.mp4\n");
    assertThat(VideoFeed.readList(list))
        .containsExactly(
            new VideoFeed("cam-1", "rtsp://127.0.0.1:8554/live"),
            new VideoFeed("cam-2", "/data/my clip.mp4"));
    Files.writeString(list, "cam-1 a.mp4\ncam-1 b.mp4\n");
    assertThatThrownBy(() -> VideoFeed.readList(list)).hasMessageContaining("two feeds");
    Files.writeString(list, "lonely\n");
    assertThatThrownBy(() -> VideoFeed.readList(list)).hasMessageContaining("line 1");
    assertThat(VideoFeed.of(List.of("a.mp4", "b.mp4"), List.of("cam")))
        .extracting(VideoFeed::sourceId)
        .containsExactly("cam-1", "cam-2");
    assertThat(VideoFeed.of(List.of("http://h/x/street cam.mp4?t=1"), List.of()))
        .extracting(VideoFeed::sourceId)
        .containsExactly("street_cam");
    assertThatThrownBy(() -> VideoFeed.of(List.of("a", "b", "c"), List.of("x", "y")))
        .hasMessageContaining("one per URL");
    VideoFeed rtsp = new VideoFeed("c", "rtsp://127.0.0.1/live");
    assertThat(rtsp.isNetwork()).isTrue();
    assertThat(rtsp.localFile()).isNull();
    assertThat(new VideoFeed("c", "file:///tmp/v.mkv").localFile())
        .isEqualTo(Path.of("/tmp/v.mkv"));
    assertThat(new VideoFeed("c", "C:\\v.mkv").isNetwork()).isFalse();
  }

  private static List<Long> range(int n) {
    List<Long> r = new ArrayList<>();
    for (long i = 0; i < n; i++) {
      r.add(i);
    }
    return r;
  }
}
