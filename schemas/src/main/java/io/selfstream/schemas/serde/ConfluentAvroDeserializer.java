package io.selfstream.schemas.serde;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Avro deserializer for Confluent-framed messages (magic byte 0, 4-byte big-endian schema id, Avro
 * binary). The writer schema is fetched by id from a Confluent-API registry ({@code GET
 * /schemas/ids/{id}}, cached) and resolved against the reader schema: the configured generated
 * class's schema, so records written with an older or newer compatible schema come back as the
 * class this code was compiled with.
 */
public class ConfluentAvroDeserializer<T> implements Deserializer<T> {

  private ConfluentRegistryClient client;
  private Class<?> returnClass;
  private final Map<Integer, DatumReader<Object>> readers = new ConcurrentHashMap<>();

  /** For creation by class name; {@link #configure} must follow. */
  public ConfluentAvroDeserializer() {}

  /**
   * @param returnClass generated Avro class to read into; {@code null} = find it by the writer
   *     schema's name, else read {@code GenericRecord}s
   */
  public ConfluentAvroDeserializer(ConfluentRegistryClient client, Class<T> returnClass) {
    this.client = client;
    this.returnClass = returnClass;
  }

  @Override
  public void configure(Map<String, ?> configs, boolean isKey) {
    if (client == null || configs.containsKey(ConfluentSerdeConfig.SCHEMA_REGISTRY_URL)) {
      client =
          ConfluentRegistryClient.shared(
              ConfluentSerdeConfig.required(configs, ConfluentSerdeConfig.SCHEMA_REGISTRY_URL));
    }
    Object cls =
        configs.get(
            isKey
                ? ConfluentSerdeConfig.KEY_RETURN_CLASS
                : ConfluentSerdeConfig.VALUE_RETURN_CLASS);
    if (cls instanceof Class<?> c) {
      returnClass = c;
    } else if (cls != null && !cls.toString().isBlank()) {
      try {
        returnClass = Class.forName(cls.toString(), true, classLoader());
      } catch (ClassNotFoundException e) {
        throw new org.apache.kafka.common.config.ConfigException(
            isKey ? ConfluentSerdeConfig.KEY_RETURN_CLASS : ConfluentSerdeConfig.VALUE_RETURN_CLASS,
            cls,
            "class not found");
      }
    }
  }

  @Override
  @SuppressWarnings("unchecked")
  public T deserialize(String topic, byte[] data) {
    if (data == null || data.length == 0) {
      return null;
    }
    if (client == null) {
      throw new IllegalStateException(
          "ConfluentAvroDeserializer is not configured: set "
              + ConfluentSerdeConfig.SCHEMA_REGISTRY_URL);
    }
    if (data[0] != ConfluentSerdeConfig.MAGIC_BYTE) {
      throw new SerializationException(
          "record of topic '"
              + topic
              + "' is not Confluent-framed: first byte is "
              + (data[0] & 0xff)
              + ", expected magic byte 0");
    }
    if (data.length < ConfluentSerdeConfig.HEADER_SIZE) {
      throw new SerializationException(
          "record of topic '" + topic + "' is " + data.length + " bytes, shorter than the header");
    }
    int id =
        ((data[1] & 0xff) << 24)
            | ((data[2] & 0xff) << 16)
            | ((data[3] & 0xff) << 8)
            | (data[4] & 0xff);
    DatumReader<Object> reader = readers.get(id);
    if (reader == null) {
      reader = readerFor(topic, id);
      readers.putIfAbsent(id, reader);
    }
    try {
      return (T)
          reader.read(
              null,
              DecoderFactory.get()
                  .binaryDecoder(
                      data,
                      ConfluentSerdeConfig.HEADER_SIZE,
                      data.length - ConfluentSerdeConfig.HEADER_SIZE,
                      null));
    } catch (IOException | RuntimeException e) {
      throw new SerializationException(
          "cannot read record of topic '" + topic + "' with writer schema id " + id + ": " + e, e);
    }
  }

  private DatumReader<Object> readerFor(String topic, int id) {
    Schema writer = client.schemaById(id, topic);
    if (returnClass != null) {
      SpecificData data = SpecificData.getForClass(returnClass);
      return resolving(topic, id, writer, data.getSchema(returnClass), data);
    }
    SpecificData byName = new SpecificData(classLoader());
    if (writer.getType() == Schema.Type.RECORD && byName.getClass(writer) != null) {
      Class<?> cls = byName.getClass(writer);
      SpecificData data = SpecificData.getForClass(cls);
      return resolving(topic, id, writer, data.getSchema(cls), data);
    }
    return new GenericDatumReader<>(writer, writer, GenericData.get());
  }

  private static DatumReader<Object> resolving(
      String topic, int id, Schema writer, Schema reader, SpecificData data) {
    SchemaCompatibility.SchemaPairCompatibility compatibility =
        SchemaCompatibility.checkReaderWriterCompatibility(reader, writer);
    if (compatibility.getType() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
      throw new SerializationException(
          "topic '"
              + topic
              + "': writer schema id "
              + id
              + " ("
              + writer.getFullName()
              + ") cannot be read as "
              + reader.getFullName()
              + ": "
              + compatibility.getResult().getIncompatibilities());
    }
    return new SpecificDatumReader<>(writer, reader, data);
  }

  private static ClassLoader classLoader() {
    ClassLoader tccl = Thread.currentThread().getContextClassLoader();
    return tccl != null ? tccl : ConfluentAvroDeserializer.class.getClassLoader();
  }
}
