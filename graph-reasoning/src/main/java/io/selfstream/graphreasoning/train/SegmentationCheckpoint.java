package io.selfstream.graphreasoning.train;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import io.selfstream.graphreasoning.model.ModelSpec;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * A model checkpoint folder: {@code model.properties} (the {@link ModelSpec}, action names, epoch)
 * and {@code model.params} (DJL {@code Block.saveParameters}). {@link #save} writes {@code
 * dir/epoch-NNNN/} and refreshes {@code dir/latest/}; {@link #load} accepts either a checkpoint
 * folder or a parent holding {@code latest/}.
 */
public final class SegmentationCheckpoint {

  public static final String PROPERTIES = "model.properties";
  public static final String PARAMS = "model.params";
  public static final String LATEST = "latest";

  private SegmentationCheckpoint() {}

  /** A loaded checkpoint: spec, action names, epoch and an initialised block. */
  public record Loaded(ModelSpec spec, List<String> labels, int epoch, Block block) {}

  /** Writes {@code dir/epoch-NNNN/} and copies it to {@code dir/latest/}; returns the former. */
  public static Path save(Path dir, SegmentationTrainer trainer, List<String> labels, int epoch)
      throws IOException {
    Path target = dir.resolve(String.format("epoch-%04d", epoch));
    write(target, trainer.spec(), trainer.block(), labels, epoch);
    write(dir.resolve(LATEST), trainer.spec(), trainer.block(), labels, epoch);
    return target;
  }

  /** Writes one checkpoint folder. */
  public static void write(Path dir, ModelSpec spec, Block block, List<String> labels, int epoch)
      throws IOException {
    if (labels.size() != spec.numClasses()) {
      throw new IllegalArgumentException(
          labels.size() + " action names for " + spec.numClasses() + " classes");
    }
    Files.createDirectories(dir);
    Properties p = spec.toProperties();
    p.setProperty("epoch", Integer.toString(epoch));
    for (int i = 0; i < labels.size(); i++) {
      p.setProperty("label." + i, labels.get(i));
    }
    Path tmpParams = dir.resolve(PARAMS + ".tmp");
    try (OutputStream os = Files.newOutputStream(tmpParams);
        DataOutputStream out = new DataOutputStream(new BufferedOutputStream(os))) {
      block.saveParameters(out);
    }
    Files.move(tmpParams, dir.resolve(PARAMS), StandardCopyOption.REPLACE_EXISTING);
    Path tmpProps = dir.resolve(PROPERTIES + ".tmp");
    try (Writer w = Files.newBufferedWriter(tmpProps, StandardCharsets.UTF_8)) {
      p.store(w, "selfstream segmentation checkpoint");
    }
    Files.move(tmpProps, dir.resolve(PROPERTIES), StandardCopyOption.REPLACE_EXISTING);
  }

  /**
   * Loads a checkpoint folder (or the {@code latest/} inside it) with its block on {@code manager}.
   */
  public static Loaded load(Path dir, NDManager manager) throws IOException {
    Path d = Files.isRegularFile(dir.resolve(PROPERTIES)) ? dir : dir.resolve(LATEST);
    Path props = d.resolve(PROPERTIES);
    if (!Files.isRegularFile(props)) {
      throw new IOException("no checkpoint in " + dir + " (missing " + PROPERTIES + ")");
    }
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(props, StandardCharsets.UTF_8)) {
      p.load(r);
    }
    ModelSpec spec;
    try {
      spec = ModelSpec.fromProperties(p);
    } catch (IllegalArgumentException e) {
      throw new IOException(props + ": " + e.getMessage(), e);
    }
    List<String> labels = new ArrayList<>();
    for (int i = 0; i < spec.numClasses(); i++) {
      String l = p.getProperty("label." + i);
      if (l == null) {
        throw new IOException(props + ": missing label." + i);
      }
      labels.add(l);
    }
    Block block = spec.newBlock();
    try (InputStream is = Files.newInputStream(d.resolve(PARAMS));
        DataInputStream in = new DataInputStream(new BufferedInputStream(is))) {
      block.loadParameters(manager, in);
    } catch (MalformedModelException e) {
      throw new IOException(d.resolve(PARAMS) + ": " + e.getMessage(), e);
    }
    return new Loaded(spec, labels, Integer.parseInt(p.getProperty("epoch", "0")), block);
  }
}
