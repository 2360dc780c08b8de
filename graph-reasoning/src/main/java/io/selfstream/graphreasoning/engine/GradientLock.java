package io.selfstream.graphreasoning.engine;

/**
 * DJL's PyTorch engine allows one {@code GradientCollector} per process at a time (a JVM-wide flag:
 * a second one throws "A PtGradientCollector is already collecting"). Every training step that
 * records gradients holds this lock for the lifetime of its collector, so several trainers can
 * share one JVM (the demo runs the encoder trainers and the temporal trainer side by side); forward
 * passes without gradients (inference, teachers) need not take it.
 */
public final class GradientLock {

  /** The lock; hold it from creating a gradient collector until it is closed. */
  public static final Object ENGINE = new Object();

  private GradientLock() {}
}
