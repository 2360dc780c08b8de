package io.selfstream.ingest.normalize;

import static io.selfstream.schemas.avro.DeadLetterReason.BAD_DIMENSIONS;
import static io.selfstream.schemas.avro.DeadLetterReason.MODEL_SHAPE_MISMATCH;
import static io.selfstream.schemas.avro.DeadLetterReason.OTHER;
import static io.selfstream.schemas.avro.DeadLetterReason.SIZE_MISMATCH;
import static io.selfstream.schemas.avro.DeadLetterReason.TRUNCATED_IMAGE;
import static io.selfstream.schemas.avro.DeadLetterReason.UNDECODABLE;
import static io.selfstream.schemas.avro.DeadLetterReason.UNKNOWN_ENCODING;

import io.selfstream.ingest.image.ImageDecoder;
import io.selfstream.ingest.image.ImageHeader;
import io.selfstream.ingest.image.ImageStructureException;
import io.selfstream.ingest.image.JpegStructure;
import io.selfstream.ingest.image.Pixels;
import io.selfstream.ingest.image.PngStructure;
import io.selfstream.ingest.image.ResizeMethod;
import io.selfstream.ingest.image.Resizer;
import io.selfstream.schemas.avro.Frame;
import io.selfstream.schemas.avro.FrameEncoding;
import io.selfstream.schemas.avro.RawFrame;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decodes, validates and converts one raw frame to the model resolution. Pure (no Kafka): the
 * topology wraps it. Every problem is a {@link RejectedFrameException} with a reason code.
 *
 * <p>Order of checks: encoding known; RAW_U8 channels 1/3/4, dimensions in (0, maxDimension], byte
 * length = width x height x channels; PNG/JPEG structure complete (PNG chunks with CRCs through
 * IEND, JPEG markers through EOI), declared dimensions in range, then decoding with ImageIO
 * (failures and "premature end" warnings rejected). Then channel conversion and resizing.
 */
public final class FrameNormalizer {

  private static final Logger log = LoggerFactory.getLogger(FrameNormalizer.class);

  private final NormalizerSettings settings;

  public FrameNormalizer(NormalizerSettings settings) {
    this.settings = settings;
  }

  public NormalizerSettings settings() {
    return settings;
  }

  /**
   * The normalized {@link Frame} for {@code raw}.
   *
   * @param rawPartition partition of the raw record (provenance)
   * @param rawOffset offset of the raw record (provenance)
   * @param nowMs {@code normalizedAtMs}
   * @throws RejectedFrameException when the frame is bad
   */
  public Frame normalize(RawFrame raw, int rawPartition, long rawOffset, long nowMs) {
    if (raw.getSourceId() == null || raw.getSourceId().isBlank()) {
      throw new RejectedFrameException(OTHER, "blank sourceId");
    }
    Pixels.Image image = decode(raw);
    byte[] pixels = toModelShape(image);
    return Frame.newBuilder()
        .setSourceId(raw.getSourceId())
        .setSeq(raw.getSeq())
        .setCaptureTimeMs(raw.getCaptureTimeMs() == null ? Instant.EPOCH : raw.getCaptureTimeMs())
        .setWidth(settings.width())
        .setHeight(settings.height())
        .setChannels(settings.channels())
        .setPixels(ByteBuffer.wrap(pixels))
        .setOriginalWidth(image.width())
        .setOriginalHeight(image.height())
        .setOriginalEncoding(raw.getEncoding())
        .setRawPartition(rawPartition)
        .setRawOffset(rawOffset)
        .setNormalizedAtMs(Instant.ofEpochMilli(nowMs))
        .setOrigin(raw.getOrigin())
        .build();
  }

  /** The frame's pixels at their own size, 1 or 3 channels. */
  public Pixels.Image decode(RawFrame raw) {
    FrameEncoding encoding = raw.getEncoding();
    byte[] bytes = bytes(raw.getBytes());
    if (encoding == null || encoding == FrameEncoding.UNKNOWN) {
      throw new RejectedFrameException(
          UNKNOWN_ENCODING, "encoding " + encoding + " is not one of RAW_U8, PNG, JPEG");
    }
    return switch (encoding) {
      case RAW_U8 -> raw(raw, bytes);
      case PNG, JPEG -> encoded(encoding, bytes);
      default ->
          throw new RejectedFrameException(UNKNOWN_ENCODING, "unsupported encoding " + encoding);
    };
  }

  private Pixels.Image raw(RawFrame raw, byte[] bytes) {
    int w = raw.getWidth();
    int h = raw.getHeight();
    int c = raw.getChannels();
    checkDimensions(w, h);
    if (c != 1 && c != 3 && c != 4) {
      throw new RejectedFrameException(
          BAD_DIMENSIONS, "RAW_U8 with " + c + " channels (1 gray, 3 RGB or 4 RGBA accepted)");
    }
    long expected = (long) w * h * c;
    if (bytes.length != expected) {
      throw new RejectedFrameException(
          SIZE_MISMATCH,
          "RAW_U8 " + w + "x" + h + "x" + c + " needs " + expected + " bytes, got " + bytes.length);
    }
    if (c == 4) {
      return new Pixels.Image(Pixels.convert(bytes, w * h, 4, 3), w, h, 3);
    }
    return new Pixels.Image(bytes, w, h, c);
  }

  private Pixels.Image encoded(FrameEncoding encoding, byte[] bytes) {
    ImageHeader header;
    try {
      header =
          encoding == FrameEncoding.PNG ? PngStructure.check(bytes) : JpegStructure.check(bytes);
    } catch (ImageStructureException e) {
      throw new RejectedFrameException(
          e.kind() == ImageStructureException.Kind.TRUNCATED ? TRUNCATED_IMAGE : UNDECODABLE,
          e.getMessage());
    }
    checkDimensions(header.width(), header.height());
    ImageDecoder.Decoded decoded;
    try {
      decoded = ImageDecoder.decode(bytes, encoding == FrameEncoding.PNG ? "png" : "jpeg");
    } catch (IOException e) {
      throw new RejectedFrameException(
          UNDECODABLE, encoding + " cannot be decoded: " + e.getMessage());
    }
    for (String warning : decoded.warnings()) {
      String w = warning.toLowerCase(Locale.ROOT);
      if (w.contains("premature end") || w.contains("truncat")) {
        throw new RejectedFrameException(TRUNCATED_IMAGE, encoding + " decoder: " + warning);
      }
      log.debug("{} decoder warning: {}", encoding, warning);
    }
    Pixels.Image image = Pixels.of(decoded.image());
    if (image.width() != header.width() || image.height() != header.height()) {
      throw new RejectedFrameException(
          UNDECODABLE,
          encoding
              + " header says "
              + header.width()
              + "x"
              + header.height()
              + " but decoded "
              + image.width()
              + "x"
              + image.height());
    }
    return image;
  }

  private void checkDimensions(long w, long h) {
    if (w <= 0 || h <= 0) {
      throw new RejectedFrameException(BAD_DIMENSIONS, "zero or negative size " + w + "x" + h);
    }
    int max = settings.maxDimension();
    if (w > max || h > max) {
      throw new RejectedFrameException(
          BAD_DIMENSIONS, "size " + w + "x" + h + " exceeds normalizer.maxDimension=" + max);
    }
  }

  private byte[] toModelShape(Pixels.Image image) {
    int tw = settings.width();
    int th = settings.height();
    int tc = settings.channels();
    int c = image.channels();
    if (c != tc && !settings.convertChannels()) {
      throw new RejectedFrameException(
          MODEL_SHAPE_MISMATCH,
          c + " channels but the model takes " + tc + " and normalizer.convertChannels=false");
    }
    boolean sameSize = image.width() == tw && image.height() == th;
    if (!sameSize && settings.resize() == ResizeMethod.NONE) {
      throw new RejectedFrameException(
          MODEL_SHAPE_MISMATCH,
          image.width()
              + "x"
              + image.height()
              + " but the model takes "
              + tw
              + "x"
              + th
              + " and normalizer.resize=none");
    }
    byte[] pixels = image.pixels();
    int w = image.width();
    int h = image.height();
    if (tc < c) { // fewer channels first: less to resize
      pixels = Pixels.convert(pixels, w * h, c, tc);
      c = tc;
    }
    if (!sameSize) {
      pixels = Resizer.resize(pixels, w, h, c, tw, th, settings.resize());
    }
    if (c != tc) {
      pixels = Pixels.convert(pixels, tw * th, c, tc);
    }
    return pixels;
  }

  /** The remaining bytes of a buffer, without disturbing its position. */
  static byte[] bytes(ByteBuffer buffer) {
    if (buffer == null) {
      return new byte[0];
    }
    ByteBuffer b = buffer.duplicate();
    byte[] out = new byte[b.remaining()];
    b.get(out);
    return out;
  }
}
