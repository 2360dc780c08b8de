package io.selfstream.trainer.views;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;

/**
 * Chaos for failover tests: passes frames through, and in the first execution attempt of subtask 0
 * throws once after {@code failAfter} frames. Restarts (attempt 1+) pass everything.
 */
public final class FailOnceMap extends RichMapFunction<FrameEnvelope, FrameEnvelope> {

  private static final long serialVersionUID = 1L;

  /** The failure it throws, recognisable in logs and job exceptions. */
  public static final class InjectedFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    InjectedFailure(String message) {
      super(message);
    }
  }

  private final long failAfter;
  private transient long seen;
  private transient boolean armed;

  public FailOnceMap(long failAfter) {
    if (failAfter < 1) {
      throw new IllegalArgumentException("failAfter must be >= 1, got " + failAfter);
    }
    this.failAfter = failAfter;
  }

  @Override
  public void open(OpenContext openContext) throws Exception {
    var info = getRuntimeContext().getTaskInfo();
    armed = info.getAttemptNumber() == 0 && info.getIndexOfThisSubtask() == 0;
  }

  @Override
  public FrameEnvelope map(FrameEnvelope value) {
    if (armed && ++seen == failAfter) {
      armed = false;
      throw new InjectedFailure("chaos: failing once after " + failAfter + " frames");
    }
    return value;
  }
}
