package io.selfstream.ops.cli;

/** PyTorch's thread counts for the commands that run several models side by side. */
final class TorchThreads {

  private TorchThreads() {}

  /**
   * One intra-op and one inter-op PyTorch thread per model unless the user set {@code
   * ai.djl.pytorch.num_threads}: trainers, the views job, the evaluator and the segmentation app
   * share 2 cores, and more threads per model only contend. JVM-wide and read when the engine
   * loads, so call it before anything touches DJL.
   */
  static void onePerModelUnlessSet() {
    if (System.getProperty("ai.djl.pytorch.num_threads") == null) {
      System.setProperty("ai.djl.pytorch.num_threads", "1");
      System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
    }
  }
}
