package io.selfstream.trainer.views;

import io.selfstream.schemas.TopicSpec;
import io.selfstream.schemas.serde.SerdeFactory;
import java.util.LinkedHashMap;
import java.util.Map;

/** Serializable serde settings for Kafka clients created on Flink tasks. */
final class KafkaSerdes {

  private KafkaSerdes() {}

  /** {@code map} with every value as a string (SerdeFactory's maps already are). */
  static Map<String, String> strings(Map<String, Object> map) {
    Map<String, String> out = new LinkedHashMap<>();
    map.forEach((k, v) -> out.put(k, v instanceof Class<?> c ? c.getName() : String.valueOf(v)));
    return out;
  }

  /** Serde settings for reading {@code topic} (includes the return class for Confluent serdes). */
  static Map<String, String> consumerSerdeConfig(SerdeFactory serdes, TopicSpec<?> topic) {
    return strings(serdes.consumerConfig(topic));
  }

  static <T> T newInstance(String className, Class<?> expected)
      throws ReflectiveOperationException {
    ClassLoader loader = Thread.currentThread().getContextClassLoader();
    Class<?> cls =
        Class.forName(
            className, true, loader != null ? loader : KafkaSerdes.class.getClassLoader());
    if (!expected.isAssignableFrom(cls)) {
      throw new IllegalArgumentException(className + " is not a " + expected.getName());
    }
    @SuppressWarnings("unchecked")
    T instance = (T) cls.getDeclaredConstructor().newInstance();
    return instance;
  }
}
