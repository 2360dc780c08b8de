package io.selfstream.graphreasoning.video;

import java.util.Locale;

/**
 * The codecs {@link VideoFileWriter} writes, each with its container. Only codecs the bundled
 * FFmpeg build (bytedeco {@code ffmpeg} for linux-x86_64) actually encodes: it has no libx264, so
 * H.264 goes through Cisco's openh264.
 */
public enum VideoCodec {
  /**
   * FFV1 in Matroska, grey 8-bit: lossless, so a decoded frame equals the generated one byte for
   * byte. The default: replayed feeds then carry exactly the frames the ground truth describes.
   */
  FFV1("ffv1", "mkv", "matroska", true),
  /** H.264 (openh264, constrained baseline, yuv420p) in MP4: small, plays everywhere, lossy. */
  H264("libopenh264", "mp4", "mp4", false),
  /** MPEG-4 part 2 in MP4 (yuv420p, fixed quantiser): lossy, the most widely decodable. */
  MPEG4("mpeg4", "mp4", "mp4", false);

  private final String encoder;
  private final String extension;
  private final String format;
  private final boolean lossless;

  VideoCodec(String encoder, String extension, String format, boolean lossless) {
    this.encoder = encoder;
    this.extension = extension;
    this.format = format;
    this.lossless = lossless;
  }

  /** FFmpeg encoder name ({@code avcodec_find_encoder_by_name}). */
  public String encoder() {
    return encoder;
  }

  /** File name extension, without the dot. */
  public String extension() {
    return extension;
  }

  /** FFmpeg muxer name. */
  public String format() {
    return format;
  }

  /** Whether decoding gives back exactly the frames written. */
  public boolean lossless() {
    return lossless;
  }

  /** Whether the codec needs 4:2:0 chroma, hence even frame sizes. */
  public boolean needsEvenSize() {
    return !lossless;
  }

  /** Parses {@code ffv1}, {@code h264} (or {@code openh264}) and {@code mpeg4}, any case. */
  public static VideoCodec parse(String name) {
    String n = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
    return switch (n) {
      case "ffv1" -> FFV1;
      case "h264", "openh264", "libopenh264" -> H264;
      case "mpeg4" -> MPEG4;
      default ->
          throw new IllegalArgumentException(
              "video codec must be ffv1, h264 or mpeg4, got '" + name + "'");
    };
  }
}
