package io.selfstream.graphreasoning.synth;

import static org.assertj.core.api.Assertions.assertThat;

import io.selfstream.data.FashionMnist;
import io.selfstream.graphreasoning.data.Features;
import io.selfstream.graphreasoning.data.LabeledVideo;
import io.selfstream.graphreasoning.data.MsTcnDataset;
import io.selfstream.graphreasoning.metrics.Segment;
import io.selfstream.graphreasoning.metrics.SegmentationMetrics;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ActivityVideoGeneratorTest {

  private static FashionMnist images;

  @TempDir Path tmp;

  @BeforeAll
  static void load() throws IOException {
    images = FashionMnist.load(FashionMnist.Split.TEST);
  }

  private static GeneratorConfig clean() {
    return GeneratorConfig.defaults().withShift(DomainShift.none());
  }

  @Test
  void followsTheGrammarAndIsDeterministic() {
    ActivityVideoGenerator gen = new ActivityVideoGenerator(images, clean());
    for (long seed = 0; seed < 20; seed++) {
      SyntheticVideo v = gen.generate("v", seed);
      List<Segment> segs = SegmentationMetrics.segments(v.labels(), Set.of("background"));
      assertThat(segs.get(0).label()).isEqualTo("enter");
      assertThat(segs.get(segs.size() - 1).label()).isEqualTo("exit");
      assertThat(segs.size() - 2).isBetween(4, 7);
      for (int i = 1; i < segs.size() - 1; i++) {
        assertThat(Action.valueOf(segs.get(i).label().toUpperCase())).isIn(Action.MIDDLE.toArray());
        assertThat(segs.get(i).length()).isBetween(12, 32);
      }
      assertThat(GeneratorConfig.SEEN_GARMENTS).contains(v.garment());
      // background only before enter and after exit
      assertThat(v.actions().subList(segs.get(0).start(), segs.get(segs.size() - 1).end()))
          .doesNotContain(Action.BACKGROUND);
    }
    SyntheticVideo a = gen.generate("a", 5);
    SyntheticVideo b = gen.generate("b", 5);
    assertThat(a.labels()).isEqualTo(b.labels());
    for (int t = 0; t < a.length(); t++) {
      assertThat(a.frames().get(t)).isEqualTo(b.frames().get(t));
    }
  }

  @Test
  void motionMatchesTheLabels() {
    ActivityVideoGenerator gen = new ActivityVideoGenerator(images, clean());
    int checked = 0;
    double walk = 0;
    int walks = 0;
    double run = 0;
    int runs = 0;
    for (long seed = 0; seed < 40; seed++) {
      SyntheticVideo v = gen.generate("v", seed);
      for (Segment s : SegmentationMetrics.segments(v.labels(), Set.of("background"))) {
        double dx = centroidX(v.frames().get(s.end() - 1)) - centroidX(v.frames().get(s.start()));
        double perFrame = Math.abs(dx) / (s.length() - 1);
        switch (s.label()) {
          case "move_left", "run_left" -> assertThat(dx).as(s.toString()).isNegative();
          case "move_right", "run_right" -> assertThat(dx).as(s.toString()).isPositive();
          case "pause" -> assertThat(Math.abs(dx)).isLessThan(1e-9);
          default -> {}
        }
        if (s.label().startsWith("move_l") || s.label().startsWith("move_r")) {
          walk += perFrame;
          walks++;
          checked++;
        }
        if (s.label().startsWith("run")) {
          run += perFrame;
          runs++;
          checked++;
        }
      }
    }
    assertThat(checked).isGreaterThan(10);
    assertThat(run / runs).isGreaterThan(2 * walk / walks);
    // an empty canvas without noise is black, a visible sprite is not
    SyntheticVideo v = gen.generate("v", 3);
    int firstEnter = v.actions().indexOf(Action.ENTER);
    for (int t = 0; t < firstEnter; t++) {
      assertThat(sum(v.frames().get(t))).isZero();
    }
    assertThat(sum(v.frames().get(firstEnter + 12))).isPositive();
  }

  @Test
  void domainShiftChangesAppearanceAndGarments() {
    GeneratorConfig live = GeneratorConfig.defaults().withShift(DomainShift.live());
    ActivityVideoGenerator gen = new ActivityVideoGenerator(images, live);
    SyntheticVideo v = gen.generate("live", 1);
    assertThat(GeneratorConfig.UNSEEN_GARMENTS).contains(v.garment());
    assertThat(sum(v.frames().get(0))).isPositive(); // offset + noise on the empty canvas
  }

  @Test
  void featuresAndDatasetLayout() throws IOException {
    ActivityVideoGenerator gen = new ActivityVideoGenerator(images, clean());
    SyntheticVideo v = gen.generate("v", 9);
    FrameFeatureExtractor fx = new FrameFeatureExtractor(64);
    Features f = fx.extract(v.frames());
    assertThat(f.dim()).isEqualTo(138);
    assertThat(f.length()).isEqualTo(v.length());
    for (int c = 64; c < 128; c++) {
      assertThat(f.get(c, 0)).isZero(); // no difference at the first frame
    }
    for (int c = 134; c < 138; c++) {
      assertThat(f.get(c, 0)).isZero(); // nor moment changes
    }
    // centroid change follows the labelled direction
    for (int t = 1; t < v.length(); t++) {
      Action a = v.actions().get(t);
      if (v.actions().get(t - 1) == a) {
        if (a == Action.MOVE_RIGHT || a == Action.RUN_RIGHT) {
          assertThat(f.get(134, t)).as("dx at %d (%s)", t, a).isPositive();
        } else if (a == Action.MOVE_LEFT || a == Action.RUN_LEFT) {
          assertThat(f.get(134, t)).as("dx at %d (%s)", t, a).isNegative();
        }
      }
    }
    MsTcnDataset ds = new MsTcnDataset(tmp.resolve("synth"));
    SyntheticDatasets.Written w = SyntheticDatasets.generate(ds, images, images, 3, 2, 4, clean());
    assertThat(ds.readSplit("train.split1")).containsExactlyElementsOf(w.train()).hasSize(3);
    assertThat(ds.readSplit("test.split1")).hasSize(2);
    assertThat(ds.readMapping().names()).isEqualTo(Action.labels());
    LabeledVideo lv = ds.readLabeled(w.test().get(1), ds.readMapping(), 1);
    assertThat(lv.features().dim()).isEqualTo(138);
    assertThat(lv.labels()[lv.length() - 1]).isIn(Action.EXIT.ordinal(), 0);
  }

  private static double centroidX(byte[] frame) {
    double m = 0;
    double mx = 0;
    for (int i = 0; i < frame.length; i++) {
      int g = frame[i] & 0xff;
      m += g;
      mx += g * (i % 64);
    }
    return mx / m;
  }

  private static long sum(byte[] frame) {
    long s = 0;
    for (byte b : frame) {
      s += b & 0xff;
    }
    return s;
  }
}
