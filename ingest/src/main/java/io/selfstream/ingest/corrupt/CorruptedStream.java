package io.selfstream.ingest.corrupt;

import io.selfstream.data.FashionMnist;
import io.selfstream.data.IdxFile;
import io.selfstream.ingest.source.FrameSource;
import io.selfstream.schemas.avro.EvalLabel;
import io.selfstream.schemas.avro.FrameEncoding;
import io.selfstream.schemas.avro.RawFrame;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * The continual drifting feed: the Fashion-MNIST test split through each corruption in turn, at one
 * severity, as RAW_U8 frames of one source with seq increasing by one across domain boundaries (no
 * reset between domains).
 *
 * <p>Within a domain the images come in a seeded shuffle of the split (a different permutation per
 * corruption, the same for every severity and for any order of the domains), cut to {@code
 * limitPerDomain}. Each image's corruption is seeded from (seed, corruption, severity, image
 * index), so the same configuration always gives the same bytes, and an image under a corruption
 * looks the same whatever the order or limit. {@link CorruptedExport} writes exactly this stream.
 *
 * <p>Ground truth never travels with a frame: {@link #nextLabeled()} returns the frame with its
 * {@link EvalLabel}, and a listener set with {@link #onLabel} receives each label as {@link
 * #next()} produces the frame (so {@code FrameProducer.sendAll(stream)} can feed {@code
 * labels.eval} through it). A frame's {@code origin} is its place in the exported images file
 * ({@code fashion-mnist-c-s5-images-idx3-ubyte#1234}), never the test-split index or the domain.
 * Single-threaded, like an iterator.
 */
public final class CorruptedStream implements FrameSource {

  /** The default source id (record key) of the feed. */
  public static final String DEFAULT_SOURCE_ID = "fmnist-c";

  /**
   * What to stream.
   *
   * @param severity 1-5 for every domain
   * @param order the corruptions in stream order, each at most once
   * @param limitPerDomain images per domain; 0 = the whole test split
   * @param seed drives the shuffles and the corruptions
   * @param sourceId key and sourceId of every frame and label
   * @param startSeq seq of the first frame
   */
  public record Config(
      int severity,
      List<Corruption> order,
      int limitPerDomain,
      long seed,
      String sourceId,
      long startSeq) {

    public Config {
      Corruption.checkSeverity(severity);
      Objects.requireNonNull(order, "order");
      if (order.isEmpty()) {
        throw new IllegalArgumentException("order must name at least one corruption");
      }
      if (order.stream().anyMatch(Objects::isNull)) {
        throw new IllegalArgumentException("order must not contain null");
      }
      if (new HashSet<>(order).size() != order.size()) {
        throw new IllegalArgumentException(
            "order must list each corruption at most once: " + order);
      }
      order = List.copyOf(order);
      if (limitPerDomain < 0) {
        throw new IllegalArgumentException(
            "limitPerDomain must be >= 0 (0 = all), got " + limitPerDomain);
      }
      if (sourceId == null || sourceId.isBlank()) {
        throw new IllegalArgumentException("sourceId must not be blank");
      }
      if (startSeq < 0) {
        throw new IllegalArgumentException("startSeq must be >= 0, got " + startSeq);
      }
    }

    /** Severity 5, the ImageNet-C order, whole split, seed 0, {@code fmnist-c}, seq from 0. */
    public static Config defaults() {
      return new Config(5, Corruption.imageNetCOrder(), 0, 0L, DEFAULT_SOURCE_ID, 0);
    }

    public Config withSeverity(int severity) {
      return new Config(severity, order, limitPerDomain, seed, sourceId, startSeq);
    }

    public Config withOrder(List<Corruption> order) {
      return new Config(severity, order, limitPerDomain, seed, sourceId, startSeq);
    }

    public Config withLimitPerDomain(int limitPerDomain) {
      return new Config(severity, order, limitPerDomain, seed, sourceId, startSeq);
    }

    public Config withSeed(long seed) {
      return new Config(severity, order, limitPerDomain, seed, sourceId, startSeq);
    }

    public Config withSourceId(String sourceId) {
      return new Config(severity, order, limitPerDomain, seed, sourceId, startSeq);
    }

    public Config withStartSeq(long startSeq) {
      return new Config(severity, order, limitPerDomain, seed, sourceId, startSeq);
    }
  }

  /**
   * One domain of the stream.
   *
   * @param corruption the corruption
   * @param severity its severity
   * @param firstIndex stream position (0-based) of its first frame; its first seq is {@code
   *     startSeq + firstIndex}
   * @param count frames in the domain
   */
  public record Domain(Corruption corruption, int severity, long firstIndex, int count) {
    /** The domain's name as in {@link EvalLabel#getDomain()}: the corruption id. */
    public String name() {
      return corruption.id();
    }
  }

  private static final long SHUFFLE_STREAM = 0x53485546464c45L; // "SHUFFLE"

  private final FashionMnist data;
  private final Config config;
  private final Clock clock;
  private final int width;
  private final int height;
  private final int channels;
  private final List<Domain> domains;
  private final long total;
  private final String originPrefix;
  private Consumer<? super EvalLabel> labelListener = label -> {};
  private long position;
  private int domainIndex = -1;
  private int[] permutation;

  /**
   * @param data the split to corrupt (normally the Fashion-MNIST test split)
   * @param config what to stream
   * @param clock gives each frame's capture time
   */
  public CorruptedStream(FashionMnist data, Config config, Clock clock) {
    this.data = Objects.requireNonNull(data, "data");
    this.config = Objects.requireNonNull(config, "config");
    this.clock = Objects.requireNonNull(clock, "clock");
    IdxFile images = data.images();
    int[] dims = images.dims();
    if (dims.length != 3) {
      throw new IllegalArgumentException("images must be gray N x H x W, got rank " + dims.length);
    }
    this.height = dims[1];
    this.width = dims[2];
    this.channels = 1;
    if (data.size() == 0) {
      throw new IllegalArgumentException("no images to stream");
    }
    int perDomain =
        config.limitPerDomain() == 0 ? data.size() : Math.min(config.limitPerDomain(), data.size());
    List<Domain> list = new ArrayList<>();
    long first = 0;
    for (Corruption c : config.order()) {
      list.add(new Domain(c, config.severity(), first, perDomain));
      first += perDomain;
    }
    this.domains = List.copyOf(list);
    this.total = first;
    this.originPrefix = CorruptedExport.imagesFileName(config.severity()) + "#";
  }

  /** The stream over the Fashion-MNIST test split where the Debian package installs it. */
  public static CorruptedStream open(Config config) throws IOException {
    return new CorruptedStream(
        FashionMnist.load(FashionMnist.Split.TEST), config, Clock.systemUTC());
  }

  public Config config() {
    return config;
  }

  /** The domains in stream order with their positions and sizes. */
  public List<Domain> domains() {
    return domains;
  }

  /** Frames produced so far (the stream position of the next frame). */
  public long position() {
    return position;
  }

  public int width() {
    return width;
  }

  public int height() {
    return height;
  }

  /** Always 1: the feed is gray, like Fashion-MNIST. */
  public int channels() {
    return channels;
  }

  /**
   * Sets the listener that receives the label of each frame {@link #next()} or {@link
   * #nextLabeled()} produces, before the frame is returned. Replaces any earlier listener.
   */
  public CorruptedStream onLabel(Consumer<? super EvalLabel> listener) {
    this.labelListener = Objects.requireNonNull(listener, "listener");
    return this;
  }

  @Override
  public String sourceId() {
    return config.sourceId();
  }

  @Override
  public OptionalLong size() {
    return OptionalLong.of(total);
  }

  @Override
  public boolean hasNext() {
    return position < total;
  }

  @Override
  public RawFrame next() {
    return nextLabeled().frame();
  }

  /** The next frame with its ground truth; the label listener sees the label first. */
  public LabeledFrame nextLabeled() {
    if (!hasNext()) {
      throw new NoSuchElementException("stream of " + total + " frames is exhausted");
    }
    while (domainIndex < 0
        || position >= domains.get(domainIndex).firstIndex() + domains.get(domainIndex).count()) {
      domainIndex++;
      permutation = imageOrder(domains.get(domainIndex).corruption());
    }
    Domain domain = domains.get(domainIndex);
    long index = position;
    int imageIndex = permutation[(int) (index - domain.firstIndex())];
    byte[] pixels =
        domain
            .corruption()
            .apply(
                data.image(imageIndex),
                width,
                height,
                channels,
                domain.severity(),
                frameRandom(domain.corruption(), imageIndex));
    long seq = config.startSeq() + index;
    RawFrame frame =
        RawFrame.newBuilder()
            .setSourceId(config.sourceId())
            .setSeq(seq)
            .setCaptureTimeMs(clock.instant())
            .setEncoding(FrameEncoding.RAW_U8)
            .setWidth(width)
            .setHeight(height)
            .setChannels(channels)
            .setBytes(ByteBuffer.wrap(pixels))
            .setOrigin(originPrefix + index)
            .build();
    int label = data.label(imageIndex);
    EvalLabel evalLabel =
        EvalLabel.newBuilder()
            .setSourceId(config.sourceId())
            .setSeq(seq)
            .setLabel(label)
            .setLabelName(
                label < FashionMnist.CLASS_NAMES.size()
                    ? FashionMnist.CLASS_NAMES.get(label)
                    : null)
            .setDomain(domain.name())
            .setSeverity(domain.severity())
            .build();
    position++;
    labelListener.accept(evalLabel);
    return new LabeledFrame(frame, evalLabel, domain.corruption(), imageIndex, index);
  }

  /** The seeded permutation of the split that {@code corruption}'s domain walks through. */
  int[] imageOrder(Corruption corruption) {
    int n = data.size();
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    SplittableRandom rng =
        new SplittableRandom(mix(config.seed(), SHUFFLE_STREAM, corruption.ordinal()));
    for (int i = n - 1; i > 0; i--) {
      int j = Rand.integer(rng, 0, i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    return order;
  }

  private SplittableRandom frameRandom(Corruption corruption, int imageIndex) {
    return new SplittableRandom(
        mix(config.seed(), corruption.ordinal(), config.severity(), imageIndex));
  }

  /** A well-mixed 64-bit hash of the parts (SplitMix64's finalizer, chained). */
  static long mix(long... parts) {
    long h = 0x9E3779B97F4A7C15L;
    for (long part : parts) {
      h = splitMix(h ^ splitMix(part + 0x632BE59BD9B4E019L));
    }
    return h;
  }

  private static long splitMix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
