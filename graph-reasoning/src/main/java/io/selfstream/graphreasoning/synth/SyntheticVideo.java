package io.selfstream.graphreasoning.synth;

import java.util.List;

/**
 * One generated video held in memory.
 *
 * @param name video name
 * @param size canvas width = height
 * @param frames {@code T} grey frames, row-major {@code size x size} unsigned bytes
 * @param actions the action of every frame
 * @param garment Fashion-MNIST class of the sprite
 */
public record SyntheticVideo(
    String name, int size, List<byte[]> frames, List<Action> actions, int garment) {

  public int length() {
    return frames.size();
  }

  /** Frame-level labels as {@link Action#label()} strings. */
  public List<String> labels() {
    return actions.stream().map(Action::label).toList();
  }

  /** Frame-level labels as {@link Action} ordinals. */
  public int[] labelIndices() {
    return actions.stream().mapToInt(Action::ordinal).toArray();
  }
}
