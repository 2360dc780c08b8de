package io.selfstream.schemas.serde;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericContainer;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Avro serializer that speaks the Confluent Schema Registry REST API: the record's schema is
 * registered (or looked up) under the TopicNameStrategy subject {@code <topic>-value}, and the
 * message is framed the Confluent way: magic byte 0, the 4-byte big-endian schema id, then the Avro
 * binary body. Schema ids are cached per subject and schema.
 *
 * <p>Created directly ({@link #ConfluentAvroSerializer(ConfluentRegistryClient, boolean)}) or by
 * class name and configured with {@link ConfluentSerdeConfig#SCHEMA_REGISTRY_URL} and {@link
 * ConfluentSerdeConfig#AUTO_REGISTER_SCHEMAS}.
 */
public class ConfluentAvroSerializer<T extends GenericContainer> implements Serializer<T> {

  private ConfluentRegistryClient client;
  private boolean autoRegister = true;
  private boolean isKey;
  private final Map<Schema, DatumWriter<Object>> writers = new ConcurrentHashMap<>();

  /** For creation by class name; {@link #configure} must follow. */
  public ConfluentAvroSerializer() {}

  public ConfluentAvroSerializer(ConfluentRegistryClient client, boolean autoRegister) {
    this.client = client;
    this.autoRegister = autoRegister;
  }

  @Override
  public void configure(Map<String, ?> configs, boolean isKey) {
    this.isKey = isKey;
    if (client == null || configs.containsKey(ConfluentSerdeConfig.SCHEMA_REGISTRY_URL)) {
      client =
          ConfluentRegistryClient.shared(
              ConfluentSerdeConfig.required(configs, ConfluentSerdeConfig.SCHEMA_REGISTRY_URL));
    }
    autoRegister =
        ConfluentSerdeConfig.bool(
            configs, ConfluentSerdeConfig.AUTO_REGISTER_SCHEMAS, autoRegister);
  }

  @Override
  public byte[] serialize(String topic, T data) {
    if (data == null) {
      return null;
    }
    if (client == null) {
      throw new IllegalStateException(
          "ConfluentAvroSerializer is not configured: set "
              + ConfluentSerdeConfig.SCHEMA_REGISTRY_URL);
    }
    Schema schema = data.getSchema();
    String subject = ConfluentRegistryClient.subject(topic, isKey);
    int id = client.idFor(topic, subject, schema, autoRegister);
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    out.write(ConfluentSerdeConfig.MAGIC_BYTE);
    out.write(id >>> 24);
    out.write(id >>> 16);
    out.write(id >>> 8);
    out.write(id);
    try {
      BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
      writerFor(data).write(data, encoder);
      encoder.flush();
    } catch (IOException | RuntimeException e) {
      throw new SerializationException(
          "cannot write "
              + schema.getFullName()
              + " for topic '"
              + topic
              + "' (subject '"
              + subject
              + "', schema id "
              + id
              + "): "
              + e.getMessage(),
          e);
    }
    return out.toByteArray();
  }

  private DatumWriter<Object> writerFor(T data) {
    Schema schema = data.getSchema();
    return writers.computeIfAbsent(
        schema,
        s ->
            data instanceof SpecificRecord
                ? new SpecificDatumWriter<>(s, SpecificData.getForClass(data.getClass()))
                : new GenericDatumWriter<>(s, GenericData.get()));
  }
}
