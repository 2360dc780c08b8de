package io.selfstream.trainer.adapt;

import io.selfstream.trainer.encoder.ParameterSnapshot;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A continually adapting encoder: one optimisation step per batch of views, plain DJL, no Kafka or
 * Flink. The Kafka trainer consumer and the in-memory reference loop drive the same implementation.
 * Not thread-safe.
 */
public interface OnlineLearner extends AutoCloseable {

  AdaptationMethod method();

  /** Optimisation steps taken so far (restored by {@link #restore}). */
  long step();

  /** Runs one step on {@code batch}; the guard may roll it back (see {@link StepReport}). */
  StepReport step(ViewBatch batch);

  /**
   * The parameters consumers should hold: the EMA teacher for teacher-student methods, the adapted
   * model for TENT. This is what gets published.
   */
  ParameterSnapshot servingParameters();

  /**
   * Records the current state (weights, teacher, optimizer moments) as the last good one: the state
   * the guard rolls back to. Called when a version is published.
   */
  void markGood();

  /** Writes the whole learner state (weights, teacher, optimizer, step, learning-rate scale). */
  void save(Path dir) throws IOException;

  /** Replaces the whole learner state with one written by {@link #save}. */
  void restore(Path dir) throws IOException;

  @Override
  void close();
}
