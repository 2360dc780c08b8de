package io.selfstream.trainer.eval;

import io.selfstream.trainer.encoder.ParameterSnapshot;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The versions of one model a prequential evaluator may still need, oldest first. A frame is scored
 * with the newest version that has not trained on it ({@link TrainedThrough#hasNotSeen}); versions
 * that no future frame can select are pruned, so memory stays bounded by how far the trainer runs
 * ahead of the evaluator, not by the length of the stream.
 */
public final class VersionHistory {

  /** One verified version and how far it had trained on each source. */
  public record Entry(
      long version, ParameterSnapshot parameters, Map<String, Long> trainedThrough) {
    public Entry {
      Objects.requireNonNull(parameters, "parameters");
      trainedThrough = Map.copyOf(trainedThrough);
    }
  }

  private final Deque<Entry> entries = new ArrayDeque<>();

  /** Adds the next version; versions must arrive in increasing order. */
  public void offer(Entry entry) {
    Entry last = entries.peekLast();
    if (last != null && entry.version() <= last.version()) {
      throw new IllegalArgumentException(
          "version " + entry.version() + " offered after " + last.version());
    }
    entries.addLast(entry);
  }

  public boolean isEmpty() {
    return entries.isEmpty();
  }

  public int size() {
    return entries.size();
  }

  /** Newest version offered so far. */
  public Optional<Entry> newest() {
    return Optional.ofNullable(entries.peekLast());
  }

  /** The newest version that has not trained on frame {@code seq} of {@code sourceId}. */
  public Optional<Entry> select(String sourceId, long seq) {
    Iterator<Entry> it = entries.descendingIterator();
    while (it.hasNext()) {
      Entry e = it.next();
      if (TrainedThrough.hasNotSeen(e.trainedThrough(), sourceId, seq)) {
        return Optional.of(e);
      }
    }
    return Optional.empty();
  }

  /**
   * True when some offered version has trained through frame {@code seq - 1} of {@code sourceId}:
   * then no later version can be a fresher choice for that frame (a later one would have trained on
   * the frame itself or beyond).
   */
  public boolean caughtUpTo(String sourceId, long seq) {
    Entry last = entries.peekLast();
    if (last == null) {
      return false;
    }
    Long t = last.trainedThrough().get(sourceId);
    return t != null && t >= seq - 1;
  }

  /**
   * Drops the oldest versions while the next one is already selectable for every source at the
   * given next seqs (frames of a source arrive in seq order, so those versions are never selected
   * again). Pass every source the evaluator will score: a source missing here may later find no
   * version that has not trained on its frames, and those frames are then counted as unscored.
   */
  public void prune(Map<String, Long> nextSeqBySource) {
    while (entries.size() > 1) {
      Iterator<Entry> it = entries.iterator();
      it.next();
      Entry second = it.next();
      boolean secondServesAll = true;
      for (Map.Entry<String, Long> s : nextSeqBySource.entrySet()) {
        if (!TrainedThrough.hasNotSeen(second.trainedThrough(), s.getKey(), s.getValue())) {
          secondServesAll = false;
          break;
        }
      }
      if (!secondServesAll) {
        return;
      }
      entries.removeFirst();
    }
  }
}
