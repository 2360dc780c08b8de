package io.selfstream.ops.dashboard;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.selfstream.ops.demo.DemoRun;
import io.selfstream.trainer.adapt.AdaptationMethod;
import io.selfstream.trainer.consumer.EncoderTrainer;
import io.selfstream.trainer.consumer.TrainerMetrics;
import io.selfstream.trainer.eval.AdaptationEvaluator;
import io.selfstream.trainer.eval.ErrorTable;
import io.selfstream.trainer.eval.PrequentialScorer;
import io.selfstream.trainer.eval.PseudoLabelAccuracy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The dashboard's time series, fed by the demo's status ticks ({@link #onStatus}) and, where a
 * segmentation feed runs, by per-frame labels ({@link #onSegmentFrame}); read as one JSON document
 * ({@link #json}) by the page. Every series is indexed like {@code t} (seconds since the run
 * started); a value that has no meaning for a tick is null. Per trainer, {@code pseudoLabelRate} is
 * the confident share of its last step, {@code pseudoLabelAccuracy} the accuracy of its recent
 * pseudo-labels against ground truth (the {@code selfstream_evaluator_pseudo_label_accuracy} gauge)
 * and {@code pseudoLabelAccuracyAll} that over the whole run. Thread-safe: the demo's thread
 * writes, HTTP threads read.
 */
public final class DashboardState implements DemoRun.Listener {

  /** The file the demo writes the state to in its run directory. */
  public static final String FILE_NAME = "dashboard.json";

  /** Ticks kept (a 10-minute demo at one tick per 10 s has 60). */
  static final int MAX_TICKS = 2000;

  /** Frames kept per segmentation feed. */
  static final int MAX_SEGMENT_FRAMES = 2000;

  private static final ObjectMapper JSON = new ObjectMapper();

  private final MeterRegistry registry;
  private final List<Double> t = new ArrayList<>();
  private final List<String> domain = new ArrayList<>();
  private final List<Map<String, Object>> boundaries = new ArrayList<>();
  private final Map<String, Map<String, List<Object>>> methods = new LinkedHashMap<>();
  private final Map<String, Map<String, List<Object>>> trainers = new LinkedHashMap<>();
  private final Map<String, List<Object>> pipeline = new LinkedHashMap<>();
  private final Map<String, Object> latest = new LinkedHashMap<>();
  private final Map<String, Segmentation> segmentation = new LinkedHashMap<>();
  private final java.util.Set<String> seenDomains = new java.util.HashSet<>();

  // previous tick's cumulative counters, for the per-interval figures
  private double lastSeconds;
  private long lastFrames;
  private long lastViews;
  private final Map<String, long[]> lastScored = new HashMap<>(); // method -> {frames, wrong}
  private final Map<String, long[]> lastUpdates = new HashMap<>(); // method -> sizes
  private final Map<String, double[]> lastSteps = new HashMap<>(); // method -> {count, ms}

  /**
   * @param registry where the trainers register their meters (step latency); null = none
   */
  public DashboardState(MeterRegistry registry) {
    this.registry = registry;
  }

  @Override
  public synchronized void onStatus(DemoRun.Status s) {
    double dt = s.seconds() - lastSeconds;
    t.add(round(s.seconds(), 1));
    String current = currentDomain(s.methods());
    // a mark for every domain the scorer saw first since the last tick (in the order seen)
    for (String d : domainsSeen(s.methods())) {
      if (seenDomains.add(d)) {
        Map<String, Object> mark = new LinkedHashMap<>();
        mark.put("t", round(s.seconds(), 1));
        mark.put("domain", d);
        boundaries.add(mark);
      }
    }
    domain.add(current);

    s.methods()
        .forEach(
            (id, r) -> {
              ErrorTable e = r.errors();
              long n = e.frames();
              long wrong = n == 0 ? 0 : Math.round(e.pooledError() * n);
              long[] prev = lastScored.getOrDefault(id, new long[2]);
              Map<String, List<Object>> m = series(methods, id);
              put(m, "error", percent(e.meanError()));
              put(
                  m,
                  "window",
                  n > prev[0] ? percent((wrong - prev[1]) / (double) (n - prev[0])) : null);
              put(m, "version", r.lastVersionUsed() < 0 ? null : r.lastVersionUsed());
              lastScored.put(id, new long[] {n, wrong});
            });

    for (Map.Entry<AdaptationMethod, EncoderTrainer.Status> e : s.trainers().entrySet()) {
      String id = e.getKey().id();
      EncoderTrainer.Status st = e.getValue();
      Map<String, List<Object>> m = series(trainers, id);
      put(m, "version", st.version());
      put(m, "samples", st.samples());
      put(m, "samplesPerS", round(st.samplesPerSecond(), 1));
      put(m, "loss", finite(st.loss(), 4));
      put(m, "pseudoLabelRate", percent(st.pseudoLabelRate()));
      // scored against labels.eval by the demo (null while none matched, always for tent)
      PseudoLabelAccuracy.Snapshot pl = pseudoLabels(s).get(e.getKey());
      put(m, "pseudoLabelAccuracy", pl == null ? null : percent(pl.recentAccuracy()));
      put(m, "pseudoLabelAccuracyAll", pl == null ? null : percent(pl.accuracy()));
      put(m, "pseudoLabelsMatched", pl == null ? null : pl.matched());
      put(m, "rollbacks", st.rollbacks());
      put(m, "stepMs", stepMillis(id));
      AdaptationEvaluator.UpdateSizes u = s.updateSizes().get(e.getKey());
      long[] prev = lastUpdates.getOrDefault(id, new long[4]);
      Long deltaBytes = null;
      Long fullBytes = null;
      if (u != null) {
        if (u.deltaCount() > prev[2]) {
          deltaBytes = (u.deltaBytes() - prev[3]) / (u.deltaCount() - prev[2]);
        }
        if (u.fullCount() > prev[0]) {
          fullBytes = (u.fullBytes() - prev[1]) / (u.fullCount() - prev[0]);
        }
        lastUpdates.put(
            id, new long[] {u.fullCount(), u.fullBytes(), u.deltaCount(), u.deltaBytes()});
      }
      put(m, "deltaBytes", deltaBytes);
      put(m, "fullBytes", fullBytes);
    }

    put(pipeline, "framesPerS", dt > 0 ? round((s.frames() - lastFrames) / dt, 1) : null);
    put(pipeline, "viewsPerS", dt > 0 ? round((s.views() - lastViews) / dt, 1) : null);
    put(pipeline, "frames", s.frames());
    put(pipeline, "deadLetters", s.deadLetters());
    put(pipeline, "scored", s.scoredFrames());
    put(pipeline, "scoringLag", Math.max(0, s.frames() - s.scoredFrames()));
    put(pipeline, "teacherVersion", s.teacherVersion());

    latest.clear();
    latest.put("t", round(s.seconds(), 1));
    latest.put("domain", current);
    latest.put("feed", s.feedAcked() + " / " + s.feedTotal());
    latest.put("frames", s.frames());
    latest.put("deadLetters", s.deadLetters());
    latest.put("views", s.views());
    latest.put("scored", s.scoredFrames());
    latest.put("pending", s.pendingFrames());
    latest.put("teacherVersion", s.teacherVersion());
    Map<String, Object> pseudoAccuracy = new LinkedHashMap<>();
    pseudoLabels(s).forEach((k, v) -> pseudoAccuracy.put(k.id(), percent(v.accuracy())));
    latest.put("pseudoLabelAccuracy", pseudoAccuracy);

    lastSeconds = s.seconds();
    lastFrames = s.frames();
    lastViews = s.views();
    trim();
  }

  /**
   * One frame of a segmentation feed: the label predicted for it and its ground truth (null when
   * unknown). Frames are appended in order; the oldest are dropped past {@link
   * #MAX_SEGMENT_FRAMES}.
   */
  public synchronized void onSegmentFrame(String feed, String predicted, String truth) {
    Segmentation seg = segmentation.computeIfAbsent(feed, f -> new Segmentation());
    seg.predicted.add(predicted);
    seg.truth.add(truth);
    seg.total++;
    if (seg.predicted.size() > MAX_SEGMENT_FRAMES) {
      seg.predicted.remove(0);
      seg.truth.remove(0);
    }
  }

  /** The whole state as the JSON document {@code /api/state} serves. */
  public synchronized String json() {
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("t", t);
    doc.put("domain", domain);
    doc.put("boundaries", boundaries);
    doc.put("methods", methods);
    doc.put("trainers", trainers);
    doc.put("pipeline", pipeline);
    doc.put("latest", latest);
    Map<String, Object> seg = new LinkedHashMap<>();
    segmentation.forEach(
        (feed, s) -> {
          Map<String, Object> f = new LinkedHashMap<>();
          f.put("firstFrame", s.total - s.predicted.size());
          f.put("predicted", s.predicted);
          f.put("truth", s.truth);
          f.put("current", s.predicted.isEmpty() ? null : s.predicted.get(s.predicted.size() - 1));
          f.put("accuracy", percent(s.accuracy()));
          seg.put(feed, f);
        });
    doc.put("segmentation", seg);
    try {
      return JSON.writeValueAsString(doc);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("dashboard state not serializable", e);
    }
  }

  /** Number of status ticks received (kept). */
  public synchronized int ticks() {
    return t.size();
  }

  /**
   * Writes {@link #json} to {@code file} atomically, for {@code selfstream dashboard} in another
   * process.
   */
  public void writeTo(Path file) {
    String doc = json();
    try {
      Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
      Files.writeString(tmp, doc);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("writing " + file, e);
    }
  }

  private static Map<AdaptationMethod, PseudoLabelAccuracy.Snapshot> pseudoLabels(
      DemoRun.Status s) {
    return s.pseudoLabels() == null ? Map.of() : s.pseudoLabels();
  }

  /** Domains the scorer has seen, in first-seen order. */
  private static java.util.Set<String> domainsSeen(
      Map<String, PrequentialScorer.MethodResult> results) {
    java.util.Set<String> out = new java.util.LinkedHashSet<>();
    results.values().forEach(r -> out.addAll(r.errors().perDomain().keySet()));
    return out;
  }

  /** The domain of the newest scored frames: the last domain the scorer has seen. */
  private static String currentDomain(Map<String, PrequentialScorer.MethodResult> results) {
    String d = null;
    for (PrequentialScorer.MethodResult r : results.values()) {
      for (String k : r.errors().perDomain().keySet()) {
        d = k;
      }
      if (d != null) {
        return d;
      }
    }
    return null;
  }

  /** Mean learner step time in ms over the last interval, from the trainer's timer. */
  private Double stepMillis(String method) {
    if (registry == null) {
      return null;
    }
    Timer timer = registry.find(TrainerMetrics.STEP_TIME).tag("method", method).timer();
    if (timer == null) {
      return null;
    }
    double count = timer.count();
    double ms = timer.totalTime(TimeUnit.MILLISECONDS);
    double[] prev = lastSteps.getOrDefault(method, new double[2]);
    lastSteps.put(method, new double[] {count, ms});
    return count > prev[0] ? round((ms - prev[1]) / (count - prev[0]), 1) : null;
  }

  private static Map<String, List<Object>> series(
      Map<String, Map<String, List<Object>>> all, String id) {
    return all.computeIfAbsent(id, k -> new LinkedHashMap<>());
  }

  /** Appends {@code v} to series {@code name}, padding with nulls so it stays aligned with t. */
  private void put(Map<String, List<Object>> m, String name, Object v) {
    List<Object> s = m.computeIfAbsent(name, k -> new ArrayList<>());
    while (s.size() < t.size() - 1) {
      s.add(null);
    }
    s.add(v);
  }

  private void trim() {
    int drop = t.size() - MAX_TICKS;
    if (drop <= 0) {
      return;
    }
    t.subList(0, drop).clear();
    domain.subList(0, drop).clear();
    for (Map<String, Map<String, List<Object>>> group : List.of(methods, trainers)) {
      group
          .values()
          .forEach(m -> m.values().forEach(s -> s.subList(0, Math.min(drop, s.size())).clear()));
    }
    pipeline.values().forEach(s -> s.subList(0, Math.min(drop, s.size())).clear());
  }

  private static Double percent(double v) {
    return Double.isFinite(v) ? round(100 * v, 2) : null;
  }

  private static Double finite(double v, int digits) {
    return Double.isFinite(v) ? round(v, digits) : null;
  }

  private static double round(double v, int digits) {
    double f = Math.pow(10, digits);
    return Math.round(v * f) / f;
  }

  private static final class Segmentation {
    final List<String> predicted = new ArrayList<>();
    final List<String> truth = new ArrayList<>();
    long total;

    double accuracy() {
      long n = 0;
      long ok = 0;
      for (int i = 0; i < predicted.size(); i++) {
        if (truth.get(i) != null) {
          n++;
          ok += truth.get(i).equals(predicted.get(i)) ? 1 : 0;
        }
      }
      return n == 0 ? Double.NaN : (double) ok / n;
    }
  }
}
