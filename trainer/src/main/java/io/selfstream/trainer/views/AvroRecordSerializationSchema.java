package io.selfstream.trainer.views;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.util.function.SerializableFunction;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Writes a generated Avro record to a catalogue topic through the schema registry: the value
 * serializer is the one {@code SerdeFactory} names, configured with its (all-String) serde map on
 * the task; the key is the UTF-8 string {@code key} returns (source id or model name).
 */
public final class AvroRecordSerializationSchema<T extends SpecificRecord>
    implements KafkaRecordSerializationSchema<T> {

  private static final long serialVersionUID = 1L;

  private final String topic;
  private final String serializerClass;
  private final HashMap<String, String> serdeConfig;
  private final SerializableFunction<T, String> key;
  private final Class<T> type;
  private transient RegistryFraming.Writer<T> serializer;

  /**
   * @param topic topic to write
   * @param serializerClass value serializer class name ({@code SerdeFactory#valueSerializerClass})
   * @param serdeConfig serde settings ({@code SerdeFactory#serdeConfig}), all values strings
   * @param key record key of a value
   * @param type the generated class written
   */
  public AvroRecordSerializationSchema(
      String topic,
      String serializerClass,
      Map<String, String> serdeConfig,
      SerializableFunction<T, String> key,
      Class<T> type) {
    this.topic = Objects.requireNonNull(topic, "topic");
    this.serializerClass = Objects.requireNonNull(serializerClass, "serializerClass");
    this.serdeConfig = new HashMap<>(serdeConfig);
    this.key = Objects.requireNonNull(key, "key");
    this.type = Objects.requireNonNull(type, "type");
  }

  @Override
  public void open(SerializationSchema.InitializationContext context, KafkaSinkContext sinkContext)
      throws Exception {
    Serializer<T> serde = KafkaSerdes.newInstance(serializerClass, Serializer.class);
    serde.configure(new HashMap<>(serdeConfig), false);
    serializer = new RegistryFraming.Writer<>(serde, type);
  }

  @Override
  public ProducerRecord<byte[], byte[]> serialize(
      T element, KafkaSinkContext context, Long timestamp) {
    if (serializer == null) {
      throw new IllegalStateException("serialization schema used before open()");
    }
    String k = key.apply(element);
    byte[] value = serializer.serialize(topic, element);
    return new ProducerRecord<>(
        topic, null, null, k == null ? null : k.getBytes(StandardCharsets.UTF_8), value);
  }
}
