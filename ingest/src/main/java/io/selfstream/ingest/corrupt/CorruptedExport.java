package io.selfstream.ingest.corrupt;

import io.selfstream.data.FashionMnist;
import java.io.BufferedOutputStream;
import java.io.BufferedWriter;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.function.LongConsumer;
import java.util.stream.Collectors;

/**
 * Writes a {@link CorruptedStream} (same order, same seed, same bytes) as files other tools read:
 *
 * <ul>
 *   <li>{@code fashion-mnist-c-s<severity>-images-idx3-ubyte}: uncompressed IDX, magic {@code
 *       0x00000803}, dims {@code N x 28 x 28}, image {@code i} = the stream's frame {@code i};
 *   <li>{@code fashion-mnist-c-s<severity>-labels-idx1-ubyte}: IDX, magic {@code 0x00000801}, the
 *       class of each image;
 *   <li>{@code fashion-mnist-c-s<severity>-domains.csv}: {@code
 *       domain,severity,first_index,count,first_seq}, one line per domain in stream order;
 *   <li>{@code fashion-mnist-c-s<severity>-manifest.json}: the configuration (severity, order,
 *       limit, seed, source id, start seq), the count and the file names.
 * </ul>
 *
 * <p>Each file is written under a temporary name and moved into place when complete, replacing an
 * older export of the same severity.
 */
public final class CorruptedExport {

  private CorruptedExport() {}

  /** Version of the corruption code, in the manifest; bump when any output byte changes. */
  public static final String GENERATOR = "selfstream-corrupt/1";

  /**
   * What was written.
   *
   * @param images the IDX images file
   * @param labels the IDX labels file
   * @param domains the domains CSV
   * @param manifest the JSON manifest
   * @param count images written
   * @param domainList the domains in stream order
   */
  public record Result(
      Path images,
      Path labels,
      Path domains,
      Path manifest,
      long count,
      List<CorruptedStream.Domain> domainList) {}

  static String prefix(int severity) {
    return "fashion-mnist-c-s" + severity;
  }

  /** Name of the images file for a severity, e.g. {@code fashion-mnist-c-s5-images-idx3-ubyte}. */
  public static String imagesFileName(int severity) {
    return prefix(severity) + "-images-idx3-ubyte";
  }

  /** Name of the labels file, e.g. {@code fashion-mnist-c-s5-labels-idx1-ubyte}. */
  public static String labelsFileName(int severity) {
    return prefix(severity) + "-labels-idx1-ubyte";
  }

  /** Name of the domains file, e.g. {@code fashion-mnist-c-s5-domains.csv}. */
  public static String domainsFileName(int severity) {
    return prefix(severity) + "-domains.csv";
  }

  /** Name of the manifest, e.g. {@code fashion-mnist-c-s5-manifest.json}. */
  public static String manifestFileName(int severity) {
    return prefix(severity) + "-manifest.json";
  }

  /** Exports the stream of {@code config} over the Debian Fashion-MNIST test split. */
  public static Result write(CorruptedStream.Config config, Path outDir, LongConsumer progress)
      throws IOException {
    return write(FashionMnist.load(FashionMnist.Split.TEST), config, outDir, progress);
  }

  /** Exports the stream of {@code config} over {@code data}. */
  public static Result write(
      FashionMnist data, CorruptedStream.Config config, Path outDir, LongConsumer progress)
      throws IOException {
    return write(new CorruptedStream(data, config, Clock.systemUTC()), outDir, progress);
  }

  /**
   * Exports a fresh stream (nothing read from it yet), consuming it.
   *
   * @param outDir created if missing
   * @param progress receives the number of images written every 1000 images and at the end; may be
   *     null
   * @throws IllegalStateException if frames were already read from the stream
   */
  public static Result write(CorruptedStream stream, Path outDir, LongConsumer progress)
      throws IOException {
    Objects.requireNonNull(stream, "stream");
    if (stream.position() != 0) {
      throw new IllegalStateException(
          "export needs a fresh stream; " + stream.position() + " frames were already read");
    }
    LongConsumer report = progress == null ? n -> {} : progress;
    CorruptedStream.Config config = stream.config();
    int severity = config.severity();
    Files.createDirectories(outDir);
    Path images = outDir.resolve(imagesFileName(severity));
    Path labels = outDir.resolve(labelsFileName(severity));
    Path domains = outDir.resolve(domainsFileName(severity));
    Path manifest = outDir.resolve(manifestFileName(severity));
    long total = stream.size().orElseThrow();
    if (total > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(total + " images do not fit an IDX header");
    }
    Path imagesTmp = temp(images);
    Path labelsTmp = temp(labels);
    long written = 0;
    try {
      try (DataOutputStream img = open(imagesTmp);
          DataOutputStream lab = open(labelsTmp)) {
        img.writeInt(0x00000803); // unsigned byte, rank 3
        img.writeInt((int) total);
        img.writeInt(stream.height());
        img.writeInt(stream.width());
        lab.writeInt(0x00000801);
        lab.writeInt((int) total);
        while (stream.hasNext()) {
          LabeledFrame f = stream.nextLabeled();
          var bytes = f.frame().getBytes().duplicate();
          byte[] pixels = new byte[bytes.remaining()];
          bytes.get(pixels);
          img.write(pixels);
          lab.writeByte(f.label().getLabel());
          written++;
          if (written % 1000 == 0) {
            report.accept(written);
          }
        }
      }
      if (written != total) {
        throw new IllegalStateException("stream gave " + written + " images, expected " + total);
      }
      writeText(domains, domainsCsv(stream));
      writeText(manifest, manifestJson(config, written));
      move(imagesTmp, images);
      move(labelsTmp, labels);
    } finally {
      Files.deleteIfExists(imagesTmp);
      Files.deleteIfExists(labelsTmp);
    }
    report.accept(written);
    return new Result(images, labels, domains, manifest, written, stream.domains());
  }

  private static DataOutputStream open(Path path) throws IOException {
    OutputStream out = Files.newOutputStream(path);
    return new DataOutputStream(new BufferedOutputStream(out, 1 << 16));
  }

  private static Path temp(Path target) {
    return target.resolveSibling("." + target.getFileName() + ".partial");
  }

  private static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (java.nio.file.AtomicMoveNotSupportedException e) {
      Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  private static void writeText(Path target, String text) throws IOException {
    Path tmp = temp(target);
    try {
      try (BufferedWriter w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
        w.write(text);
      }
      move(tmp, target);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  static String domainsCsv(CorruptedStream stream) {
    StringBuilder sb = new StringBuilder("domain,severity,first_index,count,first_seq\n");
    for (CorruptedStream.Domain d : stream.domains()) {
      sb.append(d.name())
          .append(',')
          .append(d.severity())
          .append(',')
          .append(d.firstIndex())
          .append(',')
          .append(d.count())
          .append(',')
          .append(stream.config().startSeq() + d.firstIndex())
          .append('\n');
    }
    return sb.toString();
  }

  static String manifestJson(CorruptedStream.Config config, long count) {
    String order =
        config.order().stream().map(c -> "\"" + c.id() + "\"").collect(Collectors.joining(","));
    int s = config.severity();
    return "{\n"
        + "  \"generator\": \""
        + GENERATOR
        + "\",\n"
        + "  \"dataset\": \"fashion-mnist t10k\",\n"
        + "  \"severity\": "
        + s
        + ",\n"
        + "  \"order\": ["
        + order
        + "],\n"
        + "  \"limitPerDomain\": "
        + config.limitPerDomain()
        + ",\n"
        + "  \"seed\": "
        + config.seed()
        + ",\n"
        + "  \"sourceId\": \""
        + jsonEscape(config.sourceId())
        + "\",\n"
        + "  \"startSeq\": "
        + config.startSeq()
        + ",\n"
        + "  \"count\": "
        + count
        + ",\n"
        + "  \"images\": \""
        + imagesFileName(s)
        + "\",\n"
        + "  \"labels\": \""
        + labelsFileName(s)
        + "\",\n"
        + "  \"domains\": \""
        + domainsFileName(s)
        + "\"\n"
        + "}\n";
  }

  private static String jsonEscape(String s) {
    StringBuilder sb = new StringBuilder();
    for (char ch : s.toCharArray()) {
      switch (ch) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        default -> {
          if (ch < 0x20) {
            sb.append(String.format("\\u%04x", (int) ch));
          } else {
            sb.append(ch);
          }
        }
      }
    }
    return sb.toString();
  }
}
