package io.selfstream.graphreasoning.synth;

import java.util.List;
import java.util.Locale;

/**
 * Actions of the synthetic activity videos. Several pairs look identical in any single frame and
 * differ only in motion: direction ({@code MOVE_LEFT}/{@code MOVE_RIGHT}, {@code SPIN_CW}/{@code
 * SPIN_CCW}, {@code GROW}/{@code SHRINK}) or speed ({@code MOVE_LEFT}/{@code RUN_LEFT}, {@code
 * PAUSE} vs slow motion).
 */
public enum Action {
  /** Empty canvas before the sprite enters and after it leaves (the metrics' background). */
  BACKGROUND,
  ENTER,
  PAUSE,
  MOVE_LEFT,
  MOVE_RIGHT,
  MOVE_UP,
  MOVE_DOWN,
  RUN_LEFT,
  RUN_RIGHT,
  SPIN_CW,
  SPIN_CCW,
  GROW,
  SHRINK,
  EXIT;

  /** Lower-case name used in ground-truth files ({@code move_left}). */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** All labels in index order, the dataset's {@code mapping.txt}. */
  public static List<String> labels() {
    return java.util.Arrays.stream(values()).map(Action::label).toList();
  }

  /** Actions that may occur between {@code ENTER} and {@code EXIT}. */
  public static final List<Action> MIDDLE =
      List.of(
          PAUSE,
          MOVE_LEFT,
          MOVE_RIGHT,
          MOVE_UP,
          MOVE_DOWN,
          RUN_LEFT,
          RUN_RIGHT,
          SPIN_CW,
          SPIN_CCW,
          GROW,
          SHRINK);
}
