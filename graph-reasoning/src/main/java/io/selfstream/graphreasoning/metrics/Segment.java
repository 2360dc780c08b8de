package io.selfstream.graphreasoning.metrics;

/**
 * One maximal run of equal frame labels, {@code [start, end)} in frames.
 *
 * @param label the frame label of the run
 * @param start first frame (inclusive)
 * @param end one past the last frame (exclusive)
 */
public record Segment(String label, int start, int end) {

  public Segment {
    if (start < 0 || end <= start) {
      throw new IllegalArgumentException("bad segment [" + start + ", " + end + ")");
    }
  }

  public int length() {
    return end - start;
  }
}
