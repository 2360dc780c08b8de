package io.selfstream.ingest.corrupt;

import static io.selfstream.ingest.TestImages.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.selfstream.data.FashionMnist;
import io.selfstream.data.IdxFile;
import io.selfstream.ingest.TestImages;
import io.selfstream.ingest.source.FrameSource;
import io.selfstream.schemas.avro.EvalLabel;
import io.selfstream.schemas.avro.FrameEncoding;
import io.selfstream.schemas.avro.RawFrame;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.NoSuchElementException;
import org.junit.jupiter.api.Test;

class CorruptedStreamTest {

  private static final Clock CLOCK =
      Clock.fixed(Instant.parse("2024-05-01T00:00:00Z"), ZoneOffset.UTC);

  /** The first {@code n} test images, so whole-split streams stay quick. */
  static FashionMnist firstImages(int n) {
    FashionMnist all = TestImages.fashionMnist();
    return new FashionMnist(
        new IdxFile(new int[] {n, 28, 28}, Arrays.copyOf(all.images().data(), n * 28 * 28)),
        new IdxFile(new int[] {n}, Arrays.copyOf(all.labels().data(), n)));
  }

  private static CorruptedStream stream(CorruptedStream.Config config) {
    return new CorruptedStream(TestImages.fashionMnist(), config, CLOCK);
  }

  @Test
  void streamsEveryDomainInTurnWithContinuousSeqAndLabelsOnTheSide() {
    CorruptedStream.Config config =
        CorruptedStream.Config.defaults().withLimitPerDomain(6).withSeed(7).withStartSeq(100);
    CorruptedStream stream = stream(config);
    List<EvalLabel> heard = new ArrayList<>();
    stream.onLabel(heard::add);
    assertThat(stream.size()).hasValue(90);
    assertThat(stream.sourceId()).isEqualTo("fmnist-c");
    assertThat(stream.domains()).hasSize(15);
    for (int d = 0; d < 15; d++) {
      CorruptedStream.Domain domain = stream.domains().get(d);
      assertThat(domain.corruption()).isEqualTo(Corruption.values()[d]);
      assertThat(domain.severity()).isEqualTo(5);
      assertThat(domain.firstIndex()).isEqualTo(6L * d);
      assertThat(domain.count()).isEqualTo(6);
    }
    FashionMnist data = TestImages.fashionMnist();
    long i = 0;
    while (stream.hasNext()) {
      LabeledFrame f = stream.nextLabeled();
      RawFrame frame = f.frame();
      EvalLabel label = f.label();
      Corruption expected = Corruption.values()[(int) (i / 6)];
      assertThat(f.index()).isEqualTo(i);
      assertThat(frame.getSeq()).isEqualTo(100 + i);
      assertThat(frame.getSourceId()).isEqualTo("fmnist-c");
      assertThat(frame.getEncoding()).isEqualTo(FrameEncoding.RAW_U8);
      assertThat(frame.getWidth()).isEqualTo(28);
      assertThat(frame.getHeight()).isEqualTo(28);
      assertThat(frame.getChannels()).isEqualTo(1);
      assertThat(frame.getCaptureTimeMs()).isEqualTo(CLOCK.instant());
      assertThat(frame.getOrigin()).isEqualTo("fashion-mnist-c-s5-images-idx3-ubyte#" + i);
      assertThat(f.corruption()).isEqualTo(expected);
      // the frame is the corruption of the labelled image, seeded per (seed, corruption, severity,
      // image)
      byte[] again =
          expected.apply(
              data.image(f.imageIndex()),
              28,
              28,
              1,
              5,
              CorruptedStream.mix(7, expected.ordinal(), 5, f.imageIndex()));
      assertThat(bytes(frame.getBytes())).isEqualTo(again);
      assertThat(label.getSourceId()).isEqualTo("fmnist-c");
      assertThat(label.getSeq()).isEqualTo(frame.getSeq());
      assertThat(label.getLabel()).isEqualTo(data.label(f.imageIndex()));
      assertThat(label.getLabelName())
          .isEqualTo(FashionMnist.CLASS_NAMES.get(data.label(f.imageIndex())));
      assertThat(label.getDomain()).isEqualTo(expected.id());
      assertThat(label.getSeverity()).isEqualTo(5);
      assertThat(heard.get((int) i)).isEqualTo(label);
      i++;
    }
    assertThat(i).isEqualTo(90);
    assertThat(heard).hasSize(90);
    assertThat(stream.position()).isEqualTo(90);
    assertThatThrownBy(stream::next).isInstanceOf(NoSuchElementException.class);
  }

  @Test
  void theSameSeedGivesTheSameStreamAndAnotherSeedAnotherOne() {
    CorruptedStream.Config config =
        CorruptedStream.Config.defaults().withLimitPerDomain(4).withSeverity(3).withSeed(42);
    List<LabeledFrame> a = drain(stream(config));
    List<LabeledFrame> b = drain(stream(config));
    List<LabeledFrame> c = drain(stream(config.withSeed(43)));
    assertThat(a).hasSize(60);
    for (int i = 0; i < a.size(); i++) {
      assertThat(bytes(b.get(i).frame().getBytes())).isEqualTo(bytes(a.get(i).frame().getBytes()));
      assertThat(b.get(i).label()).isEqualTo(a.get(i).label());
    }
    assertThat(c.stream().map(LabeledFrame::imageIndex).toList())
        .isNotEqualTo(a.stream().map(LabeledFrame::imageIndex).toList());
  }

  @Test
  void eachDomainWalksASeededShuffleOfTheWholeSplit() {
    CorruptedStream stream =
        new CorruptedStream(firstImages(300), CorruptedStream.Config.defaults(), CLOCK);
    int[] fog = stream.imageOrder(Corruption.FOG);
    int[] snow = stream.imageOrder(Corruption.SNOW);
    assertThat(Arrays.stream(fog).sorted().toArray())
        .isEqualTo(java.util.stream.IntStream.range(0, 300).toArray());
    assertThat(fog).isNotEqualTo(snow);
    assertThat(fog).isNotEqualTo(java.util.stream.IntStream.range(0, 300).toArray());
    assertThat(stream.imageOrder(Corruption.FOG)).isEqualTo(fog);
  }

  @Test
  void theWholeSplitPassesThroughEveryDomainWithoutReset() {
    FashionMnist small = firstImages(40);
    CorruptedStream stream =
        new CorruptedStream(small, CorruptedStream.Config.defaults().withSeverity(1), CLOCK);
    assertThat(stream.size()).hasValue(600);
    List<LabeledFrame> all = drain(stream);
    for (int d = 0; d < 15; d++) {
      List<Integer> images =
          all.subList(40 * d, 40 * (d + 1)).stream()
              .map(LabeledFrame::imageIndex)
              .sorted()
              .toList();
      assertThat(images).isEqualTo(java.util.stream.IntStream.range(0, 40).boxed().toList());
      assertThat(all.get(40 * d).label().getDomain()).isEqualTo(Corruption.values()[d].id());
    }
    for (int i = 0; i < all.size(); i++) {
      assertThat(all.get(i).frame().getSeq()).isEqualTo(i);
    }
  }

  @Test
  void aDomainLooksTheSameWhateverTheOrderAndLimit() {
    CorruptedStream.Config base = CorruptedStream.Config.defaults().withSeed(5);
    List<LabeledFrame> inOrder =
        drain(stream(base.withLimitPerDomain(3))).stream()
            .filter(f -> f.corruption() == Corruption.FOG)
            .toList();
    List<LabeledFrame> custom =
        drain(stream(base.withOrder(Corruption.parseList("fog,snow")).withLimitPerDomain(5)));
    assertThat(custom).hasSize(10);
    assertThat(custom.get(0).corruption()).isEqualTo(Corruption.FOG);
    assertThat(custom.get(5).corruption()).isEqualTo(Corruption.SNOW);
    for (int i = 0; i < 3; i++) {
      assertThat(custom.get(i).imageIndex()).isEqualTo(inOrder.get(i).imageIndex());
      assertThat(bytes(custom.get(i).frame().getBytes()))
          .isEqualTo(bytes(inOrder.get(i).frame().getBytes()));
    }
  }

  @Test
  void limitsAboveTheSplitSizeAreCutAndFrameSourceWrappersKeepTheLabels() {
    CorruptedStream stream =
        new CorruptedStream(
            firstImages(10),
            CorruptedStream.Config.defaults()
                .withOrder(List.of(Corruption.CONTRAST, Corruption.JPEG_COMPRESSION))
                .withLimitPerDomain(1000)
                .withSourceId("cam-7"),
            CLOCK);
    assertThat(stream.size()).hasValue(20);
    List<EvalLabel> labels = new ArrayList<>();
    stream.onLabel(labels::add);
    try (FrameSource limited = stream.limit(13)) {
      List<RawFrame> frames = new ArrayList<>();
      limited.forEachRemaining(frames::add);
      assertThat(frames).hasSize(13);
      assertThat(labels).hasSize(13);
      assertThat(labels.get(12).getSeq()).isEqualTo(frames.get(12).getSeq());
      assertThat(labels.get(12).getDomain()).isEqualTo("jpeg_compression");
      assertThat(frames.get(0).getSourceId()).isEqualTo("cam-7");
    }
  }

  @Test
  void badConfigsAreRejected() {
    CorruptedStream.Config ok = CorruptedStream.Config.defaults();
    assertThatThrownBy(() -> ok.withSeverity(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("severity must be 1-5, got 0");
    assertThatThrownBy(() -> ok.withSeverity(6))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("severity must be 1-5, got 6");
    assertThatThrownBy(() -> ok.withOrder(List.of())).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ok.withOrder(List.of(Corruption.FOG, Corruption.FOG)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at most once");
    assertThatThrownBy(() -> ok.withLimitPerDomain(-1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ok.withSourceId(" ")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ok.withStartSeq(-1)).isInstanceOf(IllegalArgumentException.class);
  }

  static List<LabeledFrame> drain(CorruptedStream stream) {
    List<LabeledFrame> out = new ArrayList<>();
    while (stream.hasNext()) {
      out.add(stream.nextLabeled());
    }
    return out;
  }
}
