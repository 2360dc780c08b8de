package io.selfstream.ingest.source;

import static io.selfstream.ingest.TestImages.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.selfstream.data.FashionMnist;
import io.selfstream.data.IdxFile;
import io.selfstream.ingest.TestImages;
import io.selfstream.schemas.avro.FrameEncoding;
import io.selfstream.schemas.avro.RawFrame;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.NoSuchElementException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxSourceTest {

  @Test
  void readsTheRealFashionMnistTestImagesFromGzip() throws IOException {
    Path file = FashionMnist.DEBIAN_DIR.resolve("t10k-images-idx3-ubyte.gz");
    FashionMnist mnist = TestImages.fashionMnist();
    try (IdxSource source = new IdxSource(file, "fmnist")) {
      assertThat(source.size()).hasValue(10_000);
      assertThat(source.width()).isEqualTo(28);
      assertThat(source.height()).isEqualTo(28);
      long count = 0;
      while (source.hasNext()) {
        RawFrame frame = source.next();
        assertThat(frame.getSeq()).isEqualTo(count);
        if (count % 997 == 0) {
          assertThat(frame.getSourceId()).isEqualTo("fmnist");
          assertThat(frame.getEncoding()).isEqualTo(FrameEncoding.RAW_U8);
          assertThat(frame.getWidth()).isEqualTo(28);
          assertThat(frame.getHeight()).isEqualTo(28);
          assertThat(frame.getChannels()).isEqualTo(1);
          assertThat(bytes(frame.getBytes())).isEqualTo(mnist.image((int) count));
          assertThat(frame.getOrigin()).isEqualTo("t10k-images-idx3-ubyte.gz#" + count);
        }
        count++;
      }
      assertThat(count).isEqualTo(10_000);
      assertThatThrownBy(source::next).isInstanceOf(NoSuchElementException.class);
    }
  }

  @Test
  void readsUncompressedIdxWithStartSeqAndClock(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("five-images-idx3-ubyte");
    try (OutputStream raw = Files.newOutputStream(file);
        DataOutputStream out = new DataOutputStream(raw)) {
      out.writeInt(0x00000803);
      out.writeInt(5);
      out.writeInt(28);
      out.writeInt(28);
      for (int i = 0; i < 5; i++) {
        out.write(TestImages.image(100 + i));
      }
    }
    Clock clock = Clock.fixed(Instant.parse("2025-03-01T10:00:00Z"), ZoneOffset.UTC);
    IdxSource source = new IdxSource(IdxFile.read(file), "five", "s", 1000, clock);
    assertThat(source.stream().toList())
        .extracting(RawFrame::getSeq)
        .containsExactly(1000L, 1001L, 1002L, 1003L, 1004L);
    source = new IdxSource(IdxFile.read(file), "five", "s", 0, clock);
    RawFrame first = source.next();
    assertThat(first.getCaptureTimeMs()).isEqualTo(clock.instant());
    assertThat(bytes(first.getBytes())).isEqualTo(TestImages.image(100));
  }

  @Test
  void labelFilesAreNotImages() throws IOException {
    IdxFile labels = IdxFile.read(FashionMnist.DEBIAN_DIR.resolve("t10k-labels-idx1-ubyte.gz"));
    assertThatThrownBy(() -> new IdxSource(labels, "labels", "s", 0, Clock.systemUTC()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("rank 1");
  }

  @Test
  void limitAndRateDecoratorsKeepSeqAndStop() {
    IdxFile idx = new IdxFile(new int[] {10, 2, 2}, new byte[40]);
    FrameSource limited = new IdxSource(idx, "tiny", "s", 0, Clock.systemUTC()).limit(3);
    assertThat(limited.size()).hasValue(3);
    assertThat(limited.stream().map(RawFrame::getSeq).toList()).containsExactly(0L, 1L, 2L);
    assertThat(new IdxSource(idx, "tiny", "s", 0, Clock.systemUTC()).limit(0).size()).hasValue(10);
    assertThat(new IdxSource(idx, "tiny", "s", 0, Clock.systemUTC()).limit(50).size()).hasValue(10);
  }
}
