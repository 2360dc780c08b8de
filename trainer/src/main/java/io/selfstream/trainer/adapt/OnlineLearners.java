package io.selfstream.trainer.adapt;

import ai.djl.Device;
import io.selfstream.trainer.encoder.Encoder;
import io.selfstream.trainer.encoder.EncoderConfig;
import io.selfstream.trainer.encoder.ParameterSnapshot;

/** Creates the {@link OnlineLearner} of each {@link AdaptationMethod}. */
public final class OnlineLearners {

  private OnlineLearners() {}

  /**
   * A learner starting from {@code source} (the state {@link OnlineLearner#markGood()} first
   * records). The caller closes it.
   *
   * @param method which objective
   * @param encoder the architecture {@code source} belongs to (its mask settings do not matter
   *     here: masks come with the views)
   * @param source the source model's parameters
   * @param config hyperparameters
   * @param device where the learner's models live
   * @param seed initialisation seed of the engine (dropout)
   */
  public static OnlineLearner create(
      AdaptationMethod method,
      EncoderConfig encoder,
      ParameterSnapshot source,
      AdaptConfig config,
      Device device,
      long seed) {
    return switch (method) {
      case SOURCE -> new FrozenLearner(source);
      case TENT -> new TentLearner(config, load(encoder, source, device, seed));
      case SELFTRAIN, SELFSTREAM -> {
        Encoder student = load(encoder, source, device, seed);
        try {
          Encoder teacher = load(encoder, source, device, seed);
          try {
            yield new TeacherStudentLearner(method, config, student, teacher);
          } catch (RuntimeException e) {
            teacher.close();
            throw e;
          }
        } catch (RuntimeException e) {
          student.close();
          throw e;
        }
      }
    };
  }

  private static Encoder load(
      EncoderConfig config, ParameterSnapshot source, Device device, long seed) {
    Encoder e = Encoder.create(config, device, seed);
    try {
      e.importParameters(source);
      return e;
    } catch (RuntimeException ex) {
      e.close();
      throw ex;
    }
  }
}
