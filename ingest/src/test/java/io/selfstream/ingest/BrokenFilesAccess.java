package io.selfstream.ingest;

/** Test access to package-private helpers of {@link BrokenFiles}. */
public final class BrokenFilesAccess {

  private BrokenFilesAccess() {}

  public static byte[] pngWithHeader(int width, int height) {
    return BrokenFiles.pngWithHeader(width, height);
  }
}
