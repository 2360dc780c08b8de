package io.selfstream.ops.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.selfstream.ops.demo.DemoRun;
import io.selfstream.ops.metrics.MetricsServer;
import io.selfstream.ops.metrics.MetricsSettings;
import io.selfstream.trainer.adapt.AdaptationMethod;
import io.selfstream.trainer.consumer.EncoderTrainer;
import io.selfstream.trainer.eval.AdaptationEvaluator;
import io.selfstream.trainer.eval.ErrorTable;
import io.selfstream.trainer.eval.PrequentialScorer;
import io.selfstream.trainer.eval.PseudoLabelAccuracy;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DashboardStateTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final ErrorTable source = new ErrorTable();
  private final ErrorTable selfstream = new ErrorTable();

  /** A window of 4 matched pseudo-labels, so the recent figure differs from the overall one. */
  private final PseudoLabelAccuracy pseudo = new PseudoLabelAccuracy(100, 100, 4);

  /** Frames cam#from.. with truth {@code truth}; selfstream's pseudo-labels {@code labels}. */
  private void pseudoLabels(long from, int truth, int... labels) {
    String[] src = new String[labels.length];
    long[] seqs = new long[labels.length];
    for (int i = 0; i < labels.length; i++) {
      src[i] = "cam";
      seqs[i] = from + i;
      pseudo.onTruth("cam", from + i, truth);
    }
    pseudo.onPseudoLabels(AdaptationMethod.SELFSTREAM, src, seqs, labels);
  }

  /** {@code n} frames of {@code domain}, the first {@code wrong} of them misclassified. */
  private static void score(ErrorTable t, String domain, int n, int wrong) {
    for (int i = 0; i < n; i++) {
      t.add(domain, i >= wrong);
    }
  }

  private DemoRun.Status tick(double seconds, long frames, long version, long deltaBytes) {
    DemoRun.Status s = tickWithoutPseudoLabels(seconds, frames, version, deltaBytes);
    return new DemoRun.Status(
        s.seconds(),
        s.feedAcked(),
        s.feedTotal(),
        s.frames(),
        s.deadLetters(),
        s.views(),
        s.teacherVersion(),
        s.scoredFrames(),
        s.pendingFrames(),
        s.trainers(),
        s.methods(),
        s.updateSizes(),
        pseudo.snapshot());
  }

  /** A status without pseudo-label figures (as from a run whose trainers reported none). */
  private DemoRun.Status tickWithoutPseudoLabels(
      double seconds, long frames, long version, long deltaBytes) {
    Map<String, PrequentialScorer.MethodResult> methods = new LinkedHashMap<>();
    methods.put("source", new PrequentialScorer.MethodResult(source, 0, 1, 1, 1));
    methods.put(
        "selfstream", new PrequentialScorer.MethodResult(selfstream, 0, 1, version, version));
    EncoderTrainer.Status trainer =
        new EncoderTrainer.Status(
            "encoder", version, 10, 10, frames, frames, 20, 20, 1, 0.5, Map.of(), 0.25, 0, 0,
            version, "running");
    return new DemoRun.Status(
        seconds,
        frames,
        1000,
        frames,
        2,
        frames,
        version,
        source.frames(),
        0,
        Map.of(AdaptationMethod.SELFSTREAM, trainer),
        methods,
        Map.of(
            AdaptationMethod.SELFSTREAM,
            new AdaptationEvaluator.UpdateSizes(1, 4000, version - 1, (version - 1) * deltaBytes)),
        Map.of());
  }

  @Test
  void ticksBecomeAlignedSeriesWithDomainBoundariesAndIntervalErrors() throws Exception {
    DashboardState state = new DashboardState(null);
    score(source, "noise", 100, 50);
    score(selfstream, "noise", 100, 40);
    pseudoLabels(0, 1, 1, 1, 1, 2, -1); // 3 of 4 confident ones right
    state.onStatus(tick(10, 100, 2, 300));
    score(source, "fog", 100, 80);
    score(selfstream, "fog", 100, 20);
    pseudoLabels(5, 3, 3, 0, 0, 0); // 1 of 4 right: 4 of 8 overall, 1 of the last 4
    state.onStatus(tick(20, 200, 4, 500));

    JsonNode s = JSON.readTree(state.json());
    assertThat(s.get("t").toString()).isEqualTo("[10.0,20.0]");
    assertThat(s.get("domain").toString()).isEqualTo("[\"noise\",\"fog\"]");
    assertThat(s.get("boundaries").toString())
        .isEqualTo("[{\"t\":10.0,\"domain\":\"noise\"},{\"t\":20.0,\"domain\":\"fog\"}]");
    JsonNode src = s.get("methods").get("source");
    assertThat(src.get("error").toString()).isEqualTo("[50.0,65.0]"); // mean over domains
    assertThat(src.get("window").toString()).isEqualTo("[50.0,80.0]"); // the fog frames alone
    JsonNode full = s.get("methods").get("selfstream");
    assertThat(full.get("window").toString()).isEqualTo("[40.0,20.0]");
    assertThat(full.get("version").toString()).isEqualTo("[2,4]");
    JsonNode tr = s.get("trainers").get("selfstream");
    assertThat(tr.get("version").toString()).isEqualTo("[2,4]");
    assertThat(tr.get("pseudoLabelRate").toString()).isEqualTo("[25.0,25.0]");
    assertThat(tr.get("pseudoLabelAccuracy").toString()).isEqualTo("[75.0,25.0]");
    assertThat(tr.get("pseudoLabelAccuracyAll").toString()).isEqualTo("[75.0,50.0]");
    assertThat(tr.get("pseudoLabelsMatched").toString()).isEqualTo("[4,8]");
    assertThat(s.get("latest").get("pseudoLabelAccuracy").toString())
        .isEqualTo("{\"selfstream\":50.0}");
    // mean bytes of the updates that arrived in each interval: 1 delta of 300, then 2 of 600
    assertThat(tr.get("deltaBytes").toString()).isEqualTo("[300,600]");
    assertThat(tr.get("fullBytes").toString()).isEqualTo("[4000,null]");
    assertThat(s.get("pipeline").get("framesPerS").toString()).isEqualTo("[10.0,10.0]");
    assertThat(s.get("latest").get("domain").asText()).isEqualTo("fog");
  }

  @Test
  void aStatusWithoutPseudoLabelFiguresGivesNullAccuracy() throws Exception {
    DashboardState state = new DashboardState(null);
    score(source, "noise", 10, 5);
    state.onStatus(tickWithoutPseudoLabels(5, 10, 2, 300));
    JsonNode tr = JSON.readTree(state.json()).get("trainers").get("selfstream");
    assertThat(tr.get("pseudoLabelRate").toString()).isEqualTo("[25.0]");
    assertThat(tr.get("pseudoLabelAccuracy").toString()).isEqualTo("[null]");
  }

  @Test
  void segmentationTimelinesKeepPredictedAndTruthPerFeed() throws Exception {
    DashboardState state = new DashboardState(null);
    state.onSegmentFrame("cam-1", "walk", "walk");
    state.onSegmentFrame("cam-1", "walk", "sit");
    state.onSegmentFrame("cam-1", "sit", "sit");
    state.onSegmentFrame("cam-1", "sit", "sit");
    JsonNode f = JSON.readTree(state.json()).get("segmentation").get("cam-1");
    assertThat(f.get("predicted").toString()).isEqualTo("[\"walk\",\"walk\",\"sit\",\"sit\"]");
    assertThat(f.get("truth").toString()).isEqualTo("[\"walk\",\"sit\",\"sit\",\"sit\"]");
    assertThat(f.get("current").asText()).isEqualTo("sit");
    assertThat(f.get("accuracy").asDouble()).isEqualTo(75.0);
  }

  @Test
  void theServerServesThePageTheLibraryAndTheState(@TempDir Path dir) throws Exception {
    DashboardState state = new DashboardState(null);
    score(source, "noise", 10, 5);
    state.onStatus(tick(5, 10, 2, 300));
    Path file = dir.resolve(DashboardState.FILE_NAME);
    state.writeTo(file);
    assertThat(Files.readString(file)).isEqualTo(state.json());
    try (MetricsServer server = MetricsServer.start(new MetricsSettings("127.0.0.1", 0))) {
      DashboardServer.mount(server, state::json);
      HttpClient http = HttpClient.newHttpClient();
      assertThat(get(http, server, "/").body()).contains("<canvas id=\"error\">");
      assertThat(get(http, server, "/chart.umd.js").body()).contains("Chart.js v4.5.1");
      assertThat(get(http, server, "/dashboard.js").body()).contains("api/state");
      assertThat(get(http, server, "/api/state").body()).isEqualTo(state.json());
      assertThat(get(http, server, "/nope").statusCode()).isEqualTo(404);
      assertThat(get(http, server, "/metrics").body()).contains("jvm_");
    }
  }

  private static HttpResponse<String> get(HttpClient http, MetricsServer server, String path)
      throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(server.baseUrl() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
