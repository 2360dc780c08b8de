package io.selfstream.ingest.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.selfstream.data.FashionMnist;
import io.selfstream.ingest.TestImages;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FrameSourcesTest {

  @Test
  void idxFilesOpenAsIdxSourcesFoldersAsImageFolders(@TempDir Path dir) throws IOException {
    FrameSource idx =
        FrameSources.open(FashionMnist.DEBIAN_DIR.resolve("t10k-images-idx3-ubyte.gz"), "f", 5);
    assertThat(idx).isInstanceOf(IdxSource.class);
    assertThat(idx.size()).hasValue(10_000);
    assertThat(idx.next().getSeq()).isEqualTo(5);

    Files.write(dir.resolve("a.png"), TestImages.png(TestImages.image(0), 28, 28));
    assertThat(FrameSources.open(dir, "f", 0)).isInstanceOf(ImageFolderSource.class);
  }

  @Test
  void theFashionMnistFolderItselfSaysWhichFileToName() {
    assertThatThrownBy(() -> FrameSources.open(FashionMnist.DEBIAN_DIR, "f", 0))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("t10k-images-idx3-ubyte.gz");
  }
}
