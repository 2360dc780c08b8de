package io.selfstream.graphreasoning.data;

import io.selfstream.graphreasoning.metrics.LabelFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * A dataset in the layout MS-TCN, ASRF, DTGRM and most action-segmentation code read (Breakfast,
 * 50Salads, GTEA features ship in it):
 *
 * <pre>
 * root/features/&lt;video&gt;.npy      float32, dim x T
 * root/groundTruth/&lt;video&gt;.txt   one action name per frame and line
 * root/mapping.txt                "&lt;index&gt; &lt;action&gt;" per line
 * root/splits/&lt;name&gt;.bundle      one "&lt;video&gt;.txt" per line (e.g. train.split1.bundle)
 * </pre>
 *
 * Video names here never carry the {@code .txt}/{@code .npy} extension.
 */
public record MsTcnDataset(Path root) {

  public Path featuresDir() {
    return root.resolve("features");
  }

  public Path groundTruthDir() {
    return root.resolve("groundTruth");
  }

  public Path splitsDir() {
    return root.resolve("splits");
  }

  public Path mappingFile() {
    return root.resolve("mapping.txt");
  }

  public Path featuresFile(String video) {
    return featuresDir().resolve(video + ".npy");
  }

  public Path groundTruthFile(String video) {
    return groundTruthDir().resolve(video + ".txt");
  }

  public Path splitFile(String split) {
    return splitsDir().resolve(split + ".bundle");
  }

  /** Reads {@code mapping.txt}; indices must be 0..n-1 (in any order). */
  public LabelMapping readMapping() throws IOException {
    Path file = mappingFile();
    if (!Files.isRegularFile(file)) {
      throw new IOException("mapping file not found: " + file);
    }
    TreeMap<Integer, String> byIndex = new TreeMap<>();
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).trim();
      if (line.isEmpty()) {
        continue;
      }
      String[] parts = line.split("\\s+", 2);
      if (parts.length != 2) {
        throw new IOException(file + ": line " + (i + 1) + " is not '<index> <action>': " + line);
      }
      int idx;
      try {
        idx = Integer.parseInt(parts[0]);
      } catch (NumberFormatException e) {
        throw new IOException(file + ": line " + (i + 1) + " has no integer index: " + line, e);
      }
      if (byIndex.put(idx, parts[1].trim()) != null) {
        throw new IOException(file + ": index " + idx + " appears twice");
      }
    }
    if (byIndex.isEmpty() || byIndex.firstKey() != 0 || byIndex.lastKey() != byIndex.size() - 1) {
      throw new IOException(file + ": indices must be 0.." + (byIndex.size() - 1));
    }
    return new LabelMapping(new ArrayList<>(byIndex.values()));
  }

  public void writeMapping(LabelMapping mapping) throws IOException {
    Files.createDirectories(root);
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < mapping.size(); i++) {
      sb.append(i).append(' ').append(mapping.name(i)).append('\n');
    }
    Files.writeString(mappingFile(), sb, StandardCharsets.UTF_8);
  }

  public Features readFeatures(String video) throws IOException {
    Path file = featuresFile(video);
    if (!Files.isRegularFile(file)) {
      throw new IOException("features file not found: " + file);
    }
    return Npy.read(file);
  }

  public void writeFeatures(String video, Features features) throws IOException {
    Npy.write(featuresFile(video), features);
  }

  public List<String> readGroundTruth(String video) throws IOException {
    return LabelFiles.read(groundTruthFile(video));
  }

  public void writeGroundTruth(String video, List<String> labels) throws IOException {
    Files.createDirectories(groundTruthDir());
    LabelFiles.writeLines(groundTruthFile(video), labels);
  }

  /** Video names of a split, without extension, in file order. */
  public List<String> readSplit(String split) throws IOException {
    Path file = splitFile(split);
    if (!Files.isRegularFile(file)) {
      throw new IOException("split file not found: " + file);
    }
    List<String> out = new ArrayList<>();
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      String v = line.trim();
      if (!v.isEmpty()) {
        out.add(stripExtension(v));
      }
    }
    return out;
  }

  /** Writes a split as the MS-TCN scripts expect it: {@code <video>.txt} per line. */
  public void writeSplit(String split, List<String> videos) throws IOException {
    Files.createDirectories(splitsDir());
    StringBuilder sb = new StringBuilder();
    for (String v : videos) {
      sb.append(v).append(".txt\n");
    }
    Files.writeString(splitFile(split), sb, StandardCharsets.UTF_8);
  }

  /** Split names (bundle files without {@code .bundle}), sorted. */
  public List<String> splits() throws IOException {
    if (!Files.isDirectory(splitsDir())) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(splitsDir())) {
      return s.map(p -> p.getFileName().toString())
          .filter(n -> n.endsWith(".bundle"))
          .map(n -> n.substring(0, n.length() - ".bundle".length()))
          .sorted()
          .toList();
    }
  }

  /** All videos with ground truth, sorted. */
  public List<String> videos() throws IOException {
    if (!Files.isDirectory(groundTruthDir())) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(groundTruthDir())) {
      return s.map(p -> p.getFileName().toString())
          .filter(n -> n.endsWith(".txt"))
          .map(MsTcnDataset::stripExtension)
          .sorted()
          .toList();
    }
  }

  /**
   * Reads one labeled video, checking that features and ground truth have the same length.
   *
   * @param sampleRate keep every {@code sampleRate}-th frame of both (1 for all)
   */
  public LabeledVideo readLabeled(String video, LabelMapping mapping, int sampleRate)
      throws IOException {
    Features f = readFeatures(video);
    List<String> gt = readGroundTruth(video);
    if (f.length() != gt.size()) {
      throw new IOException(
          "video "
              + video
              + ": "
              + featuresFile(video)
              + " has "
              + f.length()
              + " frames but "
              + groundTruthFile(video)
              + " has "
              + gt.size());
    }
    int[] labels;
    try {
      labels = mapping.indices(gt);
    } catch (IllegalArgumentException e) {
      throw new IOException(groundTruthFile(video) + ": " + e.getMessage(), e);
    }
    LabeledVideo full = new LabeledVideo(video, f, labels);
    return full.subsample(sampleRate);
  }

  static String stripExtension(String name) {
    for (String ext : List.of(".txt", ".npy")) {
      if (name.endsWith(ext)) {
        return name.substring(0, name.length() - ext.length());
      }
    }
    return name;
  }
}
