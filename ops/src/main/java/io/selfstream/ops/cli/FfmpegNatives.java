package io.selfstream.ops.cli;

import java.nio.file.Path;

/**
 * Where FFmpeg's native libraries unpack. javacpp extracts them from the {@code ffmpeg} jar on
 * first use into {@code org.bytedeco.javacpp.cachedir}, by default {@code ~/.javacpp/cache}; a home
 * directory may be read-only (containers, CI) or shared, so the CLI keeps them in its data dir next
 * to everything else it writes. Must run before the first FFmpeg class loads.
 */
final class FfmpegNatives {

  static final String CACHE_DIR_PROPERTY = "org.bytedeco.javacpp.cachedir";

  private FfmpegNatives() {}

  /** {@code dataDir/javacpp}, unless the property was set already (e.g. by -D). */
  static void cacheUnder(Path dataDir) {
    if (System.getProperty(CACHE_DIR_PROPERTY) == null) {
      System.setProperty(
          CACHE_DIR_PROPERTY, dataDir.resolve("javacpp").toAbsolutePath().toString());
    }
  }
}
