package io.selfstream.trainer.adapt;

import io.selfstream.trainer.encoder.ParameterSnapshot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** SOURCE: the bootstrap model, never trained; steps are counted and do nothing else. */
final class FrozenLearner implements OnlineLearner {

  private final ParameterSnapshot source;
  private long step;

  FrozenLearner(ParameterSnapshot source) {
    this.source = source;
  }

  @Override
  public AdaptationMethod method() {
    return AdaptationMethod.SOURCE;
  }

  @Override
  public long step() {
    return step;
  }

  @Override
  public StepReport step(ViewBatch batch) {
    step++;
    return new StepReport(step, batch.size(), 0, Map.of(), 0, 0, 0, 0, false, null);
  }

  @Override
  public ParameterSnapshot servingParameters() {
    return source;
  }

  @Override
  public void markGood() {}

  @Override
  public void save(Path dir) throws java.io.IOException {
    Files.createDirectories(dir);
    Files.writeString(dir.resolve(BaseLearner.META_FILE), "method=source\nstep=" + step + "\n");
  }

  @Override
  public void restore(Path dir) throws java.io.IOException {
    java.util.Properties p = new java.util.Properties();
    try (var r = Files.newBufferedReader(dir.resolve(BaseLearner.META_FILE))) {
      p.load(r);
    }
    if (!"source".equals(p.getProperty("method"))) {
      throw new java.io.IOException(dir + " holds a " + p.getProperty("method") + " learner");
    }
    step = Long.parseLong(p.getProperty("step"));
  }

  @Override
  public void close() {}
}
