package io.selfstream.ingest.normalize;

import static io.selfstream.ingest.TestImages.bytes;
import static io.selfstream.ingest.TestImages.frame;
import static io.selfstream.ingest.TestImages.image;
import static org.assertj.core.api.Assertions.assertThat;

import io.selfstream.ingest.AvroSerde;
import io.selfstream.ingest.TestImages;
import io.selfstream.ingest.image.ImageFormats;
import io.selfstream.ingest.image.Pixels;
import io.selfstream.ingest.image.ResizeMethod;
import io.selfstream.schemas.Topics;
import io.selfstream.schemas.avro.DeadFrame;
import io.selfstream.schemas.avro.DeadLetterReason;
import io.selfstream.schemas.avro.Frame;
import io.selfstream.schemas.avro.FrameEncoding;
import io.selfstream.schemas.avro.RawFrame;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.Random;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyDescription;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class NormalizerTopologyTest {

  private static final String SOURCE = "cam-1";
  private static final AvroSerde<RawFrame> RAW = new AvroSerde<>(RawFrame.class);
  private static final AvroSerde<Frame> FRAME = new AvroSerde<>(Frame.class);
  private static final AvroSerde<DeadFrame> DEAD = new AvroSerde<>(DeadFrame.class);

  private TopologyTestDriver driver;
  private TestInputTopic<String, RawFrame> in;
  private TestInputTopic<String, byte[]> inBytes;
  private TestOutputTopic<String, Frame> frames;
  private TestOutputTopic<String, DeadFrame> dlq;
  private long piped;

  private void start(NormalizerSettings settings) {
    Properties props = NormalizerApp.streamsProperties(settings, "unused:9092");
    driver =
        new TopologyTestDriver(
            NormalizerTopology.build(settings, RAW, FRAME, DEAD),
            props,
            Instant.parse("2025-01-01T00:00:00Z"));
    in =
        driver.createInputTopic(Topics.FRAMES_RAW.name(), new StringSerializer(), RAW.serializer());
    inBytes =
        driver.createInputTopic(
            Topics.FRAMES_RAW.name(), new StringSerializer(), new ByteArraySerializer());
    frames =
        driver.createOutputTopic(
            Topics.FRAMES.name(), new StringDeserializer(), FRAME.deserializer());
    dlq =
        driver.createOutputTopic(
            Topics.FRAMES_DLQ.name(), new StringDeserializer(), DEAD.deserializer());
  }

  @AfterEach
  void close() {
    if (driver != null) {
      driver.close();
    }
  }

  private void pipe(RawFrame raw) {
    in.pipeInput(raw.getSourceId(), raw);
    piped++;
  }

  private void pipeBytes(String key, byte[] value) {
    inBytes.pipeInput(key, value);
    piped++;
  }

  private static RawFrame raw(long seq, int w, int h, int c, byte[] bytes) {
    return frame(SOURCE, seq, FrameEncoding.RAW_U8, w, h, c, bytes);
  }

  private static RawFrame encoded(long seq, FrameEncoding encoding, byte[] bytes) {
    return frame(SOURCE, seq, encoding, 0, 0, 1, bytes);
  }

  /** The single dead letter the last input produced; checks reason and provenance. */
  private DeadFrame expectDead(DeadLetterReason reason, byte[] original) {
    assertThat(frames.isEmpty()).as("nothing on frames").isTrue();
    TestRecord<String, DeadFrame> record = dlq.readRecord();
    DeadFrame dead = record.value();
    assertThat(dead.getReason()).as(dead.getMessage()).isEqualTo(reason);
    assertThat(dead.getMessage()).isNotBlank();
    assertThat(dead.getTopic()).isEqualTo(Topics.FRAMES_RAW.name());
    assertThat(dead.getPartition()).isZero();
    assertThat(dead.getOffset()).isEqualTo(piped - 1);
    if (original == null) {
      assertThat(dead.getOriginalBytes()).isNull();
    } else {
      assertThat(bytes(dead.getOriginalBytes())).isEqualTo(original);
    }
    assertThat(
            new String(
                record.headers().lastHeader(NormalizerProcessor.REASON_HEADER).value(),
                StandardCharsets.UTF_8))
        .isEqualTo(reason.name());
    assertThat(dlq.isEmpty()).isTrue();
    return dead;
  }

  private void expectDead(RawFrame raw, DeadLetterReason reason) {
    pipe(raw);
    DeadFrame dead = expectDead(reason, RAW.toBytes(raw));
    assertThat(dead.getSeq()).isEqualTo(raw.getSeq());
    assertThat(dead.getSourceId()).isEqualTo(raw.getSourceId());
  }

  private Frame expectFrame() {
    assertThat(dlq.isEmpty()).as("no dead letters").isTrue();
    Frame frame = frames.readValue();
    assertThat(frames.isEmpty()).isTrue();
    return frame;
  }

  @Test
  void rawFashionMnistFramesPassByteIdenticalAndInOrder() {
    start(NormalizerSettings.defaults());
    List<RawFrame> sent = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      RawFrame raw = raw(i, 28, 28, 1, image(i));
      sent.add(raw);
      pipe(raw);
    }
    List<KeyValue<String, Frame>> out = frames.readKeyValuesToList();
    assertThat(out).hasSize(50);
    assertThat(dlq.isEmpty()).isTrue();
    for (int i = 0; i < 50; i++) {
      Frame f = out.get(i).value;
      assertThat(out.get(i).key).isEqualTo(SOURCE);
      assertThat(f.getSourceId()).isEqualTo(SOURCE);
      assertThat(f.getSeq()).isEqualTo(i);
      assertThat(f.getCaptureTimeMs()).isEqualTo(sent.get(i).getCaptureTimeMs());
      assertThat(f.getWidth()).isEqualTo(28);
      assertThat(f.getHeight()).isEqualTo(28);
      assertThat(f.getChannels()).isEqualTo(1);
      assertThat(bytes(f.getPixels())).isEqualTo(image(i));
      assertThat(f.getOriginalWidth()).isEqualTo(28);
      assertThat(f.getOriginalEncoding()).isEqualTo(FrameEncoding.RAW_U8);
      assertThat(f.getRawPartition()).isZero();
      assertThat(f.getRawOffset()).isEqualTo(i);
      assertThat(f.getOrigin()).isEqualTo("test#" + i);
      assertThat(f.getNormalizedAtMs().toEpochMilli()).isPositive();
    }
  }

  @Test
  void pngAtModelSizeIsLossless() {
    start(NormalizerSettings.defaults());
    pipe(encoded(0, FrameEncoding.PNG, TestImages.png(image(3), 28, 28)));
    Frame f = expectFrame();
    assertThat(bytes(f.getPixels())).isEqualTo(image(3));
    assertThat(f.getOriginalEncoding()).isEqualTo(FrameEncoding.PNG);
  }

  @Test
  void png56x56IsResizedTo28x28() {
    byte[] big = TestImages.upscale(image(7), 28, 28, 2);
    for (ResizeMethod method : List.of(ResizeMethod.AREA, ResizeMethod.BILINEAR)) {
      NormalizerSettings s = NormalizerSettings.defaults();
      start(
          new NormalizerSettings(
              s.applicationId(),
              28,
              28,
              1,
              method,
              true,
              s.maxDimension(),
              s.maxRecordBytes(),
              s.dlqMaxOriginalBytes(),
              1,
              s.commitInterval(),
              s.stateDir()));
      pipe(encoded(0, FrameEncoding.PNG, TestImages.png(big, 56, 56)));
      Frame f = expectFrame();
      assertThat(f.getWidth()).isEqualTo(28);
      assertThat(f.getOriginalWidth()).isEqualTo(56);
      assertThat(f.getOriginalHeight()).isEqualTo(56);
      assertThat(bytes(f.getPixels())).as(method.name()).isEqualTo(image(7));
      driver.close();
      driver = null;
    }
  }

  @Test
  void rgbJpegBecomesGray() {
    start(NormalizerSettings.defaults());
    byte[] rgb = TestImages.tinted(image(11));
    pipe(encoded(0, FrameEncoding.JPEG, TestImages.rgbJpeg(rgb, 28, 28)));
    Frame f = expectFrame();
    assertThat(f.getChannels()).isEqualTo(1);
    assertThat(f.getPixels().remaining()).isEqualTo(28 * 28);
    byte[] expected = Pixels.convert(rgb, 28 * 28, 3, 1);
    assertThat(TestImages.meanAbsDiff(bytes(f.getPixels()), expected)).isLessThan(4.0);
    assertThat(f.getOriginalEncoding()).isEqualTo(FrameEncoding.JPEG);
  }

  @Test
  void grayBecomesRgbWhenTheModelTakesRgb() {
    start(NormalizerSettings.defaults().withShape(28, 28, 3));
    pipe(raw(0, 28, 28, 1, image(5)));
    Frame f = expectFrame();
    assertThat(f.getChannels()).isEqualTo(3);
    byte[] px = bytes(f.getPixels());
    byte[] gray = image(5);
    for (int i = 0; i < gray.length; i++) {
      assertThat(new byte[] {px[3 * i], px[3 * i + 1], px[3 * i + 2]}).containsOnly(gray[i]);
    }
  }

  @Test
  void rgbaRawFramesLoseTheirAlpha() {
    start(NormalizerSettings.defaults().withShape(28, 28, 3));
    byte[] rgb = TestImages.tinted(image(2));
    byte[] rgba = new byte[28 * 28 * 4];
    for (int i = 0; i < 28 * 28; i++) {
      System.arraycopy(rgb, 3 * i, rgba, 4 * i, 3);
      rgba[4 * i + 3] = (byte) 0x80;
    }
    pipe(raw(0, 28, 28, 4, rgba));
    assertThat(bytes(expectFrame().getPixels())).isEqualTo(rgb);
  }

  @Test
  void progressiveJpegAndBytesAfterEoiAreAccepted() {
    start(NormalizerSettings.defaults());
    byte[] rgb = TestImages.tinted(image(20));
    byte[] progressive = ImageFormats.encodeJpeg(ImageFormats.rgbImage(rgb, 28, 28), 1.0f, true);
    pipe(encoded(0, FrameEncoding.JPEG, progressive));
    expectFrame();
    byte[] baseline = TestImages.rgbJpeg(rgb, 28, 28);
    byte[] padded = Arrays.copyOf(baseline, baseline.length + 100);
    pipe(encoded(1, FrameEncoding.JPEG, padded));
    expectFrame();
  }

  @Test
  void everyBadInputLandsInTheDlqWithItsReasonAndOriginalBytes() {
    NormalizerSettings d = NormalizerSettings.defaults();
    start(
        new NormalizerSettings(
            d.applicationId(),
            28,
            28,
            1,
            ResizeMethod.AREA,
            true,
            d.maxDimension(),
            64 * 1024,
            d.dlqMaxOriginalBytes(),
            1,
            d.commitInterval(),
            d.stateDir()));
    byte[] png = TestImages.png(image(0), 28, 28);
    byte[] jpeg = TestImages.rgbJpeg(TestImages.tinted(image(1)), 28, 28);
    byte[] noise = new byte[2000];
    new Random(7).nextBytes(noise);
    noise[0] = 0x13;

    // null value (tombstone)
    pipeBytes(SOURCE, null);
    DeadFrame nullValue = expectDead(DeadLetterReason.NULL_VALUE, null);
    assertThat(nullValue.getSourceId()).isEqualTo(SOURCE);
    assertThat(nullValue.getSeq()).isNull();

    // values that cannot be deserialized: garbage, and a RawFrame cut short
    byte[] garbage = {-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1};
    pipeBytes(SOURCE, garbage);
    assertThat(expectDead(DeadLetterReason.UNDESERIALIZABLE, garbage).getSeq()).isNull();
    byte[] serialized = RAW.toBytes(raw(9, 28, 28, 1, image(9)));
    byte[] cut = Arrays.copyOf(serialized, serialized.length / 2);
    pipeBytes(SOURCE, cut);
    expectDead(DeadLetterReason.UNDESERIALIZABLE, cut);
    pipeBytes(null, new byte[0]);
    assertThat(expectDead(DeadLetterReason.UNDESERIALIZABLE, new byte[0]).getSourceId()).isNull();

    // oversized record (limit 64 KiB here)
    byte[] big = new byte[300 * 300];
    pipeBytes(SOURCE, RAW.toBytes(raw(10, 300, 300, 1, big)));
    expectDead(DeadLetterReason.OVERSIZED, RAW.toBytes(raw(10, 300, 300, 1, big)));

    expectDead(encoded(11, FrameEncoding.UNKNOWN, png), DeadLetterReason.UNKNOWN_ENCODING);

    // undecodable
    expectDead(encoded(12, FrameEncoding.PNG, noise), DeadLetterReason.UNDECODABLE);
    expectDead(encoded(13, FrameEncoding.JPEG, noise), DeadLetterReason.UNDECODABLE);
    expectDead(encoded(14, FrameEncoding.PNG, new byte[0]), DeadLetterReason.UNDECODABLE);
    expectDead(encoded(15, FrameEncoding.JPEG, new byte[0]), DeadLetterReason.UNDECODABLE);
    expectDead(encoded(16, FrameEncoding.PNG, jpeg), DeadLetterReason.UNDECODABLE);
    byte[] badCrc = png.clone();
    badCrc[40] ^= 0x55; // inside the IDAT data
    expectDead(encoded(17, FrameEncoding.PNG, badCrc), DeadLetterReason.UNDECODABLE);
    byte[] badScan = jpeg.clone(); // valid structure, garbage where the Huffman tables are
    int dht = indexOf(badScan, new byte[] {-1, (byte) 0xC4});
    Arrays.fill(badScan, dht + 4, dht + 30, (byte) 0x7f);
    expectDead(encoded(18, FrameEncoding.JPEG, badScan), DeadLetterReason.UNDECODABLE);

    // truncated
    for (int n : new int[] {png.length - 1, png.length - 12, png.length / 2, 9, 33}) {
      expectDead(
          encoded(20, FrameEncoding.PNG, Arrays.copyOf(png, n)), DeadLetterReason.TRUNCATED_IMAGE);
    }
    for (int n : new int[] {jpeg.length - 1, jpeg.length - 2, jpeg.length * 3 / 4, 400, 3}) {
      expectDead(
          encoded(21, FrameEncoding.JPEG, Arrays.copyOf(jpeg, n)),
          DeadLetterReason.TRUNCATED_IMAGE);
    }

    // bad dimensions
    expectDead(raw(30, 0, 28, 1, new byte[0]), DeadLetterReason.BAD_DIMENSIONS);
    expectDead(raw(31, 28, -1, 1, new byte[0]), DeadLetterReason.BAD_DIMENSIONS);
    expectDead(raw(32, 100_000, 1, 1, new byte[100]), DeadLetterReason.BAD_DIMENSIONS);
    expectDead(raw(33, 28, 28, 2, new byte[28 * 28 * 2]), DeadLetterReason.BAD_DIMENSIONS);
    expectDead(raw(34, 28, 28, 0, new byte[0]), DeadLetterReason.BAD_DIMENSIONS);
    expectDead(
        encoded(35, FrameEncoding.PNG, pngWithHeader(100_000, 100_000)),
        DeadLetterReason.BAD_DIMENSIONS);
    expectDead(
        encoded(36, FrameEncoding.PNG, pngWithHeader(0, 28)), DeadLetterReason.BAD_DIMENSIONS);
    expectDead(
        encoded(37, FrameEncoding.PNG, pngWithHeader(28, 5000)), DeadLetterReason.BAD_DIMENSIONS);

    // byte length not width x height x channels
    expectDead(raw(40, 28, 28, 1, Arrays.copyOf(image(0), 783)), DeadLetterReason.SIZE_MISMATCH);
    expectDead(raw(41, 28, 28, 1, Arrays.copyOf(image(0), 785)), DeadLetterReason.SIZE_MISMATCH);
    expectDead(raw(42, 28, 28, 3, image(0)), DeadLetterReason.SIZE_MISMATCH);

    // blank source id
    expectDead(frame(" ", 43, FrameEncoding.RAW_U8, 28, 28, 1, image(0)), DeadLetterReason.OTHER);

    // still alive: a good frame passes after all that
    pipe(raw(50, 28, 28, 1, image(50)));
    assertThat(bytes(expectFrame().getPixels())).isEqualTo(image(50));
  }

  @Test
  void aValueClaimingAHugeBytesFieldIsADeadLetterNotACrash() throws Exception {
    start(NormalizerSettings.defaults());
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    org.apache.avro.io.BinaryEncoder e =
        org.apache.avro.io.EncoderFactory.get().binaryEncoder(out, null);
    e.writeString(SOURCE); // sourceId
    e.writeLong(0); // seq
    e.writeLong(0); // captureTimeMs
    e.writeEnum(1); // RAW_U8
    e.writeInt(28);
    e.writeInt(28);
    e.writeInt(1);
    e.writeLong(Integer.MAX_VALUE - 16); // "bytes" length: about 2 GB, more than the test heap
    e.flush();
    byte[] hostile = out.toByteArray();
    pipeBytes(SOURCE, hostile);
    expectDead(DeadLetterReason.UNDESERIALIZABLE, hostile);
    pipe(raw(1, 28, 28, 1, image(1)));
    assertThat(bytes(expectFrame().getPixels())).isEqualTo(image(1));
  }

  @Test
  void modelShapeMismatchWhenResizeAndConversionAreOff() {
    NormalizerSettings d = NormalizerSettings.defaults();
    start(
        new NormalizerSettings(
            d.applicationId(),
            28,
            28,
            1,
            ResizeMethod.NONE,
            false,
            d.maxDimension(),
            d.maxRecordBytes(),
            d.dlqMaxOriginalBytes(),
            1,
            d.commitInterval(),
            d.stateDir()));
    expectDead(
        raw(0, 56, 56, 1, TestImages.upscale(image(0), 28, 28, 2)),
        DeadLetterReason.MODEL_SHAPE_MISMATCH);
    expectDead(
        raw(1, 28, 28, 3, TestImages.tinted(image(1))), DeadLetterReason.MODEL_SHAPE_MISMATCH);
    pipe(raw(2, 28, 28, 1, image(2)));
    assertThat(bytes(expectFrame().getPixels())).isEqualTo(image(2));
  }

  @Test
  void deadLettersKeepAtMostTheConfiguredOriginalBytes() {
    NormalizerSettings d = NormalizerSettings.defaults();
    start(
        new NormalizerSettings(
            d.applicationId(),
            28,
            28,
            1,
            ResizeMethod.AREA,
            true,
            d.maxDimension(),
            1000,
            500,
            1,
            d.commitInterval(),
            d.stateDir()));
    byte[] value = RAW.toBytes(raw(0, 40, 40, 1, new byte[1600]));
    pipeBytes(SOURCE, value);
    TestRecord<String, DeadFrame> record = dlq.readRecord();
    assertThat(record.value().getReason()).isEqualTo(DeadLetterReason.OVERSIZED);
    assertThat(bytes(record.value().getOriginalBytes())).isEqualTo(Arrays.copyOf(value, 500));
    assertThat(record.value().getMessage()).contains("cut to 500 of " + value.length);
  }

  @Test
  void framesInEqualFramesOutPlusDeadLettersOnAMixedStream() {
    start(NormalizerSettings.defaults());
    Random random = new Random(42);
    int expectedGood = 0;
    int expectedDead = 0;
    for (int i = 0; i < 300; i++) {
      byte[] px = image(i);
      int kind = random.nextInt(6);
      switch (kind) {
        case 0 -> pipe(encoded(i, FrameEncoding.PNG, TestImages.png(px, 28, 28)));
        case 1 -> {
          byte[] png = TestImages.png(px, 28, 28);
          pipe(encoded(i, FrameEncoding.PNG, Arrays.copyOf(png, random.nextInt(png.length))));
        }
        case 2 -> pipe(raw(i, 28, 28, 1, Arrays.copyOf(px, random.nextInt(784))));
        case 3 -> pipeBytes(SOURCE, Arrays.copyOf(RAW.toBytes(raw(i, 28, 28, 1, px)), 20));
        default -> pipe(raw(i, 28, 28, 1, px));
      }
      if (kind == 0 || kind >= 4) {
        expectedGood++;
      } else {
        expectedDead++;
      }
    }
    List<Frame> good = frames.readValuesToList();
    List<DeadFrame> dead = dlq.readValuesToList();
    assertThat(good).hasSize(expectedGood);
    assertThat(dead).hasSize(expectedDead);
    assertThat(good.size() + dead.size()).isEqualTo(piped);
    long previous = -1;
    for (Frame f : good) {
      assertThat(f.getSeq()).isGreaterThan(previous);
      previous = f.getSeq();
      assertThat(bytes(f.getPixels())).isEqualTo(image((int) f.getSeq()));
    }
  }

  @Test
  void topologyReadsAndWritesTheCatalogueTopicsWithExactlyOnce() {
    NormalizerSettings settings = NormalizerSettings.defaults();
    TopologyDescription description =
        NormalizerTopology.build(settings, RAW, FRAME, DEAD).describe();
    String text = description.toString();
    assertThat(text)
        .contains("[" + Topics.FRAMES_RAW.name() + "]")
        .contains("topic: " + Topics.FRAMES.name() + ")")
        .contains("topic: " + Topics.FRAMES_DLQ.name() + ")");
    Properties props = NormalizerApp.streamsProperties(settings, "broker:9092");
    assertThat(props.getProperty(StreamsConfig.PROCESSING_GUARANTEE_CONFIG))
        .isEqualTo(StreamsConfig.EXACTLY_ONCE_V2);
    assertThat(props.getProperty(StreamsConfig.APPLICATION_ID_CONFIG))
        .isEqualTo("selfstream-normalizer");
  }

  static byte[] pngWithHeader(int w, int h) {
    return io.selfstream.ingest.BrokenFilesAccess.pngWithHeader(w, h);
  }

  private static int indexOf(byte[] data, byte[] pattern) {
    outer:
    for (int i = 0; i + pattern.length <= data.length; i++) {
      for (int j = 0; j < pattern.length; j++) {
        if (data[i + j] != pattern[j]) {
          continue outer;
        }
      }
      return i;
    }
    throw new IllegalArgumentException("pattern not found");
  }
}
