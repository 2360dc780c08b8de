package io.selfstream.trainer.views;

import java.io.IOException;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A per-record fast path around the registry serdes for one generated Avro class. Both registry
 * framings selfstream uses put a magic byte 0 and a 4-byte schema id before the Avro binary (see
 * the schemas README). The configured serde handles the first record of each schema id (so the
 * registry stays the authority for ids); when the bytes it produced or read are exactly that
 * framing around this class's own Avro binary, later records with that id are written or read
 * directly, without the serde's per-record schema fingerprinting. Anything else (another framing,
 * headers mode, an unknown id, a schema that decodes differently) always goes through the serde.
 */
final class RegistryFraming {

  private static final Logger LOG = LoggerFactory.getLogger(RegistryFraming.class);
  private static final int HEADER = 5;

  private RegistryFraming() {}

  /** Serializing side. Not thread-safe (one per task). */
  static final class Writer<T extends SpecificRecord> {
    private final Serializer<T> serde;
    private final AvroSpecificSerializer<T> avro;
    private byte[] prefix;
    private boolean disabled;

    Writer(Serializer<T> serde, Class<T> type) {
      this.serde = serde;
      this.avro = new AvroSpecificSerializer<>(type);
    }

    byte[] serialize(String topic, T value) {
      try {
        if (prefix != null) {
          return avro.toBytes(value, prefix);
        }
        byte[] framed = serde.serialize(topic, value);
        if (!disabled && framed != null) {
          byte[] body = avro.toBytes(value);
          if (framed.length == body.length + HEADER
              && framed[0] == 0
              && Arrays.equals(framed, HEADER, framed.length, body, 0, body.length)) {
            prefix = Arrays.copyOf(framed, HEADER);
            LOG.debug("{}: registry framing recognised, writing records directly", topic);
          } else {
            disabled = true;
            LOG.info("{}: serde framing not recognised; every record goes through it", topic);
          }
        }
        return framed;
      } catch (IOException e) {
        throw new IllegalStateException("cannot encode a " + value.getClass().getSimpleName(), e);
      }
    }
  }

  /** Deserializing side. Not thread-safe (one per task). */
  static final class Reader<T extends SpecificRecord> {
    private final Deserializer<T> serde;
    private final AvroSpecificSerializer<T> avro;
    private final Set<Integer> knownIds = new HashSet<>();
    private final Set<Integer> refusedIds = new HashSet<>();

    Reader(Deserializer<T> serde, Class<T> type) {
      this.serde = serde;
      this.avro = new AvroSpecificSerializer<>(type);
    }

    T deserialize(String topic, Headers headers, byte[] data) {
      if (data == null || data.length < HEADER || data[0] != 0) {
        return serde.deserialize(topic, headers, data);
      }
      int id =
          ((data[1] & 0xff) << 24)
              | ((data[2] & 0xff) << 16)
              | ((data[3] & 0xff) << 8)
              | (data[4] & 0xff);
      if (knownIds.contains(id)) {
        try {
          return avro.fromBytes(data, HEADER, data.length - HEADER, true);
        } catch (IOException | RuntimeException e) {
          throw new org.apache.kafka.common.errors.SerializationException(
              "cannot decode record with schema id " + id, e);
        }
      }
      T value = serde.deserialize(topic, headers, data);
      if (!refusedIds.contains(id) && value != null) {
        T mine;
        try {
          mine = avro.fromBytes(data, HEADER, data.length - HEADER, true);
        } catch (IOException | RuntimeException e) {
          mine = null;
        }
        if (value.equals(mine)) {
          knownIds.add(id);
          LOG.debug(
              "{}: schema id {} reads as {}, decoding directly",
              topic,
              id,
              value.getSchema().getName());
        } else {
          refusedIds.add(id);
        }
      }
      return value;
    }
  }
}
