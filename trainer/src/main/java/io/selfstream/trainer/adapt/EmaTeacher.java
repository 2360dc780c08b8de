package io.selfstream.trainer.adapt;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import io.selfstream.trainer.encoder.Encoder;
import java.util.List;

/**
 * The teacher as an exponential moving average of the student: {@code t <- d t + (1 - d) s} after
 * every student update, with the decay {@code d} ramping linearly from {@code start} to {@code end}
 * over {@code rampSteps} steps. A low early decay lets the teacher follow the student while the
 * first shift is absorbed; the high final decay makes it the stable, slowly moving model that
 * labels the stream and is published.
 */
public record EmaTeacher(double start, double end, long rampSteps) {

  public EmaTeacher {
    if (!(start >= 0 && start <= 1) || !(end >= 0 && end <= 1)) {
      throw new IllegalArgumentException("EMA decays must be in [0, 1]: " + start + ", " + end);
    }
    if (rampSteps < 0) {
      throw new IllegalArgumentException("rampSteps must be >= 0, got " + rampSteps);
    }
  }

  public static EmaTeacher of(AdaptConfig config) {
    return new EmaTeacher(config.emaDecayStart(), config.emaDecayEnd(), config.emaRampSteps());
  }

  /** The decay used for the update after the 0-based step {@code step}. */
  public double decayAt(long step) {
    if (rampSteps == 0 || step >= rampSteps) {
      return end;
    }
    return start + (end - start) * Math.max(0, step) / rampSteps;
  }

  /**
   * Moves every parameter of {@code teacher} towards the same-named parameter of {@code student} in
   * place: {@code t += (1 - d)(s - t)}. Both encoders must have the same architecture.
   */
  public void update(Encoder teacher, Encoder student, long step) {
    update(teacher.parameters(), student.parameters(), step);
  }

  /**
   * The same for any two parameter lists of one architecture in the same order (e.g. two DJL
   * blocks' {@code getParameters()}), so other models than the encoder share the ramp and update.
   */
  public void update(List<Pair<String, Parameter>> t, List<Pair<String, Parameter>> s, long step) {
    if (t.size() != s.size()) {
      throw new IllegalArgumentException("teacher and student differ in parameter count");
    }
    float rate = (float) (1 - decayAt(step));
    for (int i = 0; i < t.size(); i++) {
      if (!t.get(i).getKey().equals(s.get(i).getKey())) {
        throw new IllegalArgumentException(
            "teacher parameter " + t.get(i).getKey() + " vs student " + s.get(i).getKey());
      }
      NDArray ta = t.get(i).getValue().getArray();
      NDArray sa = s.get(i).getValue().getArray().toDevice(ta.getDevice(), false);
      try (NDArray diff = sa.sub(ta)) {
        ta.addi(diff.muli(rate));
      }
    }
  }
}
