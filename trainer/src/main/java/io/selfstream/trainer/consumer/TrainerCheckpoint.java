package io.selfstream.trainer.consumer;

import io.selfstream.schemas.avro.ModelUpdate;
import io.selfstream.schemas.model.ModelParameters;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The trainer's crash-safe state on local disk: everything needed to resume at a version boundary
 * without skipping or repeating a version and without training twice on committed input.
 *
 * <p>A checkpoint is written for version {@code v} <em>before</em> {@code v} is published, and
 * holds the learner's whole state, the consumers' copy after {@code v} (the base of the next DELTA,
 * error feedback included), the exact signed chunks of {@code v} (so a restart republishes the same
 * bytes, never a new {@code v}), and the input offsets that {@code v}'s transaction commits.
 *
 * <p>Atomicity: a checkpoint is written into a fresh {@code .tmp-*} directory, every file and
 * directory is fsynced, the directory is renamed (atomic move) to {@code ckpt-<v>-<id>}, and only
 * then is the pointer file {@value #POINTER} replaced (temp file, fsync, atomic move, directory
 * fsync). A crash at any moment leaves either the previous pointer (and its complete directory) or
 * the new one; a half-written {@code .tmp-*} or an unreferenced {@code ckpt-*} directory is ignored
 * on read and removed at the next write.
 *
 * <pre>
 *   dir/CURRENT                       name of the complete checkpoint directory
 *   dir/ckpt-0000000007-&lt;id&gt;/
 *     state.properties                version, offsets, trained-through, counters, hashes
 *     consumer-copy.bin               ModelParameters payload consumers hold after v
 *     pending/chunk-00000.avro ...    the signed ModelUpdate chunks of v (Avro single-object)
 *     learner/                        OnlineLearner.save
 * </pre>
 */
public final class TrainerCheckpoint {

  private static final Logger LOG = LoggerFactory.getLogger(TrainerCheckpoint.class);

  /** Pointer file naming the current checkpoint directory. */
  public static final String POINTER = "CURRENT";

  static final String STATE = "state.properties";
  static final String COPY = "consumer-copy.bin";
  static final String PENDING = "pending";
  static final String LEARNER = "learner";
  static final String FORMAT = "selfstream-trainer-checkpoint-v1";

  /**
   * What a checkpoint holds besides the learner.
   *
   * @param model model name
   * @param version the version this checkpoint was written for (published or about to be)
   * @param pending the signed chunks of {@code version}, in order
   * @param consumerCopy the parameters consumers hold once {@code version} is applied
   * @param offsets next input offset per partition, committed with {@code version}
   * @param trainedThrough highest seq trained on, per source id
   * @param samples views trained on since the first start (all incarnations)
   * @param steps learner steps since the first start
   */
  public record State(
      String model,
      long version,
      List<ModelUpdate> pending,
      ModelParameters consumerCopy,
      Map<TopicPartition, Long> offsets,
      Map<String, Long> trainedThrough,
      long samples,
      long steps) {

    public State {
      Objects.requireNonNull(model, "model");
      if (version < 1) {
        throw new IllegalArgumentException("version must be >= 1, got " + version);
      }
      pending = List.copyOf(pending);
      if (pending.isEmpty()) {
        throw new IllegalArgumentException("a checkpoint carries the chunks of its version");
      }
      for (ModelUpdate c : pending) {
        if (c.getVersion() != version || !model.equals(c.getModel())) {
          throw new IllegalArgumentException(
              "pending chunk of " + c.getModel() + " v" + c.getVersion() + " in a v" + version);
        }
      }
      Objects.requireNonNull(consumerCopy, "consumerCopy");
      offsets = Map.copyOf(offsets);
      trainedThrough = Map.copyOf(trainedThrough);
    }
  }

  /** Writes the learner's state into a directory (normally {@code OnlineLearner::save}). */
  @FunctionalInterface
  public interface LearnerWriter {
    void save(Path dir) throws IOException;
  }

  /** A checkpoint read back: its state and the learner directory to restore from. */
  public record Loaded(State state, Path learnerDir, Path dir) {}

  private final Path dir;

  public TrainerCheckpoint(Path dir) {
    this.dir = Objects.requireNonNull(dir, "dir");
  }

  public Path dir() {
    return dir;
  }

  /**
   * Writes a complete checkpoint and makes it the current one, atomically; then removes older
   * checkpoints and leftovers of interrupted writes.
   *
   * @return the new checkpoint directory
   */
  public Path write(State state, LearnerWriter learner) throws IOException {
    Files.createDirectories(dir);
    String id = UUID.randomUUID().toString();
    Path tmp = dir.resolve(".tmp-" + id);
    Files.createDirectory(tmp);
    Path learnerDir = tmp.resolve(LEARNER);
    Files.createDirectory(learnerDir);
    learner.save(learnerDir);

    byte[] copy = state.consumerCopy().toBytes();
    Files.write(tmp.resolve(COPY), copy);
    Path pending = Files.createDirectory(tmp.resolve(PENDING));
    MessageDigest chunksHash = sha256();
    for (int i = 0; i < state.pending().size(); i++) {
      byte[] bytes = toBytes(state.pending().get(i));
      chunksHash.update(bytes);
      Files.write(pending.resolve(chunkName(i)), bytes);
    }

    Properties p = new Properties();
    p.setProperty("format", FORMAT);
    p.setProperty("model", state.model());
    p.setProperty("version", Long.toString(state.version()));
    p.setProperty("chunks", Integer.toString(state.pending().size()));
    p.setProperty("chunksSha256", HexFormat.of().formatHex(chunksHash.digest()));
    p.setProperty("consumerCopySha256", HexFormat.of().formatHex(sha256().digest(copy)));
    p.setProperty("samples", Long.toString(state.samples()));
    p.setProperty("steps", Long.toString(state.steps()));
    state
        .offsets()
        .forEach(
            (tp, off) ->
                p.setProperty("offset." + tp.partition() + "." + tp.topic(), Long.toString(off)));
    state
        .trainedThrough()
        .forEach((src, seq) -> p.setProperty("trainedThrough." + src, Long.toString(seq)));
    try (Writer w = Files.newBufferedWriter(tmp.resolve(STATE), StandardCharsets.UTF_8)) {
      p.store(w, "selfstream trainer checkpoint of " + state.model() + " v" + state.version());
    }

    fsyncTree(tmp);
    Path target = dir.resolve(String.format("ckpt-%010d-%s", state.version(), id));
    move(tmp, target);
    fsync(dir);

    Path pointerTmp = dir.resolve(POINTER + ".tmp");
    Files.writeString(pointerTmp, target.getFileName().toString() + "\n", StandardCharsets.UTF_8);
    fsync(pointerTmp);
    move(pointerTmp, dir.resolve(POINTER));
    fsync(dir);

    removeAllBut(target.getFileName().toString());
    return target;
  }

  /**
   * The current checkpoint, if one was completed. Directories the pointer does not name (a write
   * interrupted before or after its rename) are ignored.
   *
   * @throws IOException when the pointer names a directory that is missing or does not verify (a
   *     disk that lost fsynced data; not something a crash produces)
   */
  public Optional<Loaded> read() throws IOException {
    Path pointer = dir.resolve(POINTER);
    if (!Files.isRegularFile(pointer)) {
      return Optional.empty();
    }
    String name = Files.readString(pointer, StandardCharsets.UTF_8).trim();
    if (!name.matches("ckpt-\\d{10}-[0-9a-f-]+")) {
      throw new IOException(pointer + " names '" + name + "', not a checkpoint directory");
    }
    Path ckpt = dir.resolve(name);
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(ckpt.resolve(STATE), StandardCharsets.UTF_8)) {
      p.load(r);
    }
    if (!FORMAT.equals(p.getProperty("format"))) {
      throw new IOException(ckpt + ": unknown checkpoint format " + p.getProperty("format"));
    }
    String model = required(p, "model", ckpt);
    long version = Long.parseLong(required(p, "version", ckpt));
    int chunks = Integer.parseInt(required(p, "chunks", ckpt));
    MessageDigest chunksHash = sha256();
    List<ModelUpdate> pending = new ArrayList<>(chunks);
    for (int i = 0; i < chunks; i++) {
      byte[] bytes = Files.readAllBytes(ckpt.resolve(PENDING).resolve(chunkName(i)));
      chunksHash.update(bytes);
      pending.add(ModelUpdate.fromByteBuffer(ByteBuffer.wrap(bytes)));
    }
    verify(ckpt, "chunksSha256", p, chunksHash.digest());
    byte[] copy = Files.readAllBytes(ckpt.resolve(COPY));
    verify(ckpt, "consumerCopySha256", p, sha256().digest(copy));
    Map<TopicPartition, Long> offsets =
        new TreeMap<>(Comparator.comparing(TopicPartition::toString));
    Map<String, Long> trainedThrough = new TreeMap<>();
    for (String key : p.stringPropertyNames()) {
      if (key.startsWith("offset.")) {
        String rest = key.substring("offset.".length());
        int dot = rest.indexOf('.');
        offsets.put(
            new TopicPartition(rest.substring(dot + 1), Integer.parseInt(rest.substring(0, dot))),
            Long.parseLong(p.getProperty(key)));
      } else if (key.startsWith("trainedThrough.")) {
        trainedThrough.put(
            key.substring("trainedThrough.".length()), Long.parseLong(p.getProperty(key)));
      }
    }
    State state =
        new State(
            model,
            version,
            pending,
            ModelParameters.fromBytes(copy),
            offsets,
            trainedThrough,
            Long.parseLong(p.getProperty("samples", "0")),
            Long.parseLong(p.getProperty("steps", "0")));
    return Optional.of(new Loaded(state, ckpt.resolve(LEARNER), ckpt));
  }

  private static String required(Properties p, String key, Path ckpt) throws IOException {
    String v = p.getProperty(key);
    if (v == null) {
      throw new IOException(ckpt + ": " + STATE + " has no " + key);
    }
    return v;
  }

  private static void verify(Path ckpt, String key, Properties p, byte[] actual)
      throws IOException {
    String expected = required(p, key, ckpt);
    if (!expected.equals(HexFormat.of().formatHex(actual))) {
      throw new IOException(ckpt + ": " + key + " does not match the files (corrupt checkpoint)");
    }
  }

  private void removeAllBut(String keep) {
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      for (Path e : entries) {
        String name = e.getFileName().toString();
        if (!name.equals(keep) && (name.startsWith("ckpt-") || name.startsWith(".tmp-"))) {
          deleteTree(e);
        }
      }
    } catch (IOException | UncheckedIOException e) {
      LOG.warn("could not remove old checkpoints in {}: {}", dir, e.toString());
    }
  }

  static String chunkName(int i) {
    return String.format("chunk-%05d.avro", i);
  }

  static byte[] toBytes(ModelUpdate chunk) throws IOException {
    ByteBuffer b = chunk.toByteBuffer();
    byte[] out = new byte[b.remaining()];
    b.get(out);
    return out;
  }

  private static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      throw new IOException(
          "the file system of " + from.getParent() + " cannot rename atomically: " + e, e);
    }
  }

  private static void fsyncTree(Path root) throws IOException {
    List<Path> all;
    try (Stream<Path> s = Files.walk(root)) {
      all = new ArrayList<>(s.toList());
    }
    // files first, then directories from the deepest up, so each entry is durable before its
    // parent's listing is
    all.sort(Comparator.comparingInt(Path::getNameCount).reversed());
    for (Path p : all) {
      if (Files.isRegularFile(p)) {
        fsync(p);
      }
    }
    for (Path p : all) {
      if (Files.isDirectory(p)) {
        fsync(p);
      }
    }
  }

  private static void fsync(Path p) throws IOException {
    boolean directory = Files.isDirectory(p);
    try (FileChannel ch =
        FileChannel.open(p, directory ? StandardOpenOption.READ : StandardOpenOption.WRITE)) {
      ch.force(true);
    } catch (IOException e) {
      if (!directory) {
        throw e;
      }
      // some file systems refuse to open directories for fsync; the rename still orders writes
    }
  }

  static void deleteTree(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> s = Files.walk(root)) {
      s.sorted(Comparator.reverseOrder())
          .forEach(
              p -> {
                try {
                  Files.deleteIfExists(p);
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              });
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
