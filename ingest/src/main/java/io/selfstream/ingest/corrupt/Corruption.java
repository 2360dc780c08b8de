package io.selfstream.ingest.corrupt;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import java.util.stream.Collectors;

/**
 * The 15 ImageNet-C corruptions with the CIFAR-10-C parameter tables of Hendrycks and Dietterich's
 * {@code make_cifar_c.py}, for small row-major HWC unsigned-byte images (gray or RGB), severities
 * 1-5. Declared in the ImageNet-C order.
 *
 * <p>Parameters that are lengths in pixels (blur radii and sigmas, motion lengths, the glass-blur
 * shift, the elastic-transform sizes) scale with {@code min(width, height) / 32}, so a 28x28 image
 * gets 7/8 of the CIFAR lengths; per-pixel and relative parameters (noise levels, zoom factors,
 * blend weights, JPEG quality, pixelate fraction) are kept. Output has the input's shape, values
 * 0-255, and depends only on the input, the severity and the random generator's sequence (a seed
 * gives the same bytes on every run and JVM). Stateless and thread-safe.
 */
public enum Corruption {
  GAUSSIAN_NOISE,
  SHOT_NOISE,
  IMPULSE_NOISE,
  DEFOCUS_BLUR,
  GLASS_BLUR,
  MOTION_BLUR,
  ZOOM_BLUR,
  SNOW,
  FROST,
  FOG,
  BRIGHTNESS,
  CONTRAST,
  ELASTIC_TRANSFORM,
  PIXELATE,
  JPEG_COMPRESSION;

  public static final int MIN_SEVERITY = 1;
  public static final int MAX_SEVERITY = 5;

  /** The ImageNet-C order (the declaration order). */
  public static List<Corruption> imageNetCOrder() {
    return List.of(values());
  }

  /** The name used in files, labels and on the command line, e.g. {@code gaussian_noise}. */
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  @Override
  public String toString() {
    return id();
  }

  /**
   * The corruption named {@code name}: its {@link #id()}, case-insensitive, with {@code -} accepted
   * for {@code _} ({@code Gaussian-Noise}, {@code GAUSSIAN_NOISE}); also the short names {@code
   * gaussian}, {@code shot}, {@code impulse}, {@code defocus}, {@code glass}, {@code motion},
   * {@code zoom}, {@code elastic}, {@code jpeg}.
   *
   * @throws IllegalArgumentException naming the valid ids
   */
  public static Corruption fromId(String name) {
    if (name != null) {
      String key = name.trim().toLowerCase(Locale.ROOT).replace('-', '_');
      for (Corruption c : values()) {
        if (c.id().equals(key) || c.shortName().equals(key)) {
          return c;
        }
      }
    }
    throw new IllegalArgumentException(
        "unknown corruption '"
            + name
            + "'; valid: "
            + Arrays.stream(values()).map(Corruption::id).collect(Collectors.joining(", ")));
  }

  private String shortName() {
    String id = id();
    int cut = id.indexOf('_');
    return switch (this) {
      case GAUSSIAN_NOISE,
          SHOT_NOISE,
          IMPULSE_NOISE,
          DEFOCUS_BLUR,
          GLASS_BLUR,
          MOTION_BLUR,
          ZOOM_BLUR,
          ELASTIC_TRANSFORM,
          JPEG_COMPRESSION ->
          id.substring(0, cut);
      default -> id;
    };
  }

  /**
   * A comma-separated list of corruption names ({@link #fromId}), e.g. {@code "fog,snow,frost"};
   * blank entries are ignored; {@code all} stands for the ImageNet-C order.
   *
   * @throws IllegalArgumentException for an unknown name, a repeated one, or an empty list
   */
  public static List<Corruption> parseList(String csv) {
    List<Corruption> out = new ArrayList<>();
    for (String part : (csv == null ? "" : csv).split(",")) {
      if (part.isBlank()) {
        continue;
      }
      if (part.trim().equalsIgnoreCase("all")) {
        for (Corruption c : values()) {
          if (!out.contains(c)) {
            out.add(c);
          }
        }
        continue;
      }
      Corruption c = fromId(part);
      if (out.contains(c)) {
        throw new IllegalArgumentException("corruption '" + c.id() + "' listed twice in " + csv);
      }
      out.add(c);
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException("no corruption named in '" + csv + "'");
    }
    return List.copyOf(out);
  }

  /**
   * @throws IllegalArgumentException unless {@code 1 <= severity <= 5}
   */
  public static void checkSeverity(int severity) {
    if (severity < MIN_SEVERITY || severity > MAX_SEVERITY) {
      throw new IllegalArgumentException(
          "severity must be " + MIN_SEVERITY + "-" + MAX_SEVERITY + ", got " + severity);
    }
  }

  /**
   * Corrupts an image with a generator seeded by {@code seed} ({@link SplittableRandom}).
   *
   * @param pixels row-major HWC bytes, {@code width * height * channels} of them (not modified)
   * @param channels 1 (gray) or 3 (RGB)
   * @param severity 1-5
   * @return a new array of the same length
   * @throws IllegalArgumentException for a bad severity, shape or channel count
   */
  public byte[] apply(byte[] pixels, int width, int height, int channels, int severity, long seed) {
    return apply(pixels, width, height, channels, severity, new SplittableRandom(seed));
  }

  /**
   * Corrupts an image drawing randomness from {@code random} (advanced by the call).
   *
   * @see #apply(byte[], int, int, int, int, long)
   */
  public byte[] apply(
      byte[] pixels, int width, int height, int channels, int severity, RandomGenerator random) {
    checkSeverity(severity);
    if (pixels == null || random == null) {
      throw new IllegalArgumentException("pixels and random must not be null");
    }
    if (width <= 0 || height <= 0) {
      throw new IllegalArgumentException(
          "image size must be positive, got " + width + "x" + height);
    }
    if (channels != 1 && channels != 3) {
      throw new IllegalArgumentException("channels must be 1 or 3, got " + channels);
    }
    if ((long) width * height * channels != pixels.length) {
      throw new IllegalArgumentException(
          pixels.length
              + " bytes is not "
              + width
              + "x"
              + height
              + "x"
              + channels
              + " = "
              + (long) width * height * channels);
    }
    double pixelScale = Math.min(width, height) / 32.0;
    return switch (this) {
      case GAUSSIAN_NOISE ->
          Noise.gaussian(unit(pixels, width, height, channels), severity, random);
      case SHOT_NOISE -> Noise.shot(unit(pixels, width, height, channels), severity, random);
      case IMPULSE_NOISE -> Noise.impulse(unit(pixels, width, height, channels), severity, random);
      case DEFOCUS_BLUR ->
          Blur.defocus(unit(pixels, width, height, channels), severity, pixelScale);
      case GLASS_BLUR ->
          Blur.glass(unit(pixels, width, height, channels), severity, pixelScale, random);
      case MOTION_BLUR ->
          Blur.motion(
              Img.fromBytes(pixels, width, height, channels, 1.0), severity, pixelScale, random);
      case ZOOM_BLUR -> Blur.zoom(unit(pixels, width, height, channels), severity);
      case SNOW ->
          Weather.snow(unit(pixels, width, height, channels), severity, pixelScale, random);
      case FROST ->
          Weather.frost(Img.fromBytes(pixels, width, height, channels, 1.0), severity, random);
      case FOG -> Weather.fog(unit(pixels, width, height, channels), severity, random);
      case BRIGHTNESS -> Digital.brightness(unit(pixels, width, height, channels), severity);
      case CONTRAST -> Digital.contrast(unit(pixels, width, height, channels), severity);
      case ELASTIC_TRANSFORM ->
          Digital.elastic(unit(pixels, width, height, channels), severity, random);
      case PIXELATE -> Digital.pixelate(pixels, width, height, channels, severity);
      case JPEG_COMPRESSION -> Digital.jpeg(pixels, width, height, channels, severity);
    };
  }

  private static Img unit(byte[] pixels, int width, int height, int channels) {
    return Img.fromBytes(pixels, width, height, channels, 1.0 / 255.0);
  }
}
