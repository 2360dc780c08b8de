package io.selfstream.trainer.views;

import ai.djl.ndarray.NDManager;
import io.selfstream.schemas.avro.DeadFrame;
import io.selfstream.schemas.avro.Frame;
import io.selfstream.schemas.avro.FrameFeatures;
import io.selfstream.schemas.avro.ModelUpdate;
import io.selfstream.schemas.avro.TrainingView;
import io.selfstream.schemas.avro.UpdateKind;
import io.selfstream.schemas.model.ModelParameters;
import io.selfstream.schemas.model.ModelVersion;
import io.selfstream.schemas.model.SigningKeys;
import io.selfstream.schemas.model.UpdateAssembler;
import io.selfstream.schemas.model.UpdateListener;
import io.selfstream.schemas.model.UpdateRejected;
import io.selfstream.trainer.encoder.Devices;
import io.selfstream.trainer.encoder.Encoder;
import io.selfstream.trainer.encoder.EncoderConfig;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.security.PublicKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.TwoInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.OutputTag;

/**
 * The views operator. Input 1: frames (one parallel instance per frames partition group). Input 2:
 * {@code model-updates} chunks, broadcast, so every instance assembles and verifies each version
 * itself ({@link UpdateAssembler}: signature, hash, order) and holds the newest verified teacher; a
 * bad update changes nothing. Main output: {@link TrainingView}s; side outputs: {@link
 * FrameFeatures} (only when a teacher exists, stamped with its version) and dead letters.
 *
 * <p>Frames are buffered into micro-batches (one teacher forward pass each), flushed when full,
 * after {@code batchTimeout}, before every checkpoint barrier ({@link #prepareSnapshotPreBarrier},
 * so no buffered frame is lost on recovery), before a new teacher is applied and at end of input.
 *
 * <p>DJL: one {@link NDManager} per instance, opened in {@link #open()} and closed in {@link
 * #close()}; each teacher lives in a sub-manager of it (closed when replaced) and each forward pass
 * in a sub-manager of the teacher's, closed after the batch.
 *
 * <p>State: the held teacher (its full parameters) and the chunks of versions still being
 * assembled, as union list state written by subtask 0 (every instance holds the same: the broadcast
 * input is aligned at the barrier), so after a failure every instance restores the teacher even
 * though the update source resumes after the records that carried it.
 */
public final class ViewsOperator extends AbstractStreamOperator<TrainingView>
    implements TwoInputStreamOperator<FrameEnvelope, ModelUpdate, TrainingView> {

  private static final long serialVersionUID = 1L;

  /** Side output: per-frame teacher features. */
  public static final OutputTag<FrameFeatures> FEATURES =
      new OutputTag<>("features", AvroTypeInfo.forClass(FrameFeatures.class));

  /** Side output: frames the model cannot take. */
  public static final OutputTag<DeadFrame> DEAD_LETTERS =
      new OutputTag<>("dead-letters", AvroTypeInfo.forClass(DeadFrame.class));

  /** Accumulator (LongCounter): views emitted by all instances. */
  public static final String ACC_VIEWS = "selfstream.views.views";

  /** Accumulator (LongCounter): feature vectors emitted. */
  public static final String ACC_FEATURES = "selfstream.views.features";

  /** Accumulator (LongCounter): dead letters emitted. */
  public static final String ACC_DEAD_LETTERS = "selfstream.views.deadLetters";

  /** What the operator needs, in serializable form. */
  public record Spec(
      String model,
      Map<String, String> encoder,
      double threshold,
      long seed,
      int batchSize,
      long batchTimeoutMs,
      String device,
      int torchThreads,
      List<byte[]> trustedKeys)
      implements Serializable {

    public Spec {
      encoder = new LinkedHashMap<>(encoder);
      trustedKeys = new ArrayList<>(trustedKeys);
    }

    static Spec of(ViewsJobSettings s, List<PublicKey> keys) {
      List<byte[]> encoded = new ArrayList<>();
      for (PublicKey k : keys) {
        encoded.add(k.getEncoded());
      }
      return new Spec(
          s.model(),
          s.encoder().toMap(),
          s.confidenceThreshold(),
          s.seed(),
          s.batchSize(),
          s.batchTimeout().toMillis(),
          s.device(),
          s.torchThreads(),
          encoded);
    }
  }

  private final Spec spec;

  private transient EncoderConfig encoderConfig;
  private transient NDManager manager;
  private transient Encoder teacher;
  private transient ModelVersion held;
  private transient byte[] heldBytes;
  private transient UpdateAssembler assembler;
  private transient List<ModelUpdate> pendingChunks;
  private transient ViewMaker maker;
  private transient List<Frame> buffer;
  private transient boolean timerSet;
  private transient int subtask;
  private transient ListState<byte[]> teacherState;
  private transient ListState<byte[]> pendingState;
  private transient ModelVersion restoredVersion;
  private transient List<ModelUpdate> restoredPending;
  private transient TeacherApplyLog applyLog;
  private transient AvroSpecificSerializer<ModelUpdate> updateBytes;
  private transient StreamRecord<TrainingView> viewRecord;
  private transient UpdateRejected lastRejection;
  private transient Counter viewsOut;
  private transient Counter pseudoLabelsOut;
  private transient Counter featuresOut;
  private transient Counter deadLettersOut;
  private transient Counter updatesApplied;
  private transient Counter updatesRejected;
  private transient LongCounter viewsTotal;
  private transient LongCounter featuresTotal;
  private transient LongCounter deadLettersTotal;

  public ViewsOperator(Spec spec) {
    this.spec = spec;
  }

  @Override
  public void initializeState(StateInitializationContext context) throws Exception {
    super.initializeState(context);
    updateBytes = new AvroSpecificSerializer<>(ModelUpdate.class);
    teacherState =
        context
            .getOperatorStateStore()
            .getUnionListState(
                new ListStateDescriptor<>(
                    "teacher", PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
    pendingState =
        context
            .getOperatorStateStore()
            .getUnionListState(
                new ListStateDescriptor<>(
                    "teacher-pending-chunks",
                    PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
    restoredPending = new ArrayList<>();
    if (context.isRestored()) {
      for (byte[] bytes : teacherState.get()) {
        ModelVersion v = fromStateBytes(updateBytes.fromBytes(bytes));
        if (restoredVersion == null || v.version() > restoredVersion.version()) {
          restoredVersion = v;
        }
      }
      Set<String> seen = new HashSet<>();
      for (byte[] bytes : pendingState.get()) {
        ModelUpdate chunk = updateBytes.fromBytes(bytes);
        if (seen.add(chunk.getVersion() + "/" + chunk.getChunkIndex())) {
          restoredPending.add(chunk);
        }
      }
    }
  }

  @Override
  public void open() throws Exception {
    super.open();
    subtask = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
    // must precede the first use of the engine in this JVM; a busy machine gains nothing from more
    if (System.getProperty("ai.djl.pytorch.num_threads") == null) {
      System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(spec.torchThreads()));
      System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
    }
    encoderConfig = EncoderConfig.fromMap(spec.encoder());
    manager = NDManager.newBaseManager(Devices.select(spec.device()));
    maker = new ViewMaker(encoderConfig, spec.threshold(), spec.seed());
    buffer = new ArrayList<>(spec.batchSize());
    pendingChunks = new ArrayList<>();
    viewRecord = new StreamRecord<>(null);
    assembler = newAssembler();

    applyLog = new TeacherApplyLog();
    getRuntimeContext().addAccumulator(TeacherApplyLog.NAME, applyLog);
    viewsTotal = getRuntimeContext().getLongCounter(ACC_VIEWS);
    featuresTotal = getRuntimeContext().getLongCounter(ACC_FEATURES);
    deadLettersTotal = getRuntimeContext().getLongCounter(ACC_DEAD_LETTERS);
    var metrics = getMetricGroup();
    metrics.gauge("teacherVersion", (Gauge<Long>) this::teacherVersion);
    viewsOut = metrics.counter("viewsOut");
    pseudoLabelsOut = metrics.counter("pseudoLabelsOut");
    featuresOut = metrics.counter("featuresOut");
    deadLettersOut = metrics.counter("deadLettersOut");
    updatesApplied = metrics.counter("teacherUpdatesApplied");
    updatesRejected = metrics.counter("teacherUpdatesRejected");

    if (restoredVersion != null) {
      assembler.restore(restoredVersion);
      if (!apply(restoredVersion, true)) {
        assembler = newAssembler();
      }
      restoredVersion = null;
    }
    for (ModelUpdate chunk : restoredPending) {
      processUpdate(chunk);
    }
    restoredPending = null;
  }

  private UpdateAssembler newAssembler() {
    List<PublicKey> keys = new ArrayList<>();
    for (byte[] k : spec.trustedKeys()) {
      keys.add(SigningKeys.publicKey(k));
    }
    UpdateListener listener =
        new UpdateListener() {
          @Override
          public void rejected(UpdateRejected r) {
            lastRejection = r;
            if (r.reason() != UpdateRejected.Reason.REPLAYED) {
              updatesRejected.inc();
            }
            applyLog.rejected(subtask, r.version(), r.reason().name());
            if (r.chunkIndex() < 0) {
              // a whole version was dropped (torn, superseded, evicted): forget its chunks too
              pendingChunks.removeIf(c -> c.getVersion() == r.version());
            }
          }
        };
    return new UpdateAssembler(
        spec.model(),
        keys,
        UpdateAssembler.Limits.DEFAULTS,
        UpdateListener.LOGGING.andThen(listener),
        java.time.Clock.systemUTC());
  }

  private long teacherVersion() {
    ModelVersion h = held;
    return h == null ? 0 : h.version();
  }

  @Override
  public void processElement1(StreamRecord<FrameEnvelope> element) throws Exception {
    FrameEnvelope envelope = element.getValue();
    if (envelope.isDead()) {
      output.collect(DEAD_LETTERS, new StreamRecord<>(envelope.dead()));
      deadLettersOut.inc();
      deadLettersTotal.add(1L);
      return;
    }
    buffer.add(envelope.frame());
    if (buffer.size() >= spec.batchSize()) {
      flush();
    } else if (!timerSet) {
      timerSet = true;
      long now = getProcessingTimeService().getCurrentProcessingTime();
      getProcessingTimeService()
          .registerTimer(
              now + spec.batchTimeoutMs(),
              time -> {
                timerSet = false;
                flush();
              });
    }
  }

  @Override
  public void processElement2(StreamRecord<ModelUpdate> element) throws Exception {
    processUpdate(element.getValue());
  }

  private void processUpdate(ModelUpdate chunk) {
    lastRejection = null;
    if (chunk.getVersion() > assembler.currentVersion()) {
      applyLog.received(subtask, chunk.getVersion(), System.currentTimeMillis());
    }
    Optional<ModelVersion> accepted = assembler.accept(chunk);
    if (accepted.isPresent()) {
      ModelVersion previous = held;
      if (!apply(accepted.get(), false)) {
        // the assembler moved on to a version we cannot serve: go back to the one we hold
        if (previous != null) {
          assembler.restore(previous);
        } else {
          assembler = newAssembler();
        }
      }
      long current = assembler.currentVersion();
      pendingChunks.removeIf(c -> c.getVersion() <= current);
      return;
    }
    boolean refused =
        lastRejection != null
            && lastRejection.version() == chunk.getVersion()
            && lastRejection.chunkIndex() == chunk.getChunkIndex();
    if (!refused
        && spec.model().equals(chunk.getModel())
        && chunk.getVersion() > assembler.currentVersion()) {
      pendingChunks.add(chunk);
    }
  }

  /**
   * Makes {@code version} the teacher: the first one is built in a sub-manager of the operator's
   * manager, later ones are imported into it in place (the import checks every name and shape
   * before it writes, so a misfit leaves the old teacher untouched). Returns false, keeping the old
   * teacher, when the parameters do not fit the configured encoder.
   */
  private boolean apply(ModelVersion version, boolean restoring) {
    var snapshot = EncoderUpdates.toSnapshot(version.parameters());
    Encoder created = null;
    try {
      if (teacher == null) {
        created = Encoder.create(encoderConfig, manager, 0);
        created.importParameters(snapshot);
      } else {
        // frames that arrived before the update are labelled by the teacher current then
        flush();
        teacher.importParameters(snapshot);
      }
    } catch (RuntimeException e) {
      if (created != null) {
        created.close();
      }
      updatesRejected.inc();
      applyLog.rejected(subtask, version.version(), "LAYOUT");
      LOG.warn(
          "{} v{} is verified but does not fit the configured encoder ({}); keeping v{}",
          spec.model(),
          version.version(),
          e.getMessage(),
          teacherVersion());
      return false;
    }
    if (created != null) {
      flush();
      teacher = created;
    }
    held = version;
    heldBytes = null;
    long now = System.currentTimeMillis();
    if (restoring) {
      applyLog.restored(subtask, version.version(), now);
    } else {
      applyLog.applied(subtask, version.version(), now);
      updatesApplied.inc();
    }
    LOG.info(
        "views subtask {} {} teacher {} v{}",
        subtask,
        restoring ? "restored" : "applied",
        spec.model(),
        version.version());
    return true;
  }

  private void flush() {
    if (buffer.isEmpty()) {
      return;
    }
    List<Frame> batch = buffer;
    buffer = new ArrayList<>(spec.batchSize());
    ViewMaker.Made made = maker.make(batch, teacher, teacherVersion());
    for (TrainingView view : made.views()) {
      output.collect(viewRecord.replace(view));
      viewsOut.inc();
      if (view.getPseudoLabel() != null) {
        pseudoLabelsOut.inc();
      }
    }
    for (FrameFeatures f : made.features()) {
      output.collect(FEATURES, new StreamRecord<>(f));
      featuresOut.inc();
    }
    viewsTotal.add((long) made.views().size());
    featuresTotal.add((long) made.features().size());
  }

  @Override
  public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
    super.prepareSnapshotPreBarrier(checkpointId);
    flush();
  }

  @Override
  public void snapshotState(StateSnapshotContext context) throws Exception {
    super.snapshotState(context);
    teacherState.clear();
    pendingState.clear();
    if (subtask != 0) {
      return;
    }
    if (held != null) {
      if (heldBytes == null) {
        heldBytes = updateBytes.toBytes(toStateRecord(held));
      }
      teacherState.add(heldBytes);
    }
    for (ModelUpdate chunk : pendingChunks) {
      pendingState.add(updateBytes.toBytes(chunk));
    }
  }

  /** The held version as a one-chunk record of its full parameters (our own state: unsigned). */
  static ModelUpdate toStateRecord(ModelVersion v) {
    byte[] payload = v.parameters().toBytes();
    return ModelUpdate.newBuilder()
        .setModel(v.model())
        .setVersion(v.version())
        .setParentVersion(v.parentVersion())
        .setKind(v.kind())
        .setChunkIndex(0)
        .setChunkCount(1)
        .setPayload(ByteBuffer.wrap(payload))
        .setPayloadSize(payload.length)
        .setPayloadSha256(ByteBuffer.wrap(HexFormat.of().parseHex(v.payloadSha256())))
        .setSignature(null)
        .setKeyId(v.keyId() == null ? "" : v.keyId())
        .setFormat(ModelParameters.FORMAT)
        .setCreatedAtMs(v.createdAt() == null ? Instant.EPOCH : v.createdAt())
        .setMetrics(new LinkedHashMap<>(v.metrics()))
        .build();
  }

  static ModelVersion fromStateBytes(ModelUpdate r) {
    ByteBuffer b = r.getPayload().duplicate();
    byte[] payload = new byte[b.remaining()];
    b.get(payload);
    ByteBuffer h = r.getPayloadSha256().duplicate();
    byte[] sha = new byte[h.remaining()];
    h.get(sha);
    return new ModelVersion(
        r.getModel(),
        r.getVersion(),
        r.getParentVersion(),
        r.getKind() == null ? UpdateKind.FULL : r.getKind(),
        r.getFormat(),
        ModelParameters.fromBytes(payload),
        HexFormat.of().formatHex(sha),
        r.getKeyId(),
        r.getCreatedAtMs(),
        r.getMetrics(),
        payload.length);
  }

  @Override
  public void finish() throws Exception {
    flush();
    super.finish();
  }

  @Override
  public void close() throws Exception {
    try {
      if (teacher != null) {
        teacher.close();
        teacher = null;
      }
      if (manager != null) {
        manager.close();
        manager = null;
      }
    } finally {
      super.close();
    }
  }

  /** For tests: the version held now (0 = none). */
  long heldVersion() {
    return teacherVersion();
  }
}
