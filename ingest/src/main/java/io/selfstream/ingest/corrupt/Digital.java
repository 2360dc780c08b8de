package io.selfstream.ingest.corrupt;

import io.selfstream.ingest.corrupt.Ops.Border;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.random.RandomGenerator;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/** Brightness, contrast, elastic transform, pixelate and JPEG compression. */
final class Digital {

  private Digital() {}

  /** Added to the HSV value channel (to the gray level for gray images). */
  static final double[] BRIGHTNESS = {0.05, 0.1, 0.15, 0.2, 0.3};

  /** Factor on the deviation from each channel's mean. */
  static final double[] CONTRAST = {0.75, 0.5, 0.4, 0.3, 0.15};

  /**
   * (displacement alpha, displacement smoothing sigma, affine jitter) as fractions of the image
   * size, which the original writes as {@code IMSIZE * fraction} with IMSIZE = 32.
   */
  static final double[][] ELASTIC = {
    {0, 0, 0.08}, {0.05, 0.2, 0.07}, {0.08, 0.06, 0.06}, {0.1, 0.04, 0.05}, {0.1, 0.03, 0.03}
  };

  /** Side fraction of the intermediate image ({@code int(side * c)}), box-resized down and up. */
  static final double[] PIXELATE = {0.95, 0.9, 0.85, 0.75, 0.65};

  /** JPEG quality (the IJG scale, which Pillow and ImageIO both use). */
  static final int[] JPEG_QUALITY = {80, 65, 58, 50, 40};

  static byte[] brightness(Img x, int severity) {
    double c = BRIGHTNESS[severity - 1];
    if (x.channels == 1) {
      double[] p = x.planes[0];
      for (int i = 0; i < p.length; i++) {
        p[i] = Math.min(1, p[i] + c);
      }
      return x.toBytesTruncated();
    }
    // HSV with V = max(r, g, b): at fixed hue and saturation every channel is proportional to V, so
    // V -> min(V + c, 1) scales the pixel; black (S = 0) becomes gray c.
    for (int i = 0; i < x.size(); i++) {
      double v = 0;
      for (int ch = 0; ch < x.channels; ch++) {
        v = Math.max(v, x.planes[ch][i]);
      }
      double nv = Math.min(1, v + c);
      for (int ch = 0; ch < x.channels; ch++) {
        x.planes[ch][i] = v > 0 ? x.planes[ch][i] * nv / v : nv;
      }
    }
    return x.toBytesTruncated();
  }

  static byte[] contrast(Img x, int severity) {
    double c = CONTRAST[severity - 1];
    for (int ch = 0; ch < x.channels; ch++) {
      double[] p = x.planes[ch];
      double mean = 0;
      for (double v : p) {
        mean += v;
      }
      mean /= p.length;
      for (int i = 0; i < p.length; i++) {
        p[i] = (p[i] - mean) * c + mean;
      }
    }
    return x.toBytesTruncated();
  }

  static byte[] elastic(Img x, int severity, RandomGenerator rng) {
    int w = x.width;
    int h = x.height;
    double size = Math.min(w, h);
    double alpha = ELASTIC[severity - 1][0] * size;
    double sigma = ELASTIC[severity - 1][1] * size;
    double jitter = ELASTIC[severity - 1][2] * size;

    // random affine: three points around the centre moved by U(-jitter, jitter)
    double cx = Math.floor(w / 2.0);
    double cy = Math.floor(h / 2.0);
    double sq = Math.max(1, Math.floor(size / 3)); // at least 1 so tiny images work
    double[][] src = {{cx + sq, cy + sq}, {cx + sq, cy - sq}, {cx - sq, cy - sq}};
    double[][] dst = new double[3][2];
    for (int i = 0; i < 3; i++) {
      for (int j = 0; j < 2; j++) {
        dst[i][j] = src[i][j] + Rand.uniform(rng, -jitter, jitter);
      }
    }
    double[] inverse = affine(dst, src); // destination pixel -> source position (cv2.warpAffine)
    for (int ch = 0; ch < x.channels; ch++) {
      double[] p = x.planes[ch];
      double[] warped = new double[p.length];
      for (int y = 0; y < h; y++) {
        for (int xx = 0; xx < w; xx++) {
          double sx = inverse[0] * xx + inverse[1] * y + inverse[2];
          double sy = inverse[3] * xx + inverse[4] * y + inverse[5];
          warped[y * w + xx] = Ops.bilinear(p, w, h, sx, sy, Border.REFLECT_101);
        }
      }
      x.planes[ch] = warped;
    }

    // smooth random displacement field
    double[] dx = smoothNoise(w, h, sigma, alpha, rng);
    double[] dy = smoothNoise(w, h, sigma, alpha, rng);
    for (int ch = 0; ch < x.channels; ch++) {
      double[] p = x.planes[ch];
      double[] out = new double[p.length];
      for (int y = 0; y < h; y++) {
        for (int xx = 0; xx < w; xx++) {
          int i = y * w + xx;
          out[i] = Ops.bilinear(p, w, h, xx + dx[i], y + dy[i], Border.REFLECT);
        }
      }
      x.planes[ch] = out;
    }
    return x.toBytesTruncated();
  }

  /** {@code gaussian(U(-1, 1), sigma, mode='reflect', truncate=3) * alpha}. */
  private static double[] smoothNoise(
      int w, int h, double sigma, double alpha, RandomGenerator rng) {
    double[] noise = new double[w * h];
    for (int i = 0; i < noise.length; i++) {
      noise[i] = Rand.uniform(rng, -1, 1);
    }
    double[] smooth = Ops.gaussian(noise, w, h, sigma, 3.0, Border.REFLECT);
    for (int i = 0; i < smooth.length; i++) {
      smooth[i] *= alpha;
    }
    return smooth;
  }

  /**
   * The affine map {@code [a b c; d e f]} taking the three {@code from} points onto the {@code to}
   * points (cv2.getAffineTransform), row-major.
   */
  static double[] affine(double[][] from, double[][] to) {
    double x0 = from[0][0];
    double y0 = from[0][1];
    double x1 = from[1][0];
    double y1 = from[1][1];
    double x2 = from[2][0];
    double y2 = from[2][1];
    double det = x0 * (y1 - y2) - y0 * (x1 - x2) + (x1 * y2 - x2 * y1);
    if (Math.abs(det) < 1e-12) {
      throw new IllegalArgumentException("affine points are collinear");
    }
    double[] m = new double[6];
    for (int row = 0; row < 2; row++) {
      double u0 = to[0][row];
      double u1 = to[1][row];
      double u2 = to[2][row];
      // solve [x y 1] . (a, b, c) = u for the three points (Cramer's rule)
      double a = (u0 * (y1 - y2) - y0 * (u1 - u2) + (u1 * y2 - u2 * y1)) / det;
      double b = (x0 * (u1 - u2) - u0 * (x1 - x2) + (x1 * u2 - x2 * u1)) / det;
      double c =
          (x0 * (y1 * u2 - y2 * u1) - y0 * (x1 * u2 - x2 * u1) + u0 * (x1 * y2 - x2 * y1)) / det;
      m[row * 3] = a;
      m[row * 3 + 1] = b;
      m[row * 3 + 2] = c;
    }
    return m;
  }

  static byte[] pixelate(byte[] pixels, int w, int h, int c, int severity) {
    double f = PIXELATE[severity - 1];
    int nw = Math.max(1, (int) (w * f));
    int nh = Math.max(1, (int) (h * f));
    byte[] out = new byte[pixels.length];
    int[] plane = new int[w * h];
    for (int ch = 0; ch < c; ch++) {
      for (int i = 0; i < plane.length; i++) {
        plane[i] = pixels[i * c + ch] & 0xff;
      }
      int[] small = Ops.pilBoxResize(plane, w, h, nw, nh);
      int[] back = Ops.pilBoxResize(small, nw, nh, w, h);
      for (int i = 0; i < back.length; i++) {
        out[i * c + ch] = (byte) back[i];
      }
    }
    return out;
  }

  static byte[] jpeg(byte[] pixels, int w, int h, int c, int severity) {
    float quality = JPEG_QUALITY[severity - 1] / 100f;
    BufferedImage image =
        new BufferedImage(
            w, h, c == 1 ? BufferedImage.TYPE_BYTE_GRAY : BufferedImage.TYPE_3BYTE_BGR);
    WritableRaster raster = image.getRaster();
    int[] sample = new int[c];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        for (int ch = 0; ch < c; ch++) {
          sample[ch] = pixels[(y * w + x) * c + ch] & 0xff;
        }
        raster.setPixel(x, y, sample); // logical bands are R, G, B for TYPE_3BYTE_BGR
      }
    }
    byte[] encoded = encodeJpeg(image, quality);
    BufferedImage decoded = decodeJpeg(encoded);
    byte[] out = new byte[pixels.length];
    Raster back = decoded.getRaster();
    if (decoded.getWidth() != w || decoded.getHeight() != h) {
      throw new IllegalStateException("JPEG round trip changed the size");
    }
    if (back.getNumBands() == c) {
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          back.getPixel(x, y, sample);
          for (int ch = 0; ch < c; ch++) {
            out[(y * w + x) * c + ch] = (byte) sample[ch];
          }
        }
      }
      return out;
    }
    throw new IllegalStateException(
        "JPEG decoded to " + back.getNumBands() + " bands, expected " + c);
  }

  /** One JPEG writer and reader per thread: looking them up costs more than coding 28x28. */
  private static final ThreadLocal<ImageWriter> JPEG_WRITER =
      ThreadLocal.withInitial(
          () -> {
            Iterator<ImageWriter> writers = ImageIO.getImageWritersByFormatName("jpeg");
            if (!writers.hasNext()) {
              throw new IllegalStateException("no ImageIO JPEG writer");
            }
            return writers.next();
          });

  private static final ThreadLocal<ImageReader> JPEG_READER =
      ThreadLocal.withInitial(
          () -> {
            Iterator<ImageReader> readers = ImageIO.getImageReadersByFormatName("jpeg");
            if (!readers.hasNext()) {
              throw new IllegalStateException("no ImageIO JPEG reader");
            }
            return readers.next();
          });

  private static byte[] encodeJpeg(BufferedImage image, float quality) {
    ImageWriter writer = JPEG_WRITER.get();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(2048);
    try (ImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
      ImageWriteParam param = writer.getDefaultWriteParam();
      param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
      param.setCompressionQuality(quality);
      writer.setOutput(out);
      writer.write(null, new IIOImage(image, null, null), param);
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("JPEG encoding failed", e);
    } finally {
      writer.reset();
    }
    return bytes.toByteArray();
  }

  private static BufferedImage decodeJpeg(byte[] encoded) {
    ImageReader reader = JPEG_READER.get();
    try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(encoded))) {
      reader.setInput(in, true, true);
      return reader.read(0);
    } catch (IOException e) {
      throw new UncheckedIOException("JPEG decoding failed", e);
    } finally {
      reader.reset();
    }
  }
}
