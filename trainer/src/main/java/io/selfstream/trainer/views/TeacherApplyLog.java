package io.selfstream.trainer.views;

import java.io.IOException;
import java.io.ObjectOutputStream;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;
import org.apache.flink.api.common.accumulators.Accumulator;

/**
 * A Flink accumulator in which every parallel views instance records, without logging, when it
 * applied (or restored) which teacher version and which updates it refused. Read it while the job
 * runs with {@code JobClient.getAccumulators()} and {@link #parse}; the times are the instances'
 * wall clocks, so publish-to-applied latency is measurable however late the accumulator arrives.
 *
 * <p>Entries: {@code received/<version>/<subtask> -> epoch ms} (first chunk), {@code
 * applied/<version>/<subtask> -> epoch ms}, {@code restored/<version>/<subtask> -> epoch ms},
 * {@code rejected/<version>/<subtask>/<reason> -> count}.
 */
public final class TeacherApplyLog implements Accumulator<String, TreeMap<String, Long>> {

  private static final long serialVersionUID = 1L;

  /** Accumulator name. */
  public static final String NAME = "selfstream.views.teacher";

  private TreeMap<String, Long> entries = new TreeMap<>();

  public synchronized void applied(int subtask, long version, long atMs) {
    entries.put("applied/" + version + "/" + subtask, atMs);
  }

  /** The first chunk of {@code version} reached instance {@code subtask} (kept once). */
  public synchronized void received(int subtask, long version, long atMs) {
    entries.putIfAbsent("received/" + version + "/" + subtask, atMs);
  }

  public synchronized void restored(int subtask, long version, long atMs) {
    entries.put("restored/" + version + "/" + subtask, atMs);
  }

  public synchronized void rejected(int subtask, long version, String reason) {
    entries.merge("rejected/" + version + "/" + subtask + "/" + reason, 1L, Long::sum);
  }

  /** Adds a raw {@code key=value} entry (values are summed with an existing one for rejections). */
  @Override
  public synchronized void add(String entry) {
    int eq = entry.lastIndexOf('=');
    if (eq < 1) {
      throw new IllegalArgumentException("entry must be key=value, got " + entry);
    }
    String key = entry.substring(0, eq);
    long value = Long.parseLong(entry.substring(eq + 1));
    if (key.startsWith("rejected/")) {
      entries.merge(key, value, Long::sum);
    } else {
      entries.put(key, value);
    }
  }

  @Override
  public synchronized TreeMap<String, Long> getLocalValue() {
    return new TreeMap<>(entries);
  }

  @Override
  public synchronized void resetLocal() {
    entries.clear();
  }

  @Override
  public void merge(Accumulator<String, TreeMap<String, Long>> other) {
    TreeMap<String, Long> theirs = other.getLocalValue();
    synchronized (this) {
      theirs.forEach(
          (k, v) -> {
            if (k.startsWith("rejected/")) {
              entries.merge(k, v, Long::sum);
            } else if (k.startsWith("received/")) {
              entries.merge(k, v, Math::min);
            } else {
              entries.merge(k, v, Math::max);
            }
          });
    }
  }

  @Override
  public synchronized TeacherApplyLog clone() {
    TeacherApplyLog copy = new TeacherApplyLog();
    copy.entries = new TreeMap<>(entries);
    return copy;
  }

  // the task's heartbeat thread serializes accumulators while the operator may be writing
  private synchronized void writeObject(ObjectOutputStream out) throws IOException {
    out.defaultWriteObject();
  }

  /** A parsed view of the accumulator's value. */
  public record Snapshot(
      Map<Long, Map<Integer, Long>> received,
      Map<Long, Map<Integer, Long>> applied,
      Map<Long, Map<Integer, Long>> restored,
      Map<Long, Map<String, Long>> rejected) {

    public static final Snapshot EMPTY = new Snapshot(Map.of(), Map.of(), Map.of(), Map.of());

    /** Whether {@code parallelism} instances hold {@code version} (applied or restored). */
    public boolean heldEverywhere(long version, int parallelism) {
      Map<Integer, Long> a = applied.getOrDefault(version, Map.of());
      Map<Integer, Long> r = restored.getOrDefault(version, Map.of());
      for (int s = 0; s < parallelism; s++) {
        if (!a.containsKey(s) && !r.containsKey(s)) {
          return false;
        }
      }
      return true;
    }

    /** The newest version every one of {@code parallelism} instances holds (0 if none). */
    public long newestHeldEverywhere(int parallelism) {
      java.util.TreeSet<Long> versions = new java.util.TreeSet<>(applied.keySet());
      versions.addAll(restored.keySet());
      for (Long v : versions.descendingSet()) {
        if (heldEverywhere(v, parallelism)) {
          return v;
        }
      }
      return 0;
    }

    /** When the last of {@code parallelism} instances applied {@code version}, if all did. */
    public OptionalLong appliedEverywhereAt(long version, int parallelism) {
      Map<Integer, Long> a = applied.getOrDefault(version, Map.of());
      long last = Long.MIN_VALUE;
      for (int s = 0; s < parallelism; s++) {
        Long t = a.get(s);
        if (t == null) {
          return OptionalLong.empty();
        }
        last = Math.max(last, t);
      }
      return OptionalLong.of(last);
    }

    /**
     * When the last of {@code parallelism} instances received the first chunk of {@code version}.
     */
    public OptionalLong receivedEverywhereAt(long version, int parallelism) {
      Map<Integer, Long> r = received.getOrDefault(version, Map.of());
      long last = Long.MIN_VALUE;
      for (int s = 0; s < parallelism; s++) {
        Long t = r.get(s);
        if (t == null) {
          return OptionalLong.empty();
        }
        last = Math.max(last, t);
      }
      return OptionalLong.of(last);
    }

    /** Rejections of {@code version} by reason, summed over instances. */
    public Map<String, Long> rejections(long version) {
      return rejected.getOrDefault(version, Map.of());
    }
  }

  /** Parses the accumulator value as {@code JobClient.getAccumulators()} returns it. */
  @SuppressWarnings("unchecked")
  public static Snapshot parse(Object value) {
    if (!(value instanceof Map<?, ?> map)) {
      return Snapshot.EMPTY;
    }
    Map<Long, Map<Integer, Long>> received = new TreeMap<>();
    Map<Long, Map<Integer, Long>> applied = new TreeMap<>();
    Map<Long, Map<Integer, Long>> restored = new TreeMap<>();
    Map<Long, Map<String, Long>> rejected = new TreeMap<>();
    for (Map.Entry<String, Long> e : ((Map<String, Long>) map).entrySet()) {
      String[] parts = e.getKey().split("/");
      try {
        long version = Long.parseLong(parts[1]);
        switch (parts[0]) {
          case "received" ->
              received
                  .computeIfAbsent(version, v -> new TreeMap<>())
                  .put(Integer.parseInt(parts[2]), e.getValue());
          case "applied" ->
              applied
                  .computeIfAbsent(version, v -> new TreeMap<>())
                  .put(Integer.parseInt(parts[2]), e.getValue());
          case "restored" ->
              restored
                  .computeIfAbsent(version, v -> new TreeMap<>())
                  .put(Integer.parseInt(parts[2]), e.getValue());
          case "rejected" ->
              rejected
                  .computeIfAbsent(version, v -> new TreeMap<>())
                  .merge(parts[3], e.getValue(), Long::sum);
          default -> {
            // unknown entry kinds from a newer job are ignored
          }
        }
      } catch (RuntimeException ignored) {
        // malformed entry: skip
      }
    }
    return new Snapshot(received, applied, restored, rejected);
  }

  /** {@link #parse} of this accumulator's entry in a {@code getAccumulators()} result. */
  public static Snapshot from(Map<String, Object> accumulators) {
    return parse(accumulators.get(NAME));
  }
}
