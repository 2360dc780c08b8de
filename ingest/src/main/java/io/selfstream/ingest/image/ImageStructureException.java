package io.selfstream.ingest.image;

/** The bytes of a PNG or JPEG are not a complete, well-formed image. */
public final class ImageStructureException extends Exception {

  private static final long serialVersionUID = 1L;

  /** What is wrong. */
  public enum Kind {
    /** The data ends before the image does (no PNG IEND / JPEG EOI, a chunk cut short). */
    TRUNCATED,
    /** The data is not the format it claims or is internally inconsistent. */
    CORRUPT
  }

  private final Kind kind;

  public ImageStructureException(Kind kind, String message) {
    super(message);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }

  static ImageStructureException truncated(String message) {
    return new ImageStructureException(Kind.TRUNCATED, message);
  }

  static ImageStructureException corrupt(String message) {
    return new ImageStructureException(Kind.CORRUPT, message);
  }
}
