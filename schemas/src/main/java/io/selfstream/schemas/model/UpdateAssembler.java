package io.selfstream.schemas.model;

import io.selfstream.schemas.avro.ModelUpdate;
import io.selfstream.schemas.avro.UpdateKind;
import io.selfstream.schemas.model.UpdateRejected.Reason;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consumer side of the model-update codec: feed it every {@link ModelUpdate} record of the {@code
 * model-updates} topic (in any chunk order) and it hands out a {@link ModelVersion} only when
 *
 * <ol>
 *   <li>the version's header is signed (Ed25519) by a trusted public key — checked on its first
 *       chunk, so forged or unsigned updates are never buffered;
 *   <li>all chunks arrived with identical headers, and their bytes add up to the signed size and
 *       SHA-256;
 *   <li>the version is newer than the one held, and a DELTA names the held version as its parent;
 *   <li>the payload decodes (a FULL's parameters; a DELTA applies to the held parameters).
 * </ol>
 *
 * Anything else is rejected with an {@link UpdateRejected.Reason}, reported to the {@link
 * UpdateListener} and counted, and the last good version stays the one served. Memory is bounded:
 * at most {@link Limits#maxPendingVersions()} partially assembled versions and {@link
 * Limits#maxPendingBytes()} buffered bytes; versions without progress for {@link
 * Limits#staleAfter()} are evicted (as {@code TORN}), as are versions a newer accepted one
 * supersedes.
 *
 * <p>One assembler serves one model; records of other models are skipped (counted as ignored).
 * Thread-safe (synchronized); normally one consumer thread feeds it.
 */
public final class UpdateAssembler {

  private static final Logger LOG = LoggerFactory.getLogger(UpdateAssembler.class);

  /** Most chunks one version may have (bounds the per-version bookkeeping). */
  public static final int MAX_CHUNKS = 1 << 16;

  /**
   * Memory and time bounds.
   *
   * @param maxPendingVersions partially assembled versions kept at once (oldest evicted first)
   * @param maxPendingBytes payload bytes buffered across them
   * @param maxPayloadBytes largest payload a version may claim
   * @param staleAfter a partial version with no new chunk for this long is evicted
   */
  public record Limits(
      int maxPendingVersions, long maxPendingBytes, long maxPayloadBytes, Duration staleAfter) {

    /** 4 versions, 512 MiB buffered, 1 GiB per payload, 2 minutes. */
    public static final Limits DEFAULTS =
        new Limits(4, 512L << 20, 1L << 30, Duration.ofMinutes(2));

    public Limits {
      if (maxPendingVersions < 1 || maxPendingBytes < 1 || maxPayloadBytes < 1) {
        throw new IllegalArgumentException("limits must be >= 1");
      }
      Objects.requireNonNull(staleAfter, "staleAfter");
      if (staleAfter.isNegative() || staleAfter.isZero()) {
        throw new IllegalArgumentException("staleAfter must be positive");
      }
    }
  }

  private final String model;
  private final Map<String, PublicKey> trustedKeys;
  private final Limits limits;
  private final UpdateListener listener;
  private final Clock clock;

  private ModelVersion current;
  private final TreeMap<Long, Pending> pending = new TreeMap<>();
  private long pendingBytes;
  private long accepted;
  private long ignored;
  private final EnumMap<Reason, Long> rejected = new EnumMap<>(Reason.class);

  public UpdateAssembler(String model, Collection<PublicKey> trustedKeys) {
    this(model, trustedKeys, Limits.DEFAULTS, UpdateListener.LOGGING, Clock.systemUTC());
  }

  public UpdateAssembler(String model, Collection<PublicKey> trustedKeys, UpdateListener listener) {
    this(model, trustedKeys, Limits.DEFAULTS, listener, Clock.systemUTC());
  }

  public UpdateAssembler(
      String model,
      Collection<PublicKey> trustedKeys,
      Limits limits,
      UpdateListener listener,
      Clock clock) {
    if (model == null || model.isBlank()) {
      throw new IllegalArgumentException("model name must not be blank");
    }
    this.model = model;
    Map<String, PublicKey> keys = new LinkedHashMap<>();
    for (PublicKey key : trustedKeys) {
      keys.put(SigningKeys.keyId(key), key);
    }
    if (keys.isEmpty()) {
      throw new IllegalArgumentException("at least one trusted public key is needed");
    }
    this.trustedKeys = Map.copyOf(keys);
    this.limits = Objects.requireNonNull(limits, "limits");
    this.listener = listener == null ? new UpdateListener() {} : listener;
    this.clock = Objects.requireNonNull(clock, "clock");
    for (Reason r : Reason.values()) {
      rejected.put(r, 0L);
    }
  }

  public String model() {
    return model;
  }

  /** The version served now, if any. */
  public synchronized Optional<ModelVersion> current() {
    return Optional.ofNullable(current);
  }

  /** The version number served now, 0 when none. */
  public synchronized long currentVersion() {
    return current == null ? 0 : current.version();
  }

  /**
   * Starts from a version the caller already trusts (e.g. restored from its own checkpoint),
   * replacing the one held and dropping partial versions it supersedes.
   */
  public synchronized void restore(ModelVersion version) {
    if (!model.equals(version.model())) {
      throw new IllegalArgumentException("version of model " + version.model() + ", not " + model);
    }
    current = version;
    dropSupersededPending();
  }

  public synchronized UpdateCounters counters() {
    return new UpdateCounters(
        accepted, ignored, rejected, pending.size(), pendingBytes, currentVersion());
  }

  /**
   * Takes one record of the {@code model-updates} topic.
   *
   * @return the newly accepted version when this chunk completed a valid one; empty otherwise
   *     (incomplete, rejected, or another model's)
   */
  public synchronized Optional<ModelVersion> accept(ModelUpdate chunk) {
    evictStale();
    if (chunk == null || !model.equals(chunk.getModel())) {
      ignored++;
      return Optional.empty();
    }
    long version = chunk.getVersion();
    int index = chunk.getChunkIndex();

    String malformed = malformedHeader(chunk);
    if (malformed != null) {
      return reject(version, index, Reason.MALFORMED, malformed);
    }
    if (chunk.getPayloadSize() > Math.min(limits.maxPayloadBytes(), limits.maxPendingBytes())) {
      return rejectTooLarge(version, index, chunk.getPayloadSize());
    }
    if (chunk.getSignature() == null || !chunk.getSignature().hasRemaining()) {
      return reject(version, index, Reason.UNSIGNED, "update is not signed");
    }
    long held = currentVersion();
    if (version == held) {
      return reject(version, index, Reason.REPLAYED, "version " + version + " is already held");
    }
    if (version < held) {
      return reject(
          version, index, Reason.OLDER, "version " + version + " is older than held " + held);
    }
    if (chunk.getKind() == UpdateKind.DELTA && chunk.getParentVersion() < held) {
      return reject(
          version,
          index,
          Reason.OUT_OF_ORDER,
          "DELTA to parent " + chunk.getParentVersion() + " but version " + held + " is held");
    }

    Header header = Header.of(chunk);
    Pending p = pending.get(version);
    if (p == null) {
      Optional<ModelVersion> refused = authenticate(header, version, index);
      if (refused != null) {
        return refused;
      }
      makeRoomForVersion(version);
      p = new Pending(header, clock.instant());
      pending.put(version, p);
    } else {
      String difference = p.header.differenceTo(header);
      if (difference != null) {
        return reject(
            version,
            index,
            Reason.TORN,
            "chunk header inconsistent with earlier chunks: " + difference);
      }
    }

    byte[] bytes = toArray(chunk.getPayload());
    byte[] existing = p.chunks[index];
    if (existing != null) {
      return Arrays.equals(existing, bytes)
          ? reject(version, index, Reason.REPLAYED, "duplicate delivery of chunk " + index)
          : reject(version, index, Reason.TORN, "conflicting bytes for chunk " + index);
    }
    if (p.bytes + bytes.length > header.payloadSize) {
      dropPending(version);
      return reject(
          version,
          index,
          Reason.TORN,
          "chunks carry more than the signed payload size " + header.payloadSize);
    }
    p.chunks[index] = bytes;
    p.received++;
    p.bytes += bytes.length;
    p.lastChunkAt = clock.instant();
    pendingBytes += bytes.length;
    enforceByteBound(version);
    if (!pending.containsKey(version)) {
      return Optional.empty(); // evicted itself: reported by enforceByteBound
    }
    if (p.received < header.chunkCount) {
      return Optional.empty();
    }
    dropPending(version);
    return complete(version, p);
  }

  /**
   * Evicts partial versions that saw no chunk for {@link Limits#staleAfter()}, reporting each as
   * {@code TORN}. {@link #accept} calls this too; call it from an idle poll loop as well.
   *
   * @return versions evicted
   */
  public synchronized int evictStale() {
    Instant cutoff = clock.instant().minus(limits.staleAfter());
    int evicted = 0;
    for (Iterator<Map.Entry<Long, Pending>> it = pending.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<Long, Pending> e = it.next();
      Pending p = e.getValue();
      if (p.lastChunkAt.isBefore(cutoff)) {
        it.remove();
        pendingBytes -= p.bytes;
        evicted++;
        report(
            e.getKey(),
            -1,
            Reason.TORN,
            "incomplete after "
                + limits.staleAfter().toSeconds()
                + " s without a new chunk, evicted; "
                + p.describeMissing());
      }
    }
    return evicted;
  }

  // ---------------------------------------------------------------------------------------------

  private Optional<ModelVersion> complete(long version, Pending p) {
    Header h = p.header;
    byte[] payload = new byte[Math.toIntExact(h.payloadSize)];
    int at = 0;
    for (byte[] c : p.chunks) {
      System.arraycopy(c, 0, payload, at, c.length);
      at += c.length;
    }
    if (at != h.payloadSize) {
      return reject(
          version,
          -1,
          Reason.TORN,
          "chunks add up to " + at + " bytes, signed size " + h.payloadSize);
    }
    byte[] hash = UpdateSignature.sha256(payload);
    if (!MessageDigest.isEqual(hash, h.sha256)) {
      return reject(
          version,
          -1,
          Reason.TAMPERED,
          "payload SHA-256 "
              + HexFormat.of().formatHex(hash)
              + " differs from the signed "
              + HexFormat.of().formatHex(h.sha256));
    }
    long held = currentVersion();
    if (version <= held) { // a newer version completed while this one was assembling
      return reject(
          version,
          -1,
          version == held ? Reason.REPLAYED : Reason.OLDER,
          "version " + version + " completed after version " + held + " was accepted");
    }
    ModelParameters parameters;
    try {
      if (h.kind == UpdateKind.FULL && ModelParameters.FORMAT.equals(h.format)) {
        parameters = ModelParameters.fromBytes(payload);
      } else if (h.kind == UpdateKind.DELTA && TernaryDelta.FORMAT.equals(h.format)) {
        if (current == null) {
          return reject(
              version,
              -1,
              Reason.OUT_OF_ORDER,
              "DELTA to parent "
                  + h.parentVersion
                  + " but no version is held yet (waiting for a FULL)");
        }
        if (h.parentVersion != held) {
          return reject(
              version,
              -1,
              Reason.OUT_OF_ORDER,
              "DELTA to parent " + h.parentVersion + " but version " + held + " is held");
        }
        parameters = TernaryDelta.apply(current.parameters(), payload);
      } else {
        return reject(
            version,
            -1,
            Reason.UNSUPPORTED_FORMAT,
            "cannot decode a " + h.kind + " update in format '" + h.format + "'");
      }
    } catch (IllegalArgumentException e) {
      return reject(version, -1, Reason.MALFORMED, e.getMessage());
    }
    ModelVersion accepted =
        new ModelVersion(
            model,
            version,
            h.parentVersion,
            h.kind,
            h.format,
            parameters,
            HexFormat.of().formatHex(hash),
            h.keyId,
            h.createdAt,
            h.metrics,
            payload.length);
    current = accepted;
    this.accepted++;
    dropSupersededPending();
    try {
      listener.accepted(accepted);
    } catch (RuntimeException e) {
      LOG.warn("update listener failed on accepted {} v{}", model, version, e);
    }
    return Optional.of(accepted);
  }

  /** Verifies the signature of a version's header; null when it is trusted, else the rejection. */
  private Optional<ModelVersion> authenticate(Header h, long version, int index) {
    byte[] message =
        UpdateSignature.message(
            model,
            h.version,
            h.parentVersion,
            h.kind,
            h.chunkCount,
            h.payloadSize,
            h.format,
            h.sha256);
    PublicKey named = trustedKeys.get(h.keyId);
    if (named != null && UpdateSignature.verify(named, message, h.signature)) {
      return null;
    }
    for (Map.Entry<String, PublicKey> e : trustedKeys.entrySet()) {
      if (!e.getKey().equals(h.keyId)
          && UpdateSignature.verify(e.getValue(), message, h.signature)) {
        return null; // signed by a trusted key under a stale/missing key id
      }
    }
    if (named != null) {
      return reject(
          version,
          index,
          Reason.BAD_SIGNATURE,
          "signature does not verify with trusted key " + h.keyId + ": header or hash altered");
    }
    return reject(
        version,
        index,
        Reason.WRONG_KEY,
        "signed by key '"
            + h.keyId
            + "', which is not trusted (trusted: "
            + trustedKeys.keySet()
            + ")");
  }

  private static String malformedHeader(ModelUpdate c) {
    if (c.getVersion() < 1) {
      return "version " + c.getVersion() + " < 1";
    }
    if (c.getKind() == null) {
      return "no kind";
    }
    if (c.getParentVersion() < 0 || c.getParentVersion() >= c.getVersion()) {
      return "parent " + c.getParentVersion() + " not in [0, version)";
    }
    if (c.getKind() == UpdateKind.DELTA && c.getParentVersion() < 1) {
      return "DELTA without a parent version";
    }
    if (c.getChunkCount() < 1 || c.getChunkIndex() < 0 || c.getChunkIndex() >= c.getChunkCount()) {
      return "chunk " + c.getChunkIndex() + " of " + c.getChunkCount();
    }
    if (c.getPayloadSize() < 0 || c.getPayloadSize() > Integer.MAX_VALUE - 16) {
      return "payload size " + c.getPayloadSize();
    }
    if (c.getChunkCount() > MAX_CHUNKS || c.getChunkCount() > Math.max(1, c.getPayloadSize())) {
      return c.getChunkCount() + " chunks for " + c.getPayloadSize() + " bytes";
    }
    if (c.getPayloadSha256() == null || c.getPayloadSha256().remaining() != 32) {
      return "payload SHA-256 is not 32 bytes";
    }
    if (c.getPayload() == null) {
      return "no payload";
    }
    if (c.getFormat() == null || c.getFormat().isBlank()) {
      return "no format";
    }
    return null;
  }

  private Optional<ModelVersion> rejectTooLarge(long version, int index, long size) {
    return reject(
        version,
        index,
        Reason.MALFORMED,
        "payload of "
            + size
            + " bytes exceeds the limit "
            + Math.min(limits.maxPayloadBytes(), limits.maxPendingBytes()));
  }

  private void makeRoomForVersion(long version) {
    while (pending.size() >= limits.maxPendingVersions()) {
      // evict the partial version that progressed least recently
      Map.Entry<Long, Pending> oldest = null;
      for (Map.Entry<Long, Pending> e : pending.entrySet()) {
        if (oldest == null || e.getValue().lastChunkAt.isBefore(oldest.getValue().lastChunkAt)) {
          oldest = e;
        }
      }
      dropPending(oldest.getKey());
      report(
          oldest.getKey(),
          -1,
          Reason.TORN,
          "evicted incomplete to make room for version "
              + version
              + " (max "
              + limits.maxPendingVersions()
              + " partial versions); "
              + oldest.getValue().describeMissing());
    }
  }

  private void enforceByteBound(long newest) {
    while (pendingBytes > limits.maxPendingBytes() && !pending.isEmpty()) {
      // evict other partial versions first (oldest version first), this one last
      Long victim = null;
      for (Long v : pending.keySet()) {
        if (v != newest) {
          victim = v;
          break;
        }
      }
      if (victim == null) {
        victim = newest;
      }
      Pending p = pending.get(victim);
      dropPending(victim);
      report(
          victim,
          -1,
          Reason.TORN,
          "evicted incomplete: buffered chunks exceed "
              + limits.maxPendingBytes()
              + " bytes; "
              + p.describeMissing());
    }
  }

  private void dropSupersededPending() {
    long held = currentVersion();
    while (!pending.isEmpty() && pending.firstKey() <= held) {
      long v = pending.firstKey();
      Pending p = pending.get(v);
      dropPending(v);
      report(
          v,
          -1,
          Reason.TORN,
          "superseded by version " + held + " before complete; " + p.describeMissing());
    }
  }

  private void dropPending(long version) {
    Pending p = pending.remove(version);
    if (p != null) {
      pendingBytes -= p.bytes;
    }
  }

  private Optional<ModelVersion> reject(long version, int index, Reason reason, String message) {
    report(version, index, reason, message);
    return Optional.empty();
  }

  private void report(long version, int index, Reason reason, String message) {
    rejected.merge(reason, 1L, Long::sum);
    try {
      listener.rejected(new UpdateRejected(model, version, index, reason, message));
    } catch (RuntimeException e) {
      LOG.warn("update listener failed on a rejection of {} v{}", model, version, e);
    }
  }

  private static byte[] toArray(ByteBuffer buffer) {
    ByteBuffer b = buffer.duplicate();
    byte[] out = new byte[b.remaining()];
    b.get(out);
    return out;
  }

  /** The header fields every chunk of a version must share. */
  private record Header(
      long version,
      long parentVersion,
      UpdateKind kind,
      int chunkCount,
      long payloadSize,
      byte[] sha256,
      byte[] signature,
      String keyId,
      String format,
      Instant createdAt,
      Map<String, Double> metrics) {

    static Header of(ModelUpdate c) {
      return new Header(
          c.getVersion(),
          c.getParentVersion(),
          c.getKind(),
          c.getChunkCount(),
          c.getPayloadSize(),
          toArray(c.getPayloadSha256()),
          toArray(c.getSignature()),
          c.getKeyId() == null ? "" : c.getKeyId(),
          c.getFormat(),
          c.getCreatedAtMs(),
          c.getMetrics() == null ? Map.of() : Map.copyOf(c.getMetrics()));
    }

    /** The first signed field that differs, or null. */
    String differenceTo(Header o) {
      List<String> diffs = new ArrayList<>();
      if (parentVersion != o.parentVersion) {
        diffs.add("parentVersion " + parentVersion + " vs " + o.parentVersion);
      }
      if (kind != o.kind) {
        diffs.add("kind " + kind + " vs " + o.kind);
      }
      if (chunkCount != o.chunkCount) {
        diffs.add("chunkCount " + chunkCount + " vs " + o.chunkCount);
      }
      if (payloadSize != o.payloadSize) {
        diffs.add("payloadSize " + payloadSize + " vs " + o.payloadSize);
      }
      if (!Arrays.equals(sha256, o.sha256)) {
        diffs.add("payloadSha256");
      }
      if (!Arrays.equals(signature, o.signature)) {
        diffs.add("signature");
      }
      if (!format.equals(o.format)) {
        diffs.add("format " + format + " vs " + o.format);
      }
      return diffs.isEmpty() ? null : String.join(", ", diffs);
    }
  }

  private static final class Pending {
    final Header header;
    final byte[][] chunks;
    int received;
    long bytes;
    Instant lastChunkAt;

    Pending(Header header, Instant now) {
      this.header = header;
      this.chunks = new byte[header.chunkCount][];
      this.lastChunkAt = now;
    }

    String describeMissing() {
      List<Integer> missing = new ArrayList<>();
      for (int i = 0; i < chunks.length && missing.size() < 10; i++) {
        if (chunks[i] == null) {
          missing.add(i);
        }
      }
      int count = chunks.length - received;
      return "missing "
          + count
          + " of "
          + chunks.length
          + " chunks "
          + missing
          + (count > missing.size() ? "..." : "");
    }
  }
}
