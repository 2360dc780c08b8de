package io.selfstream.graphreasoning.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MsTcnLayoutTest {

  @TempDir Path tmp;

  private static final float[] EXPECTED = {-1f, -0.5f, 0f, 0.5f, 1f, 1.5f};

  private Path fixture(String name) throws IOException {
    Path p = tmp.resolve(name);
    try (InputStream in = MsTcnLayoutTest.class.getResourceAsStream("/npy/" + name)) {
      Files.write(p, in.readAllBytes());
    }
    return p;
  }

  @Test
  void readsFilesWrittenByNumpy() throws IOException {
    // fixtures written by numpy 2.4 (np.save / write_array), 2x3 arange*0.5-1
    for (String name : List.of("c_f4.npy", "fortran_f8.npy", "be_f4.npy", "v2_f4.npy")) {
      Features f = Npy.read(fixture(name));
      assertThat(f.dim()).as(name).isEqualTo(2);
      assertThat(f.length()).as(name).isEqualTo(3);
      assertThat(f.data()).as(name).containsExactly(EXPECTED);
      assertThat(f.get(1, 0)).isEqualTo(0.5f);
    }
    Features v = Npy.read(fixture("vec_f4.npy"));
    assertThat(v.dim()).isEqualTo(1);
    assertThat(v.data()).containsExactly(3f, 4f, 5f);
    Path ints = fixture("int64.npy");
    assertThatThrownBy(() -> Npy.read(ints))
        .hasMessageContaining("int64.npy")
        .hasMessageContaining("<i8");
  }

  @Test
  void writesByteForByteWhatNumpyWrites() throws IOException {
    Path out = tmp.resolve("out.npy");
    Npy.write(out, new Features(2, 3, EXPECTED));
    assertThat(Files.readAllBytes(out)).isEqualTo(Files.readAllBytes(fixture("c_f4.npy")));
    Features big = Features.fromFrames(new float[][] {{1, 2, 3}, {4, 5, 6}, {7, 8, 9}, {0, 0, 1}});
    Npy.write(out, big);
    assertThat(Files.size(out) - 4L * 12).isEqualTo(128); // header padded to 64 bytes
    assertThat(Npy.read(out)).isEqualTo(big);
    assertThat(big.get(2, 1)).isEqualTo(6f); // dim 2 of frame 1
    Files.write(out, new byte[] {1, 2, 3});
    assertThatThrownBy(() -> Npy.read(out)).hasMessageContaining("not a .npy");
  }

  @Test
  void datasetLayoutRoundTrip() throws IOException {
    MsTcnDataset ds = new MsTcnDataset(tmp.resolve("data"));
    LabelMapping mapping = new LabelMapping(List.of("background", "pour", "stir"));
    ds.writeMapping(mapping);
    Features f = Features.fromFrames(new float[][] {{1, 0}, {0, 1}, {1, 1}, {2, 2}});
    ds.writeFeatures("vid1", f);
    ds.writeGroundTruth("vid1", List.of("background", "pour", "pour", "stir"));
    ds.writeSplit("train.split1", List.of("vid1"));
    assertThat(Files.readString(ds.splitFile("train.split1"))).isEqualTo("vid1.txt\n");
    assertThat(Files.readString(ds.mappingFile())).isEqualTo("0 background\n1 pour\n2 stir\n");
    assertThat(ds.readMapping()).isEqualTo(mapping);
    assertThat(ds.splits()).containsExactly("train.split1");
    assertThat(ds.readSplit("train.split1")).containsExactly("vid1");
    assertThat(ds.videos()).containsExactly("vid1");
    LabeledVideo v = ds.readLabeled("vid1", mapping, 1);
    assertThat(v.labels()).containsExactly(0, 1, 1, 2);
    assertThat(v.features()).isEqualTo(f);
    LabeledVideo half = ds.readLabeled("vid1", mapping, 2);
    assertThat(half.labels()).containsExactly(0, 1);
    assertThat(half.features().data()).containsExactly(1f, 1f, 0f, 1f);
  }

  @Test
  void layoutErrorsNameTheFile() throws IOException {
    MsTcnDataset ds = new MsTcnDataset(tmp);
    LabelMapping mapping = new LabelMapping(List.of("a", "b"));
    ds.writeFeatures("v", Features.fromFrames(new float[][] {{1}, {2}}));
    ds.writeGroundTruth("v", List.of("a", "b", "b"));
    assertThatThrownBy(() -> ds.readLabeled("v", mapping, 1))
        .hasMessageContaining("v.npy")
        .hasMessageContaining("2 frames")
        .hasMessageContaining("has 3");
    ds.writeGroundTruth("v", List.of("a", "zzz"));
    assertThatThrownBy(() -> ds.readLabeled("v", mapping, 1))
        .hasMessageContaining("v.txt")
        .hasMessageContaining("zzz");
    assertThatThrownBy(() -> ds.readFeatures("missing")).hasMessageContaining("missing.npy");
    Files.writeString(ds.mappingFile(), "0 a\n2 b\n");
    assertThatThrownBy(ds::readMapping).hasMessageContaining("mapping.txt");
  }
}
