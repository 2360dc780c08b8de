package io.selfstream.trainer.encoder;

import ai.djl.Device;
import ai.djl.engine.Engine;
import java.util.Locale;

/** Picks the DJL device from a configuration string. */
public final class Devices {

  private Devices() {}

  /**
   * {@code auto} (GPU 0 when the engine sees one, else CPU), {@code cpu}, {@code gpu}, {@code
   * gpu:N} or {@code cuda:N}. Asking for a GPU that is not there fails with a message saying what
   * the engine sees (usually: the CPU-only native is on the classpath; build with {@code -Pcuda}).
   */
  public static Device select(String spec) {
    String s = spec == null ? "auto" : spec.trim().toLowerCase(Locale.ROOT);
    int gpus = Engine.getInstance().getGpuCount();
    if (s.isEmpty() || s.equals("auto")) {
      return gpus > 0 ? Device.gpu(0) : Device.cpu();
    }
    if (s.equals("cpu")) {
      return Device.cpu();
    }
    if (s.equals("gpu") || s.equals("cuda") || s.startsWith("gpu:") || s.startsWith("cuda:")) {
      int id = 0;
      int colon = s.indexOf(':');
      if (colon >= 0) {
        try {
          id = Integer.parseInt(s.substring(colon + 1));
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("device '" + spec + "': bad GPU index");
        }
      }
      if (id < 0 || id >= gpus) {
        throw new IllegalArgumentException(
            "device '"
                + spec
                + "' requested but the "
                + Engine.getInstance().getEngineName()
                + " engine sees "
                + gpus
                + " GPU(s); the CPU native may be the one on the classpath (build with -Pcuda)");
      }
      return Device.gpu(id);
    }
    throw new IllegalArgumentException(
        "device '" + spec + "' is not one of auto, cpu, gpu, gpu:N, cuda:N");
  }
}
