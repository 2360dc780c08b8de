package io.selfstream.trainer.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import io.selfstream.trainer.augment.U8Image;
import io.selfstream.trainer.encoder.Encoder;
import io.selfstream.trainer.encoder.EncoderConfig;
import io.selfstream.trainer.encoder.ParameterSnapshot;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PrequentialScorerTest {

  private static final EncoderConfig TINY = EncoderConfig.DEFAULT.withSize(32, 1, 2, 2.0);

  /** Parameters of a tiny encoder whose head bias makes it predict {@code cls} on any input. */
  private static ParameterSnapshot alwaysPredicts(int cls) {
    try (Encoder e = Encoder.create(TINY, Device.cpu(), 7L)) {
      ParameterSnapshot s = e.exportParameters();
      LinkedHashMap<String, float[]> values = new LinkedHashMap<>();
      s.values().forEach((k, v) -> values.put(k, v.clone()));
      String bias =
          values.keySet().stream()
              .filter(k -> k.contains("head") && k.endsWith("bias"))
              .findFirst()
              .orElseThrow();
      float[] b = values.get(bias);
      java.util.Arrays.fill(b, 0f);
      b[cls] = 1_000f;
      return new ParameterSnapshot(values, s.shapes());
    }
  }

  private static List<ScoredFrame> frames(
      String src, long from, long to, int label, String domain) {
    List<ScoredFrame> out = new ArrayList<>();
    for (long s = from; s < to; s++) {
      byte[] px = new byte[28 * 28];
      px[(int) (s % px.length)] = (byte) 200;
      out.add(new ScoredFrame(src, s, new U8Image(px, 28, 28, 1), label, domain));
    }
    return out;
  }

  @Test
  void eachFrameIsScoredByTheNewestVersionThatHasNotTrainedOnIt() {
    ParameterSnapshot wrong = alwaysPredicts(5);
    ParameterSnapshot right = alwaysPredicts(3);
    try (PrequentialScorer scorer =
        new PrequentialScorer(TINY, Device.cpu(), List.of("frozen", "adapted"))) {
      scorer.expectSource("cam", 0);
      scorer.offer("frozen", new VersionHistory.Entry(1, wrong, Map.of()));
      scorer.offer("adapted", new VersionHistory.Entry(1, wrong, Map.of()));
      // version 2 has trained on frames 0..9: it may only score frames from 10 on
      scorer.offer("adapted", new VersionHistory.Entry(2, right, Map.of("cam", 9L)));
      scorer.score(frames("cam", 0, 20, 3, "fog"));

      Map<String, PrequentialScorer.MethodResult> r = scorer.results();
      assertThat(r.get("frozen").errors().error("fog")).isEqualTo(1.0);
      assertThat(r.get("adapted").errors().error("fog")).isEqualTo(0.5);
      assertThat(r.get("adapted").firstVersionUsed()).isEqualTo(1);
      assertThat(r.get("adapted").lastVersionUsed()).isEqualTo(2);
      assertThat(r.get("adapted").meanVersion()).isEqualTo(1.5);
      assertThat(r.get("adapted").unscored()).isZero();
    }
  }

  @Test
  void aFrameNoVersionCanServeIsCountedUnscoredNotGuessed() {
    try (PrequentialScorer scorer = new PrequentialScorer(TINY, Device.cpu(), List.of("m"))) {
      scorer.offer("m", new VersionHistory.Entry(4, alwaysPredicts(3), Map.of("cam", 100L)));
      scorer.score(frames("cam", 50, 53, 3, "snow"));
      assertThat(scorer.results().get("m").unscored()).isEqualTo(3);
      assertThat(scorer.results().get("m").errors().frames()).isZero();
    }
  }

  @Test
  void rejectsUnknownMethodsAndOutOfOrderVersions() {
    try (PrequentialScorer scorer = new PrequentialScorer(TINY, Device.cpu(), List.of("m"))) {
      ParameterSnapshot p = alwaysPredicts(1);
      assertThatThrownBy(() -> scorer.offer("x", new VersionHistory.Entry(1, p, Map.of())))
          .hasMessageContaining("unknown method x");
      scorer.offer("m", new VersionHistory.Entry(2, p, Map.of()));
      assertThatThrownBy(() -> scorer.offer("m", new VersionHistory.Entry(2, p, Map.of())))
          .hasMessageContaining("offered after 2");
    }
  }
}
