package io.selfstream.ingest.source;

import io.selfstream.data.IdxFile;
import io.selfstream.schemas.avro.FrameEncoding;
import io.selfstream.schemas.avro.RawFrame;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Clock;
import java.util.NoSuchElementException;
import java.util.OptionalLong;

/**
 * The images of an unsigned-byte IDX file (MNIST / Fashion-MNIST format, gzip-compressed or not) as
 * RAW_U8 frames: rank 3 ({@code N x H x W}, gray) or rank 4 ({@code N x H x W x C}, C = 1 or 3).
 */
public final class IdxSource implements FrameSource {

  private final IdxFile idx;
  private final String origin;
  private final String sourceId;
  private final long startSeq;
  private final Clock clock;
  private final int height;
  private final int width;
  private final int channels;
  private int index;

  /** Reads {@code file} ({@code .gz} decompressed); seq from 0, capture time from the clock. */
  public IdxSource(Path file, String sourceId) throws IOException {
    this(IdxFile.read(file), file.getFileName().toString(), sourceId, 0, Clock.systemUTC());
  }

  /**
   * @param idx the images
   * @param origin name used in each frame's origin ({@code origin#index})
   * @param sourceId key and {@code sourceId} of every frame
   * @param startSeq seq of the first frame
   * @param clock gives {@code captureTimeMs}
   */
  public IdxSource(IdxFile idx, String origin, String sourceId, long startSeq, Clock clock) {
    if (sourceId == null || sourceId.isBlank()) {
      throw new IllegalArgumentException("sourceId must not be blank");
    }
    if (startSeq < 0) {
      throw new IllegalArgumentException("startSeq must be >= 0, got " + startSeq);
    }
    int[] dims = idx.dims();
    if (dims.length != 3 && dims.length != 4) {
      throw new IllegalArgumentException(
          origin + ": IDX rank " + dims.length + " is not images (N x H x W [x C])");
    }
    this.height = dims[1];
    this.width = dims[2];
    this.channels = dims.length == 4 ? dims[3] : 1;
    if (channels != 1 && channels != 3) {
      throw new IllegalArgumentException(origin + ": " + channels + " channels (need 1 or 3)");
    }
    if (width <= 0 || height <= 0) {
      throw new IllegalArgumentException(origin + ": image size " + width + "x" + height);
    }
    this.idx = idx;
    this.origin = origin;
    this.sourceId = sourceId;
    this.startSeq = startSeq;
    this.clock = clock;
  }

  @Override
  public String sourceId() {
    return sourceId;
  }

  @Override
  public OptionalLong size() {
    return OptionalLong.of(idx.count());
  }

  public int width() {
    return width;
  }

  public int height() {
    return height;
  }

  public int channels() {
    return channels;
  }

  @Override
  public boolean hasNext() {
    return index < idx.count();
  }

  @Override
  public RawFrame next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    int i = index++;
    return RawFrame.newBuilder()
        .setSourceId(sourceId)
        .setSeq(startSeq + i)
        .setCaptureTimeMs(clock.instant())
        .setEncoding(FrameEncoding.RAW_U8)
        .setWidth(width)
        .setHeight(height)
        .setChannels(channels)
        .setBytes(ByteBuffer.wrap(idx.item(i)))
        .setOrigin(origin + "#" + i)
        .build();
  }
}
