package io.selfstream.trainer.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.selfstream.schemas.avro.ModelUpdate;
import io.selfstream.schemas.model.ModelParameters;
import io.selfstream.schemas.model.SigningKeys;
import io.selfstream.schemas.model.UpdateEncoder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Round trip, atomic replacement and what a crash mid-write leaves behind. */
class TrainerCheckpointTest {

  static final KeyPair KEY = SigningKeys.generate();

  @TempDir Path dir;

  static ModelParameters params(long seed) {
    Random r = new Random(seed);
    float[] w = new float[3000];
    for (int i = 0; i < w.length; i++) {
      w[i] = (float) r.nextGaussian();
    }
    return ModelParameters.builder()
        .put("w", new int[] {30, 100}, w)
        .put("b", new float[] {1, 2})
        .build();
  }

  static TrainerCheckpoint.State state(long version) {
    ModelParameters p = params(version);
    // small chunks: several per version
    List<ModelUpdate> chunks =
        new UpdateEncoder(KEY, 4096)
            .encodeFull("encoder-tent", version, version - 1, p, Map.of("step", 1.0 * version));
    return new TrainerCheckpoint.State(
        "encoder-tent",
        version,
        chunks,
        p,
        Map.of(new TopicPartition("views", 0), 10 * version, new TopicPartition("views", 3), 7L),
        Map.of("cam.a", 99L, "cam=b", 5L),
        64 * version,
        version);
  }

  static TrainerCheckpoint.LearnerWriter learner(String text) {
    return d -> Files.writeString(d.resolve("weights.txt"), text);
  }

  @Test
  void roundTripsEveryFieldAndTheLearnerDirectory() throws IOException {
    TrainerCheckpoint ckpt = new TrainerCheckpoint(dir);
    assertThat(ckpt.read()).isEmpty();
    TrainerCheckpoint.State s = state(3);
    assertThat(s.pending()).hasSizeGreaterThan(2);
    ckpt.write(s, learner("three"));

    TrainerCheckpoint.Loaded back = new TrainerCheckpoint(dir).read().orElseThrow();
    TrainerCheckpoint.State r = back.state();
    assertThat(r.model()).isEqualTo("encoder-tent");
    assertThat(r.version()).isEqualTo(3);
    assertThat(r.pending()).isEqualTo(s.pending());
    assertThat(r.consumerCopy()).isEqualTo(s.consumerCopy());
    assertThat(r.offsets()).isEqualTo(s.offsets());
    assertThat(r.trainedThrough()).isEqualTo(s.trainedThrough());
    assertThat(r.samples()).isEqualTo(192);
    assertThat(r.steps()).isEqualTo(3);
    assertThat(Files.readString(back.learnerDir().resolve("weights.txt"))).isEqualTo("three");
  }

  @Test
  void aNewCheckpointReplacesTheOldOneAndCleansUp() throws IOException {
    TrainerCheckpoint ckpt = new TrainerCheckpoint(dir);
    ckpt.write(state(1), learner("one"));
    ckpt.write(state(2), learner("two"));
    TrainerCheckpoint.Loaded back = ckpt.read().orElseThrow();
    assertThat(back.state().version()).isEqualTo(2);
    assertThat(Files.readString(back.learnerDir().resolve("weights.txt"))).isEqualTo("two");
    assertThat(entries())
        .containsExactlyInAnyOrder(TrainerCheckpoint.POINTER, back.dir().getFileName().toString());
  }

  @Test
  void halfWrittenCheckpointsAreIgnoredAndTheLastCompleteOneStands() throws IOException {
    TrainerCheckpoint ckpt = new TrainerCheckpoint(dir);
    ckpt.write(state(4), learner("four"));

    // a crash while writing v5's files: a .tmp-* directory with part of a checkpoint
    Path tmp = Files.createDirectories(dir.resolve(".tmp-0f0e0d0c-0000-0000-0000-000000000000"));
    Files.writeString(tmp.resolve(TrainerCheckpoint.STATE), "format=garbage\nversion=5\n");
    // a crash after the rename but before the pointer moved: a complete-looking ckpt-* directory
    Path renamed = dir.resolve("ckpt-0000000005-0f0e0d0c-0000-0000-0000-000000000001");
    Files.createDirectories(renamed);
    Files.writeString(renamed.resolve(TrainerCheckpoint.STATE), "version=5\n");
    // a crash while replacing the pointer: its temp file
    Files.writeString(
        dir.resolve(TrainerCheckpoint.POINTER + ".tmp"), renamed.getFileName() + "\n");

    assertThat(ckpt.read().orElseThrow().state().version()).isEqualTo(4);

    // the next write succeeds and removes the leftovers
    ckpt.write(state(5), learner("five"));
    TrainerCheckpoint.Loaded back = ckpt.read().orElseThrow();
    assertThat(back.state().version()).isEqualTo(5);
    assertThat(entries())
        .containsExactlyInAnyOrder(TrainerCheckpoint.POINTER, back.dir().getFileName().toString());
  }

  @Test
  void aLearnerThatFailsToSaveLeavesThePreviousCheckpointCurrent() throws IOException {
    TrainerCheckpoint ckpt = new TrainerCheckpoint(dir);
    ckpt.write(state(1), learner("one"));
    assertThatThrownBy(
            () ->
                ckpt.write(
                    state(2),
                    d -> {
                      throw new IOException("disk full");
                    }))
        .hasMessageContaining("disk full");
    assertThat(ckpt.read().orElseThrow().state().version()).isEqualTo(1);
  }

  @Test
  void aCorruptedCheckpointFailsLoudlyInsteadOfResumingFromGarbage() throws IOException {
    TrainerCheckpoint ckpt = new TrainerCheckpoint(dir);
    Path written = ckpt.write(state(2), learner("two"));
    Path chunk = written.resolve(TrainerCheckpoint.PENDING).resolve(TrainerCheckpoint.chunkName(1));
    byte[] b = Files.readAllBytes(chunk);
    b[b.length - 3] ^= 1;
    Files.write(chunk, b);
    assertThatThrownBy(ckpt::read).isInstanceOf(IOException.class).hasMessageContaining("chunks");

    Files.writeString(
        dir.resolve(TrainerCheckpoint.POINTER), "../elsewhere", StandardCharsets.UTF_8);
    assertThatThrownBy(ckpt::read).isInstanceOf(IOException.class);
  }

  List<String> entries() throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).toList();
    }
  }
}
