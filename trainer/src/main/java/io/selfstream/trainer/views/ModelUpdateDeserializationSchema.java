package io.selfstream.trainer.views;

import io.selfstream.schemas.avro.ModelUpdate;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads {@code model-updates} chunks. A record that does not decode cannot be a valid update: it is
 * logged and skipped (the teacher in place stays), never failing the job.
 */
public final class ModelUpdateDeserializationSchema
    implements KafkaRecordDeserializationSchema<ModelUpdate> {

  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(ModelUpdateDeserializationSchema.class);

  private final String deserializerClass;
  private final HashMap<String, String> serdeConfig;
  private transient RegistryFraming.Reader<ModelUpdate> deserializer;

  public ModelUpdateDeserializationSchema(
      String deserializerClass, Map<String, String> serdeConfig) {
    this.deserializerClass = deserializerClass;
    this.serdeConfig = new HashMap<>(serdeConfig);
  }

  @Override
  public void open(DeserializationSchema.InitializationContext context) throws Exception {
    Deserializer<ModelUpdate> serde =
        KafkaSerdes.newInstance(deserializerClass, Deserializer.class);
    serde.configure(new HashMap<>(serdeConfig), false);
    deserializer = new RegistryFraming.Reader<>(serde, ModelUpdate.class);
  }

  @Override
  public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<ModelUpdate> out) {
    if (record.value() == null) {
      return;
    }
    try {
      ModelUpdate update =
          deserializer.deserialize(record.topic(), record.headers(), record.value());
      if (update != null) {
        out.collect(update);
      }
    } catch (RuntimeException e) {
      LOG.warn(
          "skipping undecodable model update at {}-{}@{}: {}",
          record.topic(),
          record.partition(),
          record.offset(),
          e.toString());
    }
  }

  @Override
  public TypeInformation<ModelUpdate> getProducedType() {
    return AvroTypeInfo.forClass(ModelUpdate.class);
  }
}
