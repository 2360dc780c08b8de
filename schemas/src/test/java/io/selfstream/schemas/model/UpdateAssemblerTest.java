package io.selfstream.schemas.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.selfstream.schemas.avro.ModelUpdate;
import io.selfstream.schemas.avro.UpdateKind;
import io.selfstream.schemas.model.UpdateRejected.Reason;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Encoder -> (Avro wire) -> assembler, including every way an update can go wrong. */
class UpdateAssemblerTest {

  static final KeyPair TRAINER_KEY = SigningKeys.generate();
  static final KeyPair OTHER_KEY = SigningKeys.generate();
  static final String MODEL = "encoder";

  final TestModels.ManualClock clock = new TestModels.ManualClock();
  final List<UpdateRejected> rejections = new ArrayList<>();
  final List<ModelVersion> accepted = new ArrayList<>();
  final UpdateListener recorder =
      new UpdateListener() {
        @Override
        public void accepted(ModelVersion version) {
          accepted.add(version);
        }

        @Override
        public void rejected(UpdateRejected rejection) {
          rejections.add(rejection);
        }
      };

  UpdateEncoder encoder;
  UpdateAssembler assembler;
  ModelParameters v1Params;

  @BeforeEach
  void setUp() {
    encoder = new UpdateEncoder(TRAINER_KEY, 4096, clock);
    assembler = newAssembler(UpdateAssembler.Limits.DEFAULTS, TRAINER_KEY);
    v1Params = TestModels.random(TestModels.SMALL, 1, 0.1);
  }

  UpdateAssembler newAssembler(UpdateAssembler.Limits limits, KeyPair... trusted) {
    List<java.security.PublicKey> keys = new ArrayList<>();
    for (KeyPair k : trusted) {
      keys.add(k.getPublic());
    }
    return new UpdateAssembler(
        MODEL, keys, limits, recorder.andThen(UpdateListener.LOGGING), clock);
  }

  /** What the broker does to a record: Avro-serialize and read back. */
  static ModelUpdate wire(ModelUpdate update) {
    try {
      return ModelUpdate.fromByteBuffer(update.toByteBuffer());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  Optional<ModelVersion> deliver(List<ModelUpdate> chunks) {
    Optional<ModelVersion> last = Optional.empty();
    for (ModelUpdate c : chunks) {
      Optional<ModelVersion> r = assembler.accept(wire(c));
      if (r.isPresent()) {
        last = r;
      }
    }
    return last;
  }

  List<ModelUpdate> full(long version, ModelParameters params) {
    return encoder.encodeFull(MODEL, version, version - 1, params, Map.of("loss", 0.5));
  }

  ModelVersion serveV1() {
    ModelVersion v1 = deliver(full(1, v1Params)).orElseThrow();
    rejections.clear();
    return v1;
  }

  void assertStillServing(ModelVersion expected) {
    assertThat(assembler.currentVersion()).isEqualTo(expected.version());
    assertThat(assembler.current()).containsSame(expected);
    assertThat(assembler.current().orElseThrow().parameters()).isEqualTo(v1Params);
  }

  Reason onlyRejection() {
    assertThat(rejections).hasSize(1);
    return rejections.get(0).reason();
  }

  @Test
  void fullRoundTripIsBitExactInAnyChunkOrder() {
    List<ModelUpdate> chunks = new ArrayList<>(full(1, v1Params));
    assertThat(chunks).hasSizeGreaterThan(5);
    Collections.shuffle(chunks, new Random(3));

    List<Optional<ModelVersion>> results = new ArrayList<>();
    for (ModelUpdate c : chunks) {
      results.add(assembler.accept(wire(c)));
    }

    for (int i = 0; i < results.size() - 1; i++) {
      assertThat(results.get(i)).isEmpty();
    }
    ModelVersion v = results.get(results.size() - 1).orElseThrow();
    assertThat(v.parameters()).isEqualTo(v1Params);
    assertThat(v.version()).isEqualTo(1);
    assertThat(v.kind()).isEqualTo(UpdateKind.FULL);
    assertThat(v.format()).isEqualTo(ModelParameters.FORMAT);
    assertThat(v.keyId()).isEqualTo(SigningKeys.keyId(TRAINER_KEY.getPublic()));
    assertThat(v.metrics()).containsEntry("loss", 0.5);
    assertThat(v.createdAt()).isEqualTo(clock.instant());
    assertThat(rejections).isEmpty();
    assertThat(accepted).containsExactly(v);
    assertThat(assembler.counters().accepted()).isEqualTo(1);
    assertThat(assembler.counters().pendingVersions()).isZero();
  }

  @Test
  void defaultChunksStayWellUnderTheBrokerLimit() {
    UpdateEncoder defaults = new UpdateEncoder(TRAINER_KEY);
    ModelParameters vit = TestModels.random(TestModels.compactVit(), 5, 0.05);
    List<ModelUpdate> chunks = defaults.encodeFull(MODEL, 1, 0, vit, Map.of());
    assertThat(chunks).hasSize(4); // 1.8 MB in 512 KiB chunks
    for (ModelUpdate c : chunks) {
      assertThat(wireSize(c)).isLessThan(600_000);
    }
    assertThat(deliver(chunks).orElseThrow().parameters()).isEqualTo(vit);
  }

  @Test
  void emptyPayloadIsOneChunk() {
    ModelParameters empty = ModelParameters.builder().build();
    List<ModelUpdate> chunks = full(1, empty);
    assertThat(chunks).hasSize(1);
    assertThat(deliver(chunks).orElseThrow().parameters()).isEqualTo(empty);
  }

  @Test
  void flippedPayloadByteIsRejectedAsTampered() {
    ModelVersion v1 = serveV1();
    List<ModelUpdate> v2 = full(2, TestModels.step(v1Params, new Random(1), 0.01));
    List<ModelUpdate> bad = new ArrayList<>();
    for (ModelUpdate c : v2) {
      bad.add(wire(c));
    }
    ByteBuffer payload = bad.get(3).getPayload();
    payload.put(17, (byte) (payload.get(17) ^ 0x01));

    assertThat(deliver(bad)).isEmpty();

    assertThat(onlyRejection()).isEqualTo(Reason.TAMPERED);
    assertStillServing(v1);
    // the genuine chunks, redelivered, are still accepted
    assertThat(deliver(v2)).map(ModelVersion::version).contains(2L);
  }

  @Test
  void alteredHeaderFailsTheSignature() {
    ModelVersion v1 = serveV1();
    List<ModelUpdate> v2 = full(2, v1Params);
    for (ModelUpdate c : v2) {
      c.setParentVersion(0); // claim something the trainer did not sign
    }
    assertThat(deliver(v2.subList(0, 1))).isEmpty();
    assertThat(onlyRejection()).isEqualTo(Reason.BAD_SIGNATURE);
    assertThat(assembler.counters().pendingVersions()).isZero();
    assertStillServing(v1);
  }

  @Test
  void missingChunkIsRejectedAsTornWhenStale() {
    ModelVersion v1 = serveV1();
    List<ModelUpdate> v2 = new ArrayList<>(full(2, v1Params));
    v2.remove(2);

    assertThat(deliver(v2)).isEmpty();
    assertThat(rejections).isEmpty();
    assertThat(assembler.counters().pendingVersions()).isEqualTo(1);
    clock.advance(Duration.ofMinutes(3));
    assertThat(assembler.evictStale()).isEqualTo(1);

    assertThat(onlyRejection()).isEqualTo(Reason.TORN);
    assertThat(rejections.get(0).message()).contains("missing 1 of").contains("[2]");
    assertThat(assembler.counters().pendingVersions()).isZero();
    assertThat(assembler.counters().pendingBytes()).isZero();
    assertStillServing(v1);
  }

  @Test
  void incompleteVersionSupersededByANewerOneIsReportedTorn() {
    serveV1();
    List<ModelUpdate> v2 = new ArrayList<>(full(2, v1Params));
    v2.remove(0);
    deliver(v2);
    ModelParameters p3 = TestModels.step(v1Params, new Random(9), 0.01);

    assertThat(deliver(full(3, p3))).map(ModelVersion::version).contains(3L);

    assertThat(onlyRejection()).isEqualTo(Reason.TORN);
    assertThat(rejections.get(0).version()).isEqualTo(2);
    assertThat(assembler.counters().pendingVersions()).isZero();
  }

  @Test
  void wrongKeyIsRejectedWithoutBuffering() {
    ModelVersion v1 = serveV1();
    UpdateEncoder forger = new UpdateEncoder(OTHER_KEY, 4096, clock);
    List<ModelUpdate> v2 = forger.encodeFull(MODEL, 2, 1, v1Params, Map.of());

    assertThat(deliver(v2)).isEmpty();

    assertThat(rejections).isNotEmpty().allMatch(r -> r.reason() == Reason.WRONG_KEY);
    assertThat(rejections.get(0).message()).contains(SigningKeys.keyId(OTHER_KEY.getPublic()));
    assertThat(assembler.counters().pendingVersions()).isZero();
    assertStillServing(v1);
  }

  @Test
  void forgedKeyIdDoesNotHelpAWrongKey() {
    ModelVersion v1 = serveV1();
    UpdateEncoder forger = new UpdateEncoder(OTHER_KEY, 4096, clock);
    List<ModelUpdate> v2 = forger.encodeFull(MODEL, 2, 1, v1Params, Map.of());
    v2.forEach(c -> c.setKeyId(encoder.keyId()));

    deliver(v2);

    assertThat(rejections).isNotEmpty().allMatch(r -> r.reason() == Reason.BAD_SIGNATURE);
    assertStillServing(v1);
  }

  @Test
  void unsignedUpdateIsRejected() {
    ModelVersion v1 = serveV1();
    List<ModelUpdate> v2 = full(2, v1Params);
    v2.forEach(c -> c.setSignature(null));

    assertThat(deliver(v2)).isEmpty();

    assertThat(rejections).isNotEmpty().allMatch(r -> r.reason() == Reason.UNSIGNED);
    assertStillServing(v1);
  }

  @Test
  void olderVersionIsRejected() {
    ModelVersion v1 = serveV1();
    List<ModelUpdate> v5 = full(5, TestModels.step(v1Params, new Random(2), 0.01));
    ModelVersion served = deliver(v5).orElseThrow();
    List<ModelUpdate> v3 = full(3, v1Params);

    assertThat(deliver(v3)).isEmpty();

    assertThat(rejections).isNotEmpty().allMatch(r -> r.reason() == Reason.OLDER);
    assertThat(assembler.current()).containsSame(served);
    assertThat(v1.version()).isEqualTo(1);
  }

  @Test
  void duplicateDeliveryIsRejectedAsReplayed() {
    ModelVersion v1 = serveV1();
    List<ModelUpdate> again = full(1, v1Params);

    assertThat(deliver(again)).isEmpty();

    assertThat(rejections).hasSize(again.size()).allMatch(r -> r.reason() == Reason.REPLAYED);
    assertStillServing(v1);
    assertThat(accepted).hasSize(1);
  }

  @Test
  void duplicateChunkDuringAssemblyIsHarmless() {
    serveV1();
    List<ModelUpdate> v2 = full(2, v1Params);
    assembler.accept(wire(v2.get(0)));
    assembler.accept(wire(v2.get(0)));

    Optional<ModelVersion> done = deliver(v2.subList(1, v2.size()));

    assertThat(onlyRejection()).isEqualTo(Reason.REPLAYED);
    assertThat(done).map(ModelVersion::version).contains(2L);
  }

  @Test
  void inconsistentChunkHeaderIsRejectedAsTorn() {
    ModelVersion v1 = serveV1();
    List<ModelUpdate> v2 = full(2, v1Params);
    assembler.accept(wire(v2.get(0)));
    ModelUpdate odd = wire(v2.get(1));
    odd.setChunkCount(odd.getChunkCount() + 1);

    assertThat(assembler.accept(odd)).isEmpty();

    assertThat(onlyRejection()).isEqualTo(Reason.TORN);
    assertThat(rejections.get(0).message()).contains("chunkCount");
    assertStillServing(v1);
  }

  @Test
  void malformedHeaderIsRejected() {
    ModelVersion v1 = serveV1();
    ModelUpdate c = wire(full(2, v1Params).get(0));
    c.setChunkIndex(c.getChunkCount());
    assembler.accept(c);
    assertThat(onlyRejection()).isEqualTo(Reason.MALFORMED);
    assertStillServing(v1);
  }

  @Test
  void deltasFollowTheTrainerBitExactlyWithPeriodicFulls() {
    UpdatePlanner planner = new UpdatePlanner(10);
    Random random = new Random(11);
    ModelParameters trainer = v1Params;
    ModelParameters consumerCopy = null;
    long deltaBytes = 0;
    long fullBytes = 0;
    for (long version = 1; version <= 25; version++) {
      if (version > 1) {
        trainer = TestModels.step(trainer, random, 0.01);
      }
      List<ModelUpdate> chunks;
      if (planner.kindFor(version, consumerCopy != null) == UpdateKind.FULL) {
        chunks = encoder.encodeFull(MODEL, version, version - 1, trainer, Map.of());
        consumerCopy = trainer;
        fullBytes = trainer.toBytes().length;
      } else {
        TernaryDelta.Encoded d = TernaryDelta.encode(consumerCopy, trainer);
        chunks = encoder.encodeDelta(MODEL, version, version - 1, d.payload(), Map.of());
        consumerCopy = d.consumerCopy();
        deltaBytes = d.payload().length;
      }
      ModelVersion v = deliver(chunks).orElseThrow();
      assertThat(v.version()).isEqualTo(version);
      assertThat(v.parameters()).isEqualTo(consumerCopy);
    }
    assertThat(rejections).isEmpty();
    assertThat(assembler.current().orElseThrow().parameters().rmsDifference(trainer))
        .isLessThan(0.01);
    assertThat(
            accepted.stream().filter(v -> v.kind() == UpdateKind.FULL).map(ModelVersion::version))
        .containsExactly(1L, 11L, 21L);
    assertThat((double) deltaBytes / fullBytes).isLessThan(0.1);
  }

  @Test
  void deltaToAMissedParentIsOutOfOrderAndTheNextFullRecovers() {
    ModelVersion v1 = serveV1();
    ModelParameters p2 = TestModels.step(v1Params, new Random(1), 0.01);
    ModelParameters p3 = TestModels.step(p2, new Random(2), 0.01);
    TernaryDelta.Encoded d2 = TernaryDelta.encode(v1Params, p2);
    TernaryDelta.Encoded d3 = TernaryDelta.encode(d2.consumerCopy(), p3);
    // v2 is lost; v3 (parent 2) arrives
    assertThat(deliver(encoder.encodeDelta(MODEL, 3, 2, d3.payload(), Map.of()))).isEmpty();
    assertThat(onlyRejection()).isEqualTo(Reason.OUT_OF_ORDER);
    assertStillServing(v1);

    assertThat(deliver(full(4, p3))).map(ModelVersion::version).contains(4L);
  }

  @Test
  void deltaWithoutAnyBaseIsOutOfOrder() {
    TernaryDelta.Encoded d = TernaryDelta.encode(v1Params, v1Params);
    assertThat(deliver(encoder.encodeDelta(MODEL, 2, 1, d.payload(), Map.of()))).isEmpty();
    assertThat(onlyRejection()).isEqualTo(Reason.OUT_OF_ORDER);
    assertThat(assembler.current()).isEmpty();
  }

  @Test
  void signedButUndecodablePayloadIsMalformed() {
    ModelVersion v1 = serveV1();
    assertThat(
            deliver(
                encoder.encode(
                    MODEL,
                    2,
                    1,
                    UpdateKind.FULL,
                    ModelParameters.FORMAT,
                    new byte[] {1, 2, 3},
                    null)))
        .isEmpty();
    assertThat(onlyRejection()).isEqualTo(Reason.MALFORMED);
    rejections.clear();
    assertThat(
            deliver(encoder.encode(MODEL, 3, 1, UpdateKind.FULL, "onnx", v1Params.toBytes(), null)))
        .isEmpty();
    assertThat(onlyRejection()).isEqualTo(Reason.UNSUPPORTED_FORMAT);
    assertStillServing(v1);
  }

  @Test
  void partialVersionsAreBoundedInCount() {
    assembler =
        newAssembler(
            new UpdateAssembler.Limits(2, 1 << 20, 1 << 20, Duration.ofMinutes(2)), TRAINER_KEY);
    ModelVersion v1 = serveV1();
    for (long v = 2; v <= 5; v++) {
      assembler.accept(wire(full(v, v1Params).get(0)));
      clock.advance(Duration.ofSeconds(1));
    }
    assertThat(assembler.counters().pendingVersions()).isEqualTo(2);
    assertThat(rejections).extracting(UpdateRejected::version).containsExactly(2L, 3L);
    assertThat(rejections).allMatch(r -> r.reason() == Reason.TORN);
    assertStillServing(v1);
  }

  @Test
  void partialVersionsAreBoundedInBytes() {
    // v1 is ~43 kB in 4 kB chunks; the buffer holds 60 kB
    assembler =
        newAssembler(
            new UpdateAssembler.Limits(4, 60_000, 1 << 20, Duration.ofMinutes(2)), TRAINER_KEY);
    ModelVersion v1 = serveV1();
    deliver(full(2, v1Params).subList(0, 8)); // 32 kB pending
    assertThat(rejections).isEmpty();
    deliver(full(3, v1Params).subList(0, 8)); // another 32 kB: v2 must go

    assertThat(onlyRejection()).isEqualTo(Reason.TORN);
    assertThat(rejections.get(0).version()).isEqualTo(2);
    assertThat(assembler.counters().pendingVersions()).isEqualTo(1);
    assertThat(assembler.counters().pendingBytes()).isLessThanOrEqualTo(60_000);

    rejections.clear();
    ModelParameters big = TestModels.random(TestModels.compactVit(), 1, 0.1);
    deliver(full(4, big).subList(0, 3)); // claims 1.8 MB: can never fit
    assertThat(rejections).hasSize(3).allMatch(r -> r.reason() == Reason.MALFORMED);
    assertThat(assembler.counters().pendingVersions()).isEqualTo(1);
    assertStillServing(v1);
  }

  @Test
  void otherModelsAreIgnoredAndRotatedKeysAreTrusted() {
    assembler = newAssembler(UpdateAssembler.Limits.DEFAULTS, OTHER_KEY, TRAINER_KEY);
    List<ModelUpdate> dtgrm = encoder.encodeFull("dtgrm", 1, 0, v1Params, Map.of());
    assertThat(deliver(dtgrm)).isEmpty();
    assertThat(assembler.counters().ignored()).isEqualTo(dtgrm.size());
    assertThat(rejections).isEmpty();

    assertThat(deliver(full(1, v1Params))).isPresent();
    UpdateEncoder rotated = new UpdateEncoder(OTHER_KEY, 4096, clock);
    assertThat(deliver(rotated.encodeFull(MODEL, 2, 1, v1Params, Map.of()))).isPresent();
  }

  @Test
  void restoredVersionIsTheBaseOfTheNextDelta() {
    ModelVersion restored =
        new ModelVersion(
            MODEL, 7, 6, UpdateKind.FULL, ModelParameters.FORMAT, v1Params, "", "", null, null, 0);
    assembler.restore(restored);
    ModelParameters p8 = TestModels.step(v1Params, new Random(8), 0.01);
    TernaryDelta.Encoded d = TernaryDelta.encode(v1Params, p8);

    ModelVersion v8 =
        deliver(encoder.encodeDelta(MODEL, 8, 7, d.payload(), Map.of())).orElseThrow();

    assertThat(v8.parameters()).isEqualTo(d.consumerCopy());
    assertThat(rejections).isEmpty();
  }

  @Test
  void countersAndAFailingListener() {
    UpdateAssembler a =
        new UpdateAssembler(
            MODEL,
            List.of(TRAINER_KEY.getPublic()),
            UpdateAssembler.Limits.DEFAULTS,
            new UpdateListener() {
              @Override
              public void accepted(ModelVersion version) {
                throw new IllegalStateException("listener bug");
              }
            },
            clock);
    for (ModelUpdate c : full(1, v1Params)) {
      a.accept(wire(c));
    }
    for (ModelUpdate c : full(1, v1Params)) {
      a.accept(wire(c));
    }
    UpdateCounters counters = a.counters();
    assertThat(a.currentVersion()).isEqualTo(1);
    assertThat(counters.accepted()).isEqualTo(1);
    assertThat(counters.rejected(Reason.REPLAYED)).isEqualTo(full(1, v1Params).size());
    assertThat(counters.rejectedTotal()).isEqualTo(counters.rejected(Reason.REPLAYED));
    assertThat(counters.rejected()).containsKeys(Reason.values());
  }

  private static int wireSize(ModelUpdate c) {
    try {
      return c.toByteBuffer().remaining();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
