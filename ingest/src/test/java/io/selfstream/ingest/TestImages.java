package io.selfstream.ingest;

import io.selfstream.data.FashionMnist;
import io.selfstream.ingest.image.ImageFormats;
import io.selfstream.schemas.avro.FrameEncoding;
import io.selfstream.schemas.avro.RawFrame;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.time.Instant;

/** Real Fashion-MNIST images and frames built from them. */
public final class TestImages {

  private TestImages() {}

  private static FashionMnist test;

  /** The Fashion-MNIST test split (loaded once). */
  public static synchronized FashionMnist fashionMnist() {
    if (test == null) {
      try {
        test = FashionMnist.load(FashionMnist.Split.TEST);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return test;
  }

  /** 28x28 gray pixels of test image {@code i}. */
  public static byte[] image(int i) {
    return fashionMnist().image(i);
  }

  /** Each pixel repeated {@code factor} times in both directions. */
  public static byte[] upscale(byte[] pixels, int width, int height, int factor) {
    int w = width * factor;
    byte[] out = new byte[w * height * factor];
    for (int y = 0; y < height * factor; y++) {
      for (int x = 0; x < w; x++) {
        out[y * w + x] = pixels[(y / factor) * width + x / factor];
      }
    }
    return out;
  }

  /** A gray image as a tinted RGB image: R = v, G = 0.8 v, B = 0.5 v (HWC). */
  public static byte[] tinted(byte[] gray) {
    byte[] rgb = new byte[gray.length * 3];
    for (int i = 0; i < gray.length; i++) {
      int v = gray[i] & 0xff;
      rgb[3 * i] = (byte) v;
      rgb[3 * i + 1] = (byte) Math.round(v * 0.8);
      rgb[3 * i + 2] = (byte) Math.round(v * 0.5);
    }
    return rgb;
  }

  public static byte[] png(byte[] gray, int width, int height) {
    return ImageFormats.encodePng(ImageFormats.grayImage(gray, width, height));
  }

  public static byte[] rgbJpeg(byte[] rgb, int width, int height) {
    return ImageFormats.encodeJpeg(ImageFormats.rgbImage(rgb, width, height), 1.0f);
  }

  public static RawFrame frame(
      String sourceId, long seq, FrameEncoding encoding, int w, int h, int c, byte[] bytes) {
    return RawFrame.newBuilder()
        .setSourceId(sourceId)
        .setSeq(seq)
        .setCaptureTimeMs(Instant.ofEpochMilli(1_700_000_000_000L + seq))
        .setEncoding(encoding)
        .setWidth(w)
        .setHeight(h)
        .setChannels(c)
        .setBytes(ByteBuffer.wrap(bytes))
        .setOrigin("test#" + seq)
        .build();
  }

  public static byte[] bytes(ByteBuffer buffer) {
    ByteBuffer b = buffer.duplicate();
    byte[] out = new byte[b.remaining()];
    b.get(out);
    return out;
  }

  /** Mean absolute difference of two equally long pixel arrays. */
  public static double meanAbsDiff(byte[] a, byte[] b) {
    if (a.length != b.length) {
      throw new IllegalArgumentException(a.length + " vs " + b.length);
    }
    long sum = 0;
    for (int i = 0; i < a.length; i++) {
      sum += Math.abs((a[i] & 0xff) - (b[i] & 0xff));
    }
    return (double) sum / a.length;
  }
}
