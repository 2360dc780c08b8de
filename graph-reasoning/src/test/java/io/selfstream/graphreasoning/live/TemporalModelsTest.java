package io.selfstream.graphreasoning.live;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import io.selfstream.graphreasoning.data.LabeledVideo;
import io.selfstream.graphreasoning.model.ModelSpec;
import io.selfstream.graphreasoning.model.ModelType;
import io.selfstream.graphreasoning.model.SegmentationModels;
import io.selfstream.schemas.model.ModelParameters;
import io.selfstream.schemas.model.TernaryDelta;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TemporalModelsTest {

  @Test
  void roundTripIsBitExactThroughThePayloadBytes() {
    ModelParameters trained = LiveFixtures.trained();
    ModelParameters decoded = ModelParameters.fromBytes(trained.toBytes());
    TemporalModels.Descriptor d = TemporalModels.descriptor(decoded);
    assertThat(d.spec()).isEqualTo(LiveFixtures.tinySpec(138));
    assertThat(d.encoderVersion()).isEqualTo(TemporalModels.FIXED_EXTRACTOR_VERSION);
    assertThat(d.labelName(3)).isEqualTo("move_left");
    try (NDManager manager = NDManager.newBaseManager()) {
      Block block = SegmentationModels.create(d.spec(), manager); // fresh random weights
      TemporalModels.load(decoded, block);
      ModelParameters again = TemporalModels.export(block, d);
      assertThat(again).isEqualTo(trained); // equals compares float bit patterns
      assertThat(again.toBytes()).isEqualTo(trained.toBytes());
      LabeledVideo v = LiveFixtures.videos().get(0);
      assertThat(SegmentationModels.predict(block, manager, v.features()))
          .containsExactly(LiveFixtures.offline(0));
    }
  }

  @Test
  void msTcnRoundTripsToo() {
    ModelSpec spec =
        new ModelSpec(
            ModelType.MSTCN,
            12,
            5,
            3,
            LiveFixtures.tinySpec(12).tcn(),
            LiveFixtures.tinySpec(12).graph(),
            LiveFixtures.tinySpec(12).swap(),
            LiveFixtures.tinySpec(12).loss());
    TemporalModels.Descriptor d =
        new TemporalModels.Descriptor(spec, 42, List.of("a,b", "c;d", "e=f", "g h", "é"));
    try (NDManager manager = NDManager.newBaseManager()) {
      ModelParameters p = TemporalModels.export(SegmentationModels.create(spec, manager), d);
      ModelParameters back = ModelParameters.fromBytes(p.toBytes());
      assertThat(TemporalModels.descriptor(back)).isEqualTo(d);
      Block other = SegmentationModels.create(spec, manager);
      TemporalModels.load(back, other);
      assertThat(TemporalModels.export(other, d)).isEqualTo(p);
    }
  }

  @Test
  void metricsCarryTheArchitectureAndFeatureVersionAndContradictionsAreFound() {
    TemporalModels.Descriptor d = TemporalModels.descriptor(LiveFixtures.trained());
    Map<String, Double> m = TemporalModels.metrics(d, Map.of("loss", 0.5));
    assertThat(m)
        .containsEntry("loss", 0.5)
        .containsEntry(TemporalModels.FEATURES_DIM, 138.0)
        .containsEntry(TemporalModels.FEATURES_ENCODER_VERSION, 0.0)
        .containsEntry("arch.stages", 2.0)
        .containsEntry("arch.type", (double) ModelType.DTGRM.ordinal())
        .containsEntry("arch.tcn.causal", 0.0);
    assertThat(TemporalModels.metricsDisagreement(d, m)).isNull();
    assertThat(TemporalModels.metricsDisagreement(d, Map.of())).isNull();
    assertThat(
            TemporalModels.metricsDisagreement(
                d, Map.of(TemporalModels.FEATURES_ENCODER_VERSION, 3.0)))
        .contains(TemporalModels.FEATURES_ENCODER_VERSION);
  }

  @Test
  void weightsOfAnotherLayoutAreRefused() {
    ModelParameters trained = LiveFixtures.trained();
    ModelSpec tiny = LiveFixtures.tinySpec(138);
    ModelSpec bigger =
        new ModelSpec(
            tiny.type(),
            tiny.inputDim(),
            tiny.numClasses(),
            tiny.stages(),
            new io.selfstream.graphreasoning.model.TcnConfig(tiny.tcn().layers(), 24, 0.1, false),
            new io.selfstream.graphreasoning.model.GraphStageConfig(
                tiny.graph().layers(), 24, 3, 0.1),
            tiny.swap(),
            tiny.loss());
    try (NDManager manager = NDManager.newBaseManager()) {
      Block block = SegmentationModels.create(bigger, manager);
      assertThatThrownBy(() -> TemporalModels.load(trained, block))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("shape");
    }
    ModelParameters noDescriptor = ModelParameters.builder().put("w", new float[] {1, 2}).build();
    assertThatThrownBy(() -> TemporalModels.descriptor(noDescriptor))
        .hasMessageContaining("not a temporal model");
  }

  @Test
  void deltasWorkWithinOneEncoderVersionAndAnEncoderChangeForcesAFull() {
    ModelParameters v1 = LiveFixtures.trained();
    TemporalModels.Descriptor d = TemporalModels.descriptor(v1);
    try (NDManager manager = NDManager.newBaseManager()) {
      Block block = SegmentationModels.create(d.spec(), manager);
      TemporalModels.load(v1, block);
      ModelParameters v2 = TemporalModels.export(block, d);
      TernaryDelta.Encoded delta = TernaryDelta.encode(v1, v2);
      assertThat(TemporalModels.descriptor(TernaryDelta.apply(v1, delta.payload()))).isEqualTo(d);
      ModelParameters otherEncoder =
          TemporalModels.export(block, new TemporalModels.Descriptor(d.spec(), 5, d.labels()));
      assertThat(otherEncoder.sameLayout(v1)).isFalse();
      assertThatThrownBy(() -> TernaryDelta.encode(v1, otherEncoder))
          .isInstanceOf(IllegalArgumentException.class);
    }
  }
}
