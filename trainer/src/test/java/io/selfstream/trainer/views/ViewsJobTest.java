package io.selfstream.trainer.views;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.selfstream.config.Config;
import io.selfstream.config.ConfigException;
import io.selfstream.schemas.model.SigningKeys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.streaming.api.graph.StreamNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Settings validation and the job graph (built, not run). */
class ViewsJobTest {

  @TempDir Path dir;

  ViewsJobSettings settings(Map<String, String> overrides) {
    return ViewsJobSettings.from(
        Config.load(ViewsJobSettings.allKeys(), null, Map.of(), overrides));
  }

  @Test
  void defaultsAreValidAndMaskFollowsTheKeys() {
    ViewsJobSettings s = settings(Map.of());
    assertThat(s.encoder().maskPatchSize()).isEqualTo(14);
    assertThat(s.encoder().maskRatio()).isEqualTo(0.3);
    assertThat(s.confidenceThreshold()).isEqualTo(0.7);
    assertThat(s.trustedKeyFiles()).isEmpty();
    assertThat(s.videoSources()).isEmpty();
    assertThat(s.hasVideoSources()).isFalse();
    assertThat(s.videoFeatureGrid()).isEqualTo(7);
    ViewsJobSettings video =
        settings(Map.of("views.videoSources", " video-.* ", "views.videoFeatureGrid", "4"));
    assertThat(video.videoSources()).isEqualTo("video-.*");
    assertThat(video.hasVideoSources()).isTrue();
    assertThat(video.videoFeatureGrid()).isEqualTo(4);

    ViewsJobSettings tiny =
        settings(
            Map.of(
                "views.encoder", "dim=16,depth=1,heads=2,mlpRatio=2",
                "views.maskPatch", "7",
                "views.maskRatio", "0.5",
                "views.trustedKeys", "a.pem, b.pem"));
    assertThat(tiny.encoder().dim()).isEqualTo(16);
    assertThat(tiny.encoder().maskPatchSize()).isEqualTo(7);
    assertThat(tiny.trustedKeyFiles()).containsExactly(Path.of("a.pem"), Path.of("b.pem"));
    assertThat(ViewsJobSettings.parseEncoder(ViewsJobSettings.encoderSpec(tiny.encoder())))
        .isEqualTo(tiny.encoder());
  }

  @Test
  void badSettingsNameTheirKey() {
    assertThatThrownBy(() -> settings(Map.of("views.maskPatch", "10")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("views.maskPatch");
    assertThatThrownBy(() -> settings(Map.of("views.encoder", "dim=17,heads=3")))
        .hasMessageContaining("views.encoder");
    assertThatThrownBy(() -> settings(Map.of("views.encoder", "bogus")))
        .hasMessageContaining("views.encoder");
    assertThatThrownBy(
            () ->
                settings(
                    Map.of("views.checkpointInterval", "10m", "views.transactionTimeout", "5m")))
        .hasMessageContaining("views.transactionTimeout");
    assertThatThrownBy(() -> settings(Map.of("views.transactionTimeout", "1h")))
        .hasMessageContaining("transaction.max.timeout.ms");
    assertThatThrownBy(() -> settings(Map.of("views.videoSources", "video-(")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("views.videoSources");
    assertThatThrownBy(() -> settings(Map.of("views.videoFeatureGrid", "0")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("views.videoFeatureGrid");
    assertThatThrownBy(() -> settings(Map.of()).loadTrustedKeys())
        .hasMessageContaining("views.trustedKeys");
    assertThatThrownBy(
            () ->
                settings(Map.of("views.trustedKeys", dir.resolve("nope.pem").toString()))
                    .loadTrustedKeys())
        .hasMessageContaining("no such file");
  }

  Set<String> uids(StreamGraph graph) {
    Set<String> uids = new HashSet<>();
    for (StreamNode node : graph.getStreamNodes()) {
      if (node.getTransformationUID() != null) {
        uids.add(node.getTransformationUID());
      }
    }
    return uids;
  }

  @Test
  void graphHasStableUidsAndNoGenericTypes() throws Exception {
    KeyPair key = SigningKeys.generate();
    Path pub = dir.resolve("pub.pem");
    Files.writeString(pub, SigningKeys.toPem(key.getPublic()));
    ViewsJobSettings s =
        settings(
            Map.of(
                "views.trustedKeys", pub.toString(),
                "views.chaos.failOnceAfterFrames", "5",
                "views.checkpointDir", dir.resolve("cp").toString()));
    StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(2);
    ViewsJob.define(env, s);
    // generic types are disabled: building the graph fails if any type would need Kryo
    StreamGraph graph = env.getStreamGraph();
    Set<String> uids = uids(graph);
    // no video sources: the image-only graph, no video operators
    assertThat(uids)
        .doesNotContain(
            ViewsJob.UID_IMAGE_FILTER, ViewsJob.UID_VIDEO_FILTER, ViewsJob.UID_VIDEO_FEATURES);
    assertThat(uids)
        .contains(
            ViewsJob.UID_FRAMES_SOURCE,
            ViewsJob.UID_UPDATES_SOURCE,
            ViewsJob.UID_CHAOS,
            ViewsJob.UID_VIEWS);
    assertThat(String.join(" ", uids))
        .contains(ViewsJob.UID_VIEWS_SINK, ViewsJob.UID_FEATURES_SINK, ViewsJob.UID_DLQ_SINK);
    assertThat(graph.getJobGraph().getVertices()).isNotEmpty();
    assertThat(env.getCheckpointConfig().getCheckpointInterval())
        .isEqualTo(s.checkpointInterval().toMillis());
    assertThat(List.of(env.getConfig().isObjectReuseEnabled())).containsExactly(true);
  }

  @Test
  void videoSourcesAddTheKeyedVideoFeaturesBranch() throws Exception {
    KeyPair key = SigningKeys.generate();
    Path pub = dir.resolve("pub.pem");
    Files.writeString(pub, SigningKeys.toPem(key.getPublic()));
    ViewsJobSettings s =
        settings(Map.of("views.trustedKeys", pub.toString(), "views.videoSources", "video-.*"));
    StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(2);
    ViewsJob.define(env, s);
    StreamGraph graph = env.getStreamGraph();
    Set<String> uids = uids(graph);
    assertThat(uids)
        .contains(
            ViewsJob.UID_IMAGE_FILTER,
            ViewsJob.UID_VIDEO_FILTER,
            ViewsJob.UID_VIDEO_FEATURES,
            ViewsJob.UID_VIEWS);
    assertThat(String.join(" ", uids))
        .contains(ViewsJob.UID_VIEWS_SINK, ViewsJob.UID_FEATURES_SINK, ViewsJob.UID_DLQ_SINK);
    StreamNode video =
        graph.getStreamNodes().stream()
            .filter(n -> ViewsJob.UID_VIDEO_FEATURES.equals(n.getTransformationUID()))
            .findFirst()
            .orElseThrow();
    assertThat(video.getOperatorName()).isEqualTo("video features");
    // keyed by source: its input is hash-partitioned
    assertThat(video.getInEdges()).hasSize(1);
    assertThat(video.getInEdges().get(0).getPartitioner().toString()).isEqualTo("HASH");
    assertThat(graph.getJobGraph().getVertices()).isNotEmpty();
  }
}
