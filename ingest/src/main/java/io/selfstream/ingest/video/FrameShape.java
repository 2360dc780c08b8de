package io.selfstream.ingest.video;

import io.selfstream.ingest.image.ResizeMethod;

/**
 * The pixels a video source sends: always RAW_U8, row-major HWC, gray (1 channel) or RGB (3); at a
 * fixed size, or at the decoded size when {@code width == 0}.
 *
 * @param width target width, 0 for the decoded width
 * @param height target height, 0 for the decoded height
 * @param channels 1 gray or 3 RGB
 * @param resize how frames are brought to {@code width x height}; {@link ResizeMethod#NONE} sends
 *     them at the decoded size (the normalizer then rejects frames that do not fit the model)
 */
public record FrameShape(int width, int height, int channels, ResizeMethod resize) {

  public FrameShape {
    if (channels != 1 && channels != 3) {
      throw new IllegalArgumentException("channels must be 1 or 3, got " + channels);
    }
    if (width < 0 || height < 0 || (width == 0) != (height == 0)) {
      throw new IllegalArgumentException("bad frame shape " + width + "x" + height);
    }
    if (resize == null) {
      throw new IllegalArgumentException("resize must be set");
    }
  }

  /** Frames resized to {@code width x height}. */
  public static FrameShape model(int width, int height, int channels, ResizeMethod resize) {
    if (width < 1 || height < 1) {
      throw new IllegalArgumentException("bad model size " + width + "x" + height);
    }
    return new FrameShape(width, height, channels, resize);
  }

  /** Frames at the decoded size. */
  public static FrameShape nativeSize(int channels) {
    return new FrameShape(0, 0, channels, ResizeMethod.NONE);
  }

  /** Whether frames keep the decoded size. */
  public boolean isNative() {
    return width == 0 || resize == ResizeMethod.NONE;
  }

  /** Width sent for a frame decoded at {@code decodedWidth}. */
  public int widthFor(int decodedWidth) {
    return isNative() ? decodedWidth : width;
  }

  /** Height sent for a frame decoded at {@code decodedHeight}. */
  public int heightFor(int decodedHeight) {
    return isNative() ? decodedHeight : height;
  }
}
