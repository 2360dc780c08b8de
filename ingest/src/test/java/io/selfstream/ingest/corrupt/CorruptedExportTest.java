package io.selfstream.ingest.corrupt;

import static io.selfstream.ingest.TestImages.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.selfstream.data.IdxFile;
import io.selfstream.ingest.TestImages;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CorruptedExportTest {

  @Test
  void writesTheIdenticalStreamAsIdxFilesWithDomains(@TempDir Path dir) throws IOException {
    CorruptedStream.Config config =
        CorruptedStream.Config.defaults().withLimitPerDomain(20).withSeed(11).withStartSeq(1000);
    List<Long> progress = new ArrayList<>();
    Path out = dir.resolve("export");
    CorruptedExport.Result result =
        CorruptedExport.write(TestImages.fashionMnist(), config, out, progress::add);
    assertThat(result.count()).isEqualTo(300);
    assertThat(progress).last().isEqualTo(300L);
    assertThat(result.images()).isEqualTo(out.resolve("fashion-mnist-c-s5-images-idx3-ubyte"));
    assertThat(result.labels()).isEqualTo(out.resolve("fashion-mnist-c-s5-labels-idx1-ubyte"));

    // standard headers, uncompressed
    try (InputStream raw = Files.newInputStream(result.images());
        DataInputStream in = new DataInputStream(raw)) {
      assertThat(in.readInt()).isEqualTo(0x00000803);
      assertThat(in.readInt()).isEqualTo(300);
      assertThat(in.readInt()).isEqualTo(28);
      assertThat(in.readInt()).isEqualTo(28);
    }
    assertThat(Files.size(result.images())).isEqualTo(16 + 300L * 784);
    assertThat(Files.size(result.labels())).isEqualTo(8 + 300L);

    IdxFile images = IdxFile.read(result.images());
    IdxFile labels = IdxFile.read(result.labels());
    assertThat(images.dims()).containsExactly(300, 28, 28);
    assertThat(labels.dims()).containsExactly(300);
    CorruptedStream again =
        new CorruptedStream(TestImages.fashionMnist(), config, Clock.systemUTC());
    int i = 0;
    while (again.hasNext()) {
      LabeledFrame f = again.nextLabeled();
      assertThat(images.item(i)).as("image %d", i).isEqualTo(bytes(f.frame().getBytes()));
      assertThat(labels.label(i)).as("label %d", i).isEqualTo(f.label().getLabel());
      i++;
    }
    assertThat(i).isEqualTo(300);

    List<String> domains = Files.readAllLines(result.domains());
    assertThat(domains).hasSize(16);
    assertThat(domains.get(0)).isEqualTo("domain,severity,first_index,count,first_seq");
    assertThat(domains.get(1)).isEqualTo("gaussian_noise,5,0,20,1000");
    assertThat(domains.get(15)).isEqualTo("jpeg_compression,5,280,20,1280");
    String manifest = Files.readString(result.manifest());
    assertThat(manifest)
        .contains("\"severity\": 5")
        .contains("\"seed\": 11")
        .contains("\"limitPerDomain\": 20")
        .contains("\"startSeq\": 1000")
        .contains("\"count\": 300")
        .contains("\"order\": [\"gaussian_noise\",\"shot_noise\"")
        .contains("\"generator\": \"" + CorruptedExport.GENERATOR + "\"");
    try (Stream<Path> files = Files.list(out)) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder(
              "fashion-mnist-c-s5-images-idx3-ubyte",
              "fashion-mnist-c-s5-labels-idx1-ubyte",
              "fashion-mnist-c-s5-domains.csv",
              "fashion-mnist-c-s5-manifest.json");
    }
  }

  @Test
  void customOrderAndSeverityNameTheFilesAndReplaceAnOlderExport(@TempDir Path dir)
      throws IOException {
    CorruptedStream.Config config =
        CorruptedStream.Config.defaults()
            .withSeverity(2)
            .withOrder(Corruption.parseList("frost,pixelate"))
            .withLimitPerDomain(3);
    CorruptedExport.write(TestImages.fashionMnist(), config.withLimitPerDomain(9), dir, null);
    CorruptedExport.Result result =
        CorruptedExport.write(TestImages.fashionMnist(), config, dir, null);
    assertThat(IdxFile.read(result.images()).count()).isEqualTo(6);
    assertThat(Files.readAllLines(result.domains()))
        .containsExactly(
            "domain,severity,first_index,count,first_seq", "frost,2,0,3,0", "pixelate,2,3,3,3");
    assertThat(result.domainList()).hasSize(2);
  }

  @Test
  void refusesAStreamThatWasAlreadyRead(@TempDir Path dir) {
    CorruptedStream stream =
        new CorruptedStream(
            TestImages.fashionMnist(),
            CorruptedStream.Config.defaults().withLimitPerDomain(2),
            Clock.systemUTC());
    stream.next();
    assertThatThrownBy(() -> CorruptedExport.write(stream, dir, null))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("fresh stream");
  }
}
