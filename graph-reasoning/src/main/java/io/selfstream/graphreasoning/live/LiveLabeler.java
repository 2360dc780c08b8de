package io.selfstream.graphreasoning.live;

import io.selfstream.schemas.avro.FrameFeatures;
import io.selfstream.schemas.avro.FrameLabel;
import io.selfstream.schemas.avro.SegmentEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The live labelling of one source, free of Kafka: the processor of {@link SegmentationTopology}
 * wraps it around its state stores, and the lookahead measurement runs it directly on generated
 * videos, so both exercise the same code.
 *
 * <p>Per frame, in order:
 *
 * <ol>
 *   <li><b>Order.</b> A seq not above the source's last one is dropped ({@code outOfOrder}): a
 *       frame that arrives after its successors were labelled cannot be put back into their
 *       context. A jump of more than {@code maxGapFrames} ends the open segment (its pending frames
 *       are labelled first, with the lookahead they have) and restarts the window; smaller gaps are
 *       bridged (the model sees the frames on both sides as neighbours).
 *   <li><b>Feature policy.</b> Under {@link FeaturePolicy#STRICT} a frame of another encoder
 *       version than the serving model's is skipped ({@code encoderMismatch}); a frame of another
 *       dimension than the model's is always skipped ({@code dimMismatch}).
 *   <li><b>Window.</b> The frame joins the window of the last {@code windowFrames} frames.
 *   <li><b>Label.</b> Every pending frame with at least {@code lookaheadFrames} frames after it in
 *       the window is labelled by one inference over the window (normally exactly one frame: the
 *       one {@code lookaheadFrames} frames back), and fed to the segment tracker.
 *   <li><b>Catch-up.</b> One inference per frame costs the same whatever the backlog, so a source
 *       that arrives faster than inferences run would fall behind without end. When a frame arrives
 *       more than {@code catchUpLag} after its capture, labelling waits until {@code catchUpFrames}
 *       frames are due and labels them all in one inference (the earlier ones with more lookahead
 *       than the minimum, never less). Back within the lag, it labels per frame.
 * </ol>
 *
 * Segment tracking: a label change opens a new segment once the new label held {@code
 * minSegmentFrames} frames, closing the previous one (a {@code closed=true} event); shorter runs
 * are merged into the open segment. Segment events carry the mean confidence, the newest model
 * version and encoder version of their frames.
 */
final class LiveLabeler {

  /** Where labels and segment events go. */
  interface Emitter {
    void label(FrameLabel label);

    void segment(SegmentEvent event);
  }

  private final LiveSegmentationSettings settings;
  private final LiveCounters counters;

  LiveLabeler(LiveSegmentationSettings settings, LiveCounters counters) {
    this.settings = settings;
    this.counters = counters;
  }

  /**
   * Takes one frame of {@code sourceId}.
   *
   * @param model the serving model, or null when none serves yet
   * @param nowMs wall clock, stamped on outputs and used for the idle timeout
   */
  void onFrame(
      String sourceId,
      SourceWindow window,
      SourceProgress progress,
      FrameFeatures frame,
      TemporalModel model,
      long nowMs,
      Emitter out) {
    counters.framesIn.incrementAndGet();
    long seq = frame.getSeq();
    if (progress.lastSeq >= 0 && seq <= progress.lastSeq) {
      counters.outOfOrder.incrementAndGet();
      return;
    }
    if (progress.lastSeq >= 0 && seq > progress.lastSeq + 1) {
      long missing = seq - progress.lastSeq - 1;
      counters.gapFrames.addAndGet(missing);
      if (missing > settings.maxGapFrames()) {
        flush(sourceId, window, progress, model, nowMs, out);
        window.clear();
        counters.windowResets.incrementAndGet();
      }
    }
    progress.lastSeq = seq;
    progress.lastArrivalMs = nowMs;
    progress.idleFlushed = false;
    if (progress.nextToLabel == Long.MIN_VALUE) {
      progress.nextToLabel = seq;
    }
    List<Float> values = frame.getFeatures();
    float[] vector = new float[values.size()];
    for (int i = 0; i < vector.length; i++) {
      vector[i] = values.get(i);
    }
    long encoderVersion = frame.getEncoderVersion();
    if (model != null && vector.length != model.featureDim()) {
      counters.dimMismatch.incrementAndGet();
      skip(progress, seq);
      return;
    }
    if (model != null
        && settings.featurePolicy() == FeaturePolicy.STRICT
        && encoderVersion != model.encoderVersion()) {
      counters.encoderMismatch.incrementAndGet();
      skip(progress, seq);
      return;
    }
    if (!window.isEmpty() && window.dim() != vector.length) {
      // another encoder with another dimension: nothing before fits the new frames
      flush(sourceId, window, progress, model, nowMs, out);
      window.clear();
      counters.windowResets.incrementAndGet();
    }
    long captureMs = frame.getCaptureTimeMs().toEpochMilli();
    window.append(
        new SourceWindow.Entry(seq, captureMs, encoderVersion, vector), settings.windowFrames());
    if (settings.catchUpFrames() > 1
        && nowMs - captureMs > settings.catchUpLag().toMillis()
        && dueFrames(window, progress, settings.lookaheadFrames()) < settings.catchUpFrames()) {
      counters.catchUpDeferred.incrementAndGet();
      return; // behind: gather a batch for one inference
    }
    labelDue(sourceId, window, progress, model, settings.lookaheadFrames(), nowMs, out);
  }

  /** Frames pending a label that have at least {@code minAfter} frames after them. */
  private static int dueFrames(SourceWindow window, SourceProgress progress, int minAfter) {
    int due = 0;
    for (int i = window.size() - 1 - minAfter; i >= 0; i--) {
      if (window.get(i).seq() < progress.nextToLabel) {
        break;
      }
      due++;
    }
    return due;
  }

  /** A skipped frame is never labelled: it must not hold back the frames pending before it. */
  private static void skip(SourceProgress progress, long seq) {
    if (progress.nextToLabel == seq) {
      progress.nextToLabel = seq + 1;
    }
  }

  /**
   * Labels what is pending with the lookahead there is and closes the open segment: at a gap, at a
   * dimension change, and when the source went idle.
   */
  void flush(
      String sourceId,
      SourceWindow window,
      SourceProgress progress,
      TemporalModel model,
      long nowMs,
      Emitter out) {
    labelDue(sourceId, window, progress, model, 0, nowMs, out);
    if (progress.candidate != null) {
      progress.open.absorb(progress.candidate);
      progress.candidate = null;
    }
    if (progress.open != null) {
      emit(sourceId, progress.open, true, model, nowMs, out);
      progress.open = null;
    }
  }

  private void labelDue(
      String sourceId,
      SourceWindow window,
      SourceProgress progress,
      TemporalModel model,
      int minAfter,
      long nowMs,
      Emitter out) {
    int last = window.size() - 1 - minAfter;
    int first = -1;
    for (int i = 0; i <= last; i++) {
      if (window.get(i).seq() >= progress.nextToLabel) {
        first = i;
        break;
      }
    }
    if (first < 0) {
      return;
    }
    long lastDueSeq = window.get(last).seq();
    progress.nextToLabel = lastDueSeq + 1;
    if (model == null) {
      counters.noModel.addAndGet(last - first + 1);
      return;
    }
    // the model's input: the window, less frames the policy or the dimension excludes
    boolean strict = settings.featurePolicy() == FeaturePolicy.STRICT;
    List<float[]> frames = new ArrayList<>(window.size());
    int[] position = new int[window.size()];
    for (int i = 0; i < window.size(); i++) {
      SourceWindow.Entry e = window.get(i);
      boolean usable =
          e.features().length == model.featureDim()
              && (!strict || e.encoderVersion() == model.encoderVersion());
      position[i] = usable ? frames.size() : -1;
      if (usable) {
        frames.add(e.features());
      }
    }
    List<Integer> due = new ArrayList<>();
    for (int i = first; i <= last; i++) {
      if (position[i] >= 0) {
        due.add(i);
      } else if (window.get(i).features().length != model.featureDim()) {
        counters.dimMismatch.incrementAndGet();
      } else {
        counters.encoderMismatch.incrementAndGet(); // the model was swapped for another encoder
      }
    }
    if (due.isEmpty()) {
      return;
    }
    int[] targets = new int[due.size()];
    for (int k = 0; k < targets.length; k++) {
      targets[k] = position[due.get(k)];
    }
    int[] labels = new int[targets.length];
    float[] confidence = new float[targets.length];
    model.label(frames.toArray(new float[0][]), targets, labels, confidence);
    for (int k = 0; k < targets.length; k++) {
      int i = due.get(k);
      SourceWindow.Entry e = window.get(i);
      int after = frames.size() - 1 - targets[k];
      out.label(
          FrameLabel.newBuilder()
              .setSourceId(sourceId)
              .setSeq(e.seq())
              .setCaptureTimeMs(Instant.ofEpochMilli(e.captureTimeMs()))
              .setLabel(labels[k])
              .setLabelName(model.descriptor().labelName(labels[k]))
              .setConfidence(confidence[k])
              .setTemporalModelVersion(model.version())
              .setEncoderVersion(e.encoderVersion())
              .setModelEncoderVersion(model.encoderVersion())
              .setLookaheadFrames(after)
              .setEmittedAtMs(Instant.ofEpochMilli(nowMs))
              .build());
      counters.labelled.incrementAndGet();
      if (e.encoderVersion() != model.encoderVersion()) {
        counters.mixedVersionLabels.incrementAndGet();
      }
      track(sourceId, progress, e, labels[k], confidence[k], model, nowMs, out);
    }
  }

  private void track(
      String sourceId,
      SourceProgress p,
      SourceWindow.Entry e,
      int label,
      float confidence,
      TemporalModel model,
      long nowMs,
      Emitter out) {
    long mv = model.version();
    long ev = e.encoderVersion();
    if (p.open == null) {
      p.open = SourceProgress.Run.of(label, e.seq(), e.captureTimeMs(), confidence, mv, ev);
      if (settings.provisionalEvents()) {
        emit(sourceId, p.open, false, model, nowMs, out);
      }
      return;
    }
    if (label == p.open.label) {
      if (p.candidate != null) {
        p.open.absorb(p.candidate); // a flicker shorter than minSegmentFrames
        p.candidate = null;
      }
      p.open.extend(e.seq(), e.captureTimeMs(), confidence, mv, ev);
      return;
    }
    if (p.candidate != null && label == p.candidate.label) {
      p.candidate.extend(e.seq(), e.captureTimeMs(), confidence, mv, ev);
    } else {
      if (p.candidate != null) {
        p.open.absorb(p.candidate);
      }
      p.candidate = SourceProgress.Run.of(label, e.seq(), e.captureTimeMs(), confidence, mv, ev);
    }
    if (p.candidate.frames >= settings.minSegmentFrames()) {
      emit(sourceId, p.open, true, model, nowMs, out);
      p.open = p.candidate;
      p.candidate = null;
      if (settings.provisionalEvents()) {
        emit(sourceId, p.open, false, model, nowMs, out);
      }
    }
  }

  private void emit(
      String sourceId,
      SourceProgress.Run run,
      boolean closed,
      TemporalModel model,
      long nowMs,
      Emitter out) {
    out.segment(
        SegmentEvent.newBuilder()
            .setSourceId(sourceId)
            .setStartSeq(run.startSeq)
            .setEndSeq(run.endSeq)
            .setStartTimeMs(Instant.ofEpochMilli(run.startTimeMs))
            .setEndTimeMs(Instant.ofEpochMilli(run.endTimeMs))
            .setLabel(run.label)
            .setLabelName(model == null ? null : model.descriptor().labelName(run.label))
            .setConfidence(run.meanConfidence())
            .setClosed(closed)
            .setTemporalModelVersion(run.modelVersion)
            .setEncoderVersion(run.encoderVersion)
            .setEmittedAtMs(Instant.ofEpochMilli(nowMs))
            .build());
    counters.segments.incrementAndGet();
  }
}
