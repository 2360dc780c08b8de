package io.selfstream.trainer.adapt;

import io.selfstream.trainer.augment.U8Image;
import java.util.List;
import java.util.Objects;

/**
 * One training batch in host memory, as decoded from {@code TrainingView} records (or built in
 * memory by the reference loop): the teacher's weak views, the student's strong views, the
 * student's patch masks on the model's patch grid (row-major, true = masked) and where each view
 * came from. {@code viewPseudoLabels[i]} is the pseudo-label the views job's teacher attached (-1 =
 * none); learners with their own EMA teacher may ignore it.
 */
public record ViewBatch(
    List<U8Image> weak,
    List<U8Image> strong,
    List<boolean[]> masks,
    int[] viewPseudoLabels,
    String[] sourceIds,
    long[] seqs) {

  public ViewBatch {
    Objects.requireNonNull(weak, "weak");
    int n = weak.size();
    if (strong.size() != n
        || masks.size() != n
        || viewPseudoLabels.length != n
        || sourceIds.length != n
        || seqs.length != n) {
      throw new IllegalArgumentException("all batch columns must have " + n + " entries");
    }
  }

  public int size() {
    return weak.size();
  }
}
