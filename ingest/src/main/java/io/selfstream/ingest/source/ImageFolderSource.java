package io.selfstream.ingest.source;

import io.selfstream.ingest.image.ImageDecoder;
import io.selfstream.ingest.image.ImageFormats;
import io.selfstream.ingest.image.ImageHeader;
import io.selfstream.ingest.image.JpegStructure;
import io.selfstream.ingest.image.Pixels;
import io.selfstream.ingest.image.PngStructure;
import io.selfstream.schemas.avro.FrameEncoding;
import io.selfstream.schemas.avro.RawFrame;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.OptionalLong;
import java.util.Set;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The image files under a folder (recursively), one {@link RawFrame} per file, in a deterministic
 * order: relative paths compared as strings with {@code /} separators.
 *
 * <p>Which files: those with an image extension ({@code png, jpg, jpeg, jpe, jfif, bmp, gif, wbmp,
 * tif, tiff}) and any other file whose first bytes are a PNG or JPEG signature. Hidden files and
 * files under hidden folders, and files that are neither, are not frames; they are listed by {@link
 * #skipped()}.
 *
 * <p>PNG and JPEG files travel as they are (encoding from the magic bytes, else the extension;
 * width/height/channels read from the header when it can be found, informative only). Other formats
 * are decoded here with ImageIO and travel as RAW_U8. Nothing chosen is dropped: a file that is
 * broken, empty, vanished or unreadable still becomes a frame carrying whatever bytes could be read
 * (encoding UNKNOWN when none is recognisable), and the normalizer sends it to the dead-letter
 * topic with its reason.
 */
public final class ImageFolderSource implements FrameSource {

  private static final Logger log = LoggerFactory.getLogger(ImageFolderSource.class);

  /** Extensions sent encoded, as read. */
  public static final Set<String> ENCODED_EXTENSIONS = Set.of("png", "jpg", "jpeg", "jpe", "jfif");

  /** Extensions decoded by the source and sent as RAW_U8. */
  public static final Set<String> DECODED_EXTENSIONS = Set.of("bmp", "gif", "wbmp", "tif", "tiff");

  /** Files are read up to this many bytes (the rest could never be produced anyway). */
  static final int MAX_FILE_BYTES = 64 << 20;

  private final Path root;
  private final String sourceId;
  private final long startSeq;
  private final Clock clock;
  private final List<Path> files;
  private final List<Path> skipped;
  private int index;

  /** All image files under {@code root}, seq from 0, capture time from the system clock. */
  public ImageFolderSource(Path root, String sourceId) throws IOException {
    this(root, sourceId, 0, Clock.systemUTC());
  }

  /**
   * @param root a folder (walked recursively) or a single file
   * @param sourceId key and {@code sourceId} of every frame
   * @param startSeq seq of the first frame
   * @param clock gives {@code captureTimeMs} (the time a file is read)
   * @throws IOException when {@code root} cannot be listed
   */
  public ImageFolderSource(Path root, String sourceId, long startSeq, Clock clock)
      throws IOException {
    if (sourceId == null || sourceId.isBlank()) {
      throw new IllegalArgumentException("sourceId must not be blank");
    }
    if (startSeq < 0) {
      throw new IllegalArgumentException("startSeq must be >= 0, got " + startSeq);
    }
    if (!Files.exists(root)) {
      throw new NoSuchFileException(root.toString(), null, "image folder does not exist");
    }
    this.root = root.toAbsolutePath().normalize();
    this.sourceId = sourceId;
    this.startSeq = startSeq;
    this.clock = clock;
    List<Path> chosen = new ArrayList<>();
    List<Path> other = new ArrayList<>();
    List<Path> all;
    try (Stream<Path> walk = Files.walk(this.root)) {
      all =
          walk.filter(Files::isRegularFile)
              .sorted(Comparator.comparing(this::relativeName))
              .toList();
    }
    for (Path file : all) {
      (isFrame(file) ? chosen : other).add(file);
    }
    this.files = List.copyOf(chosen);
    this.skipped = List.copyOf(other);
    if (!skipped.isEmpty()) {
      log.info("{}: {} files are not images and are skipped", this.root, skipped.size());
    }
  }

  private String relativeName(Path file) {
    Path relative = root.relativize(file);
    StringBuilder name = new StringBuilder();
    for (Path part : relative) {
      if (name.length() > 0) {
        name.append('/');
      }
      name.append(part);
    }
    return name.toString();
  }

  private boolean isFrame(Path file) {
    Path relative = root.relativize(file);
    for (Path part : relative) {
      if (part.toString().startsWith(".")) {
        return false;
      }
    }
    String ext = ImageFormats.extension(file.getFileName().toString());
    if (ENCODED_EXTENSIONS.contains(ext) || DECODED_EXTENSIONS.contains(ext)) {
      return true;
    }
    byte[] head = new byte[8];
    try (InputStream in = Files.newInputStream(file)) {
      int n = in.readNBytes(head, 0, head.length);
      return ImageFormats.sniff(java.util.Arrays.copyOf(head, n)) != FrameEncoding.UNKNOWN;
    } catch (IOException e) {
      return false;
    }
  }

  @Override
  public String sourceId() {
    return sourceId;
  }

  /** Number of image files found. */
  @Override
  public OptionalLong size() {
    return OptionalLong.of(files.size());
  }

  /** The image files, in frame order. */
  public List<Path> files() {
    return files;
  }

  /** Regular files under the root that are not frames (hidden, or not images). */
  public List<Path> skipped() {
    return skipped;
  }

  @Override
  public boolean hasNext() {
    return index < files.size();
  }

  @Override
  public RawFrame next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    Path file = files.get(index);
    long seq = startSeq + index;
    index++;
    return read(file, seq);
  }

  private RawFrame read(Path file, long seq) {
    String origin = file.toString();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (InputStream in = Files.newInputStream(file)) {
      byte[] buffer = new byte[1 << 16];
      int n;
      while ((n = in.read(buffer)) > 0) {
        int room = MAX_FILE_BYTES - out.size();
        out.write(buffer, 0, Math.min(n, room));
        if (n >= room) {
          origin += " (read stopped at " + MAX_FILE_BYTES + " bytes)";
          break;
        }
      }
    } catch (IOException e) {
      log.warn("{}: read failed after {} bytes: {}", file, out.size(), e.toString());
      origin += " (read failed after " + out.size() + " bytes: " + e + ")";
    }
    byte[] bytes = out.toByteArray();
    RawFrame.Builder frame =
        RawFrame.newBuilder()
            .setSourceId(sourceId)
            .setSeq(seq)
            .setCaptureTimeMs(clock.instant())
            .setOrigin(origin);
    String ext = ImageFormats.extension(file.getFileName().toString());
    FrameEncoding encoding = ImageFormats.sniff(bytes);
    if (encoding == FrameEncoding.UNKNOWN) {
      encoding = ImageFormats.fromExtension(file.getFileName().toString());
    }
    if (encoding == FrameEncoding.UNKNOWN && DECODED_EXTENSIONS.contains(ext)) {
      try {
        Pixels.Image image = Pixels.of(ImageDecoder.decode(bytes, null).image());
        return frame
            .setEncoding(FrameEncoding.RAW_U8)
            .setWidth(image.width())
            .setHeight(image.height())
            .setChannels(image.channels())
            .setBytes(ByteBuffer.wrap(image.pixels()))
            .build();
      } catch (IOException e) {
        log.debug("{}: cannot decode: {}", file, e.toString());
      }
    }
    ImageHeader header =
        switch (encoding) {
          case PNG -> PngStructure.peek(bytes);
          case JPEG -> JpegStructure.peek(bytes);
          default -> null;
        };
    if (header != null) {
      frame
          .setWidth((int) Math.min(header.width(), Integer.MAX_VALUE))
          .setHeight((int) Math.min(header.height(), Integer.MAX_VALUE))
          .setChannels(header.channels());
    } else {
      frame.setWidth(0).setHeight(0).setChannels(1);
    }
    return frame.setEncoding(encoding).setBytes(ByteBuffer.wrap(bytes)).build();
  }
}
