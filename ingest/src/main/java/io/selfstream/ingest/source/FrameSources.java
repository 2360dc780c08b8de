package io.selfstream.ingest.source;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Locale;

/** Opens the right source for a path, as {@code selfstream ingest images --from PATH} does. */
public final class FrameSources {

  private FrameSources() {}

  /** Whether {@code file} is named like an IDX file ({@code *-idx3-ubyte}, optionally .gz). */
  public static boolean isIdx(Path file) {
    String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
    return name.matches(".*idx[1-4]-ubyte(\\.gz)?");
  }

  /**
   * An {@link IdxSource} for an IDX file, an {@link ImageFolderSource} for a folder or image file.
   *
   * @throws IOException when the path does not exist, cannot be read, or is a folder without images
   *     (the message names IDX image files found there, e.g. the Fashion-MNIST folder)
   */
  public static FrameSource open(Path from, String sourceId, long startSeq) throws IOException {
    if (Files.isRegularFile(from) && isIdx(from)) {
      return new IdxSource(
          io.selfstream.data.IdxFile.read(from),
          from.getFileName().toString(),
          sourceId,
          startSeq,
          Clock.systemUTC());
    }
    ImageFolderSource folder = new ImageFolderSource(from, sourceId, startSeq, Clock.systemUTC());
    if (folder.files().isEmpty()) {
      List<Path> idx = folder.skipped().stream().filter(FrameSources::isIdx).toList();
      throw new IOException(
          from
              + " holds no image files"
              + (idx.isEmpty()
                  ? ""
                  : "; to ingest IDX images name one of the files: "
                      + idx.stream()
                          .map(p -> p.getFileName().toString())
                          .filter(n -> n.contains("idx3"))
                          .toList()));
    }
    return folder;
  }
}
