package io.selfstream.trainer.encoder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import io.selfstream.trainer.augment.U8Image;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EncoderParametersTest {

  @TempDir Path dir;

  @Test
  void exportImportRoundTripIsBitExact() {
    try (Encoder a = Encoder.create(TestModels.TINY, Device.cpu(), 1);
        Encoder b = Encoder.create(TestModels.TINY, Device.cpu(), 2)) {
      ParameterSnapshot sa = a.exportParameters();
      assertThat(sa.values().keySet()).first().isEqualTo(VisionTransformer.CLS_TOKEN);
      assertThat(sa.count()).isEqualTo(a.parameterCount());
      assertThat(b.exportParameters().bitEquals(sa)).isFalse();
      b.importParameters(sa);
      assertThat(b.exportParameters().bitEquals(sa)).isTrue();
      List<U8Image> imgs = VisionTransformerTest.randomImages(3, 5);
      List<Prediction> pa = a.predict(imgs);
      List<Prediction> pb = b.predict(imgs);
      for (int i = 0; i < 3; i++) {
        assertThat(pb.get(i).probabilities()).isEqualTo(pa.get(i).probabilities());
        assertThat(pb.get(i).features()).isEqualTo(pa.get(i).features());
      }
    }
  }

  @Test
  void sameSeedSameInitialWeights() {
    try (Encoder a = Encoder.create(TestModels.TINY, Device.cpu(), 9);
        Encoder b = Encoder.create(TestModels.TINY, Device.cpu(), 9)) {
      assertThat(a.exportParameters().bitEquals(b.exportParameters())).isTrue();
    }
  }

  @Test
  void importRejectsMismatchesWithoutChangingAnything() {
    try (Encoder a = Encoder.create(TestModels.TINY, Device.cpu(), 1);
        Encoder other = Encoder.create(TestModels.TINY.withSize(16, 2, 2, 2.0), Device.cpu(), 1)) {
      ParameterSnapshot before = a.exportParameters();
      assertThatThrownBy(() -> a.importParameters(other.exportParameters()))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("shape");
      LinkedHashMap<String, float[]> v = new LinkedHashMap<>(before.values());
      LinkedHashMap<String, long[]> s = new LinkedHashMap<>(before.shapes());
      String last = v.keySet().stream().reduce((x, y) -> y).orElseThrow();
      v.remove(last);
      s.remove(last);
      assertThatThrownBy(() -> a.importParameters(new ParameterSnapshot(v, s)))
          .hasMessageContaining("parameters");
      assertThat(a.exportParameters().bitEquals(before)).isTrue();
    }
  }

  @Test
  void saveLoadRoundTripIsBitExactAndAtomic() throws IOException {
    Path file = dir.resolve("models/encoder.bin");
    EncoderConfig cfg = TestModels.TINY.withMask(7, 0.6);
    try (Encoder a = Encoder.create(cfg, Device.cpu(), 4)) {
      a.save(file);
      a.save(file); // overwrite in place
      try (var files = Files.list(file.getParent())) {
        assertThat(files).containsExactly(file); // no temp files left behind
      }
      try (Encoder b = Encoder.load(file, Device.cpu())) {
        assertThat(b.config()).isEqualTo(cfg);
        assertThat(b.exportParameters().bitEquals(a.exportParameters())).isTrue();
      }
    }
  }

  @Test
  void bytePayloadRoundTripIsBitExact() throws IOException {
    try (Encoder a = Encoder.create(TestModels.TINY, Device.cpu(), 6)) {
      byte[] payload = EncoderFile.encode(a.config(), a.exportParameters());
      EncoderFile.Contents c = EncoderFile.decode(payload);
      assertThat(c.config()).isEqualTo(a.config());
      assertThat(c.parameters().bitEquals(a.exportParameters())).isTrue();
      payload[payload.length - 20] ^= 1;
      assertThatThrownBy(() -> EncoderFile.decode(payload)).hasMessageContaining("checksum");
    }
  }

  @Test
  void damagedFilesAreRejected() throws IOException {
    Path file = dir.resolve("encoder.bin");
    try (Encoder a = Encoder.create(TestModels.TINY, Device.cpu(), 4)) {
      a.save(file);
    }
    byte[] bytes = Files.readAllBytes(file);
    byte[] flipped = bytes.clone();
    flipped[bytes.length / 2] ^= 0x10;
    Path bad = dir.resolve("flipped.bin");
    Files.write(bad, flipped);
    assertThatThrownBy(() -> Encoder.load(bad, Device.cpu()))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("checksum");
    Path cut = dir.resolve("cut.bin");
    Files.write(cut, java.util.Arrays.copyOf(bytes, bytes.length - 100));
    assertThatThrownBy(() -> Encoder.load(cut, Device.cpu()))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("truncated");
    Path junk = dir.resolve("junk.bin");
    Files.write(junk, new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
    assertThatThrownBy(() -> Encoder.load(junk, Device.cpu()))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("not a selfstream encoder file");
  }
}
