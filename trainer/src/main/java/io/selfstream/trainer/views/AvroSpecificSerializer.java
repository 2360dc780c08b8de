package io.selfstream.trainer.views;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Objects;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Flink serializer for a generated Avro class: length-prefixed Avro binary of the class's own
 * schema (no registry on the wire between operators), so no record type falls back to Kryo. {@code
 * flink-avro} is not available from our mirror for Flink 2.1.0; this covers what the job needs.
 *
 * <p>State written with it can be read back by a build whose generated class has the same schema; a
 * changed schema is reported as incompatible (the job's own state holds bytes, not these types).
 */
public final class AvroSpecificSerializer<T extends SpecificRecord> extends TypeSerializer<T> {

  private static final long serialVersionUID = 1L;

  private final Class<T> type;
  private transient Schema schema;
  private transient SpecificDatumWriter<T> writer;
  private transient SpecificDatumReader<T> reader;
  private transient ByteArrayOutputStream buffer;
  private transient BinaryEncoder encoder;
  private transient BinaryDecoder decoder;
  private transient SpecificData data;

  public AvroSpecificSerializer(Class<T> type) {
    this.type = Objects.requireNonNull(type, "type");
  }

  public Class<T> type() {
    return type;
  }

  private void init() {
    if (writer == null) {
      data = SpecificData.getForClass(type);
      schema = data.getSchema(type);
      writer = new SpecificDatumWriter<>(schema, data);
      reader = new SpecificDatumReader<>(schema, schema, data);
      buffer = new ByteArrayOutputStream(1024);
    }
  }

  /** Avro binary of {@code value} (no length prefix). */
  public byte[] toBytes(T value) throws IOException {
    init();
    buffer.reset();
    encoder = EncoderFactory.get().directBinaryEncoder(buffer, encoder);
    writer.write(value, encoder);
    encoder.flush();
    return buffer.toByteArray();
  }

  /** {@code prefix} followed by the Avro binary of {@code value}, in one array. */
  public byte[] toBytes(T value, byte[] prefix) throws IOException {
    init();
    buffer.reset();
    buffer.write(prefix);
    encoder = EncoderFactory.get().directBinaryEncoder(buffer, encoder);
    writer.write(value, encoder);
    encoder.flush();
    return buffer.toByteArray();
  }

  /** Reads what {@link #toBytes} wrote. */
  public T fromBytes(byte[] bytes) throws IOException {
    return fromBytes(bytes, 0, bytes.length, false);
  }

  /**
   * Reads Avro binary from {@code bytes[offset, offset + length)}; with {@code exact}, fails unless
   * the record uses every byte.
   */
  public T fromBytes(byte[] bytes, int offset, int length, boolean exact) throws IOException {
    init();
    decoder = DecoderFactory.get().binaryDecoder(bytes, offset, length, decoder);
    T value = reader.read(null, decoder);
    if (exact && !decoder.isEnd()) {
      throw new IOException("bytes left after the record");
    }
    return value;
  }

  @Override
  public boolean isImmutableType() {
    return false;
  }

  @Override
  public TypeSerializer<T> duplicate() {
    return new AvroSpecificSerializer<>(type);
  }

  @Override
  public T createInstance() {
    init();
    @SuppressWarnings("unchecked")
    T instance = (T) data.newRecord(null, schema);
    return instance;
  }

  @Override
  public T copy(T from) {
    if (from == null) {
      return null;
    }
    init();
    return data.deepCopy(schema, from);
  }

  @Override
  public T copy(T from, T reuse) {
    return copy(from);
  }

  @Override
  public int getLength() {
    return -1;
  }

  @Override
  public void serialize(T record, DataOutputView target) throws IOException {
    byte[] bytes = toBytes(record);
    target.writeInt(bytes.length);
    target.write(bytes);
  }

  @Override
  public T deserialize(DataInputView source) throws IOException {
    int length = source.readInt();
    byte[] bytes = new byte[length];
    source.readFully(bytes);
    return fromBytes(bytes);
  }

  @Override
  public T deserialize(T reuse, DataInputView source) throws IOException {
    return deserialize(source);
  }

  @Override
  public void copy(DataInputView source, DataOutputView target) throws IOException {
    int length = source.readInt();
    target.writeInt(length);
    target.write(source, length);
  }

  @Override
  public boolean equals(Object obj) {
    return obj instanceof AvroSpecificSerializer<?> other && other.type.equals(type);
  }

  @Override
  public int hashCode() {
    return type.hashCode();
  }

  @Override
  public TypeSerializerSnapshot<T> snapshotConfiguration() {
    return new Snapshot<>(type);
  }

  /** Records the class and its schema; the same schema restores as-is. */
  public static final class Snapshot<T extends SpecificRecord>
      implements TypeSerializerSnapshot<T> {

    private Class<T> type;
    private String schemaJson;

    /** For Flink's reflective instantiation. */
    public Snapshot() {}

    Snapshot(Class<T> type) {
      this.type = type;
      this.schemaJson = SpecificData.getForClass(type).getSchema(type).toString();
    }

    @Override
    public int getCurrentVersion() {
      return 1;
    }

    @Override
    public void writeSnapshot(DataOutputView out) throws IOException {
      out.writeUTF(type.getName());
      byte[] json = schemaJson.getBytes(java.nio.charset.StandardCharsets.UTF_8);
      out.writeInt(json.length);
      out.write(json);
    }

    @Override
    @SuppressWarnings("unchecked")
    public void readSnapshot(int readVersion, DataInputView in, ClassLoader classLoader)
        throws IOException {
      String className = in.readUTF();
      byte[] json = new byte[in.readInt()];
      in.readFully(json);
      schemaJson = new String(json, java.nio.charset.StandardCharsets.UTF_8);
      try {
        type = (Class<T>) Class.forName(className, false, classLoader);
      } catch (ClassNotFoundException e) {
        throw new IOException("cannot load Avro class " + className, e);
      }
    }

    @Override
    public TypeSerializer<T> restoreSerializer() {
      return new AvroSpecificSerializer<>(type);
    }

    @Override
    public TypeSerializerSchemaCompatibility<T> resolveSchemaCompatibility(
        TypeSerializerSnapshot<T> oldSnapshot) {
      if (oldSnapshot instanceof Snapshot<T> old
          && old.type != null
          && old.type.getName().equals(type.getName())
          && Objects.equals(old.schemaJson, schemaJson)) {
        return TypeSerializerSchemaCompatibility.compatibleAsIs();
      }
      return TypeSerializerSchemaCompatibility.incompatible();
    }
  }
}
