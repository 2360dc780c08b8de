package io.selfstream.schemas.serde;

import com.microsoft.kiota.ApiException;
import io.apicurio.registry.serde.avro.AvroKafkaSerializer;
import org.apache.kafka.common.header.Headers;

/**
 * Apicurio's Avro serializer, retrying the first use of a schema when the registry refused it as a
 * conflicting concurrent create.
 *
 * <p>Several producers that auto-register the same new schema at the same moment (the normalizer's
 * first dead letter and a video feed's first frame, say) race in the registry: one create wins and
 * the others get a rule violation (HTTP 409), which Apicurio's resolver does not retry and which
 * kills a Kafka Streams thread. Retrying after a short back-off finds the version the winner
 * created. Other errors are not retried.
 */
public class ApicurioAvroSerializer<T> extends AvroKafkaSerializer<T> {

  /** Attempts in all; back-off 50, 100, 200, 400 ms between them. */
  static final int ATTEMPTS = 5;

  @Override
  public byte[] serialize(String topic, T data) {
    for (int attempt = 1; ; attempt++) {
      try {
        return super.serialize(topic, data);
      } catch (RuntimeException e) {
        backOffOrThrow(e, attempt);
      }
    }
  }

  @Override
  public byte[] serialize(String topic, Headers headers, T data) {
    for (int attempt = 1; ; attempt++) {
      try {
        return super.serialize(topic, headers, data);
      } catch (RuntimeException e) {
        backOffOrThrow(e, attempt);
      }
    }
  }

  private static void backOffOrThrow(RuntimeException e, int attempt) {
    if (attempt >= ATTEMPTS || !isConcurrentCreateConflict(e)) {
      throw e;
    }
    try {
      Thread.sleep(50L << (attempt - 1));
    } catch (InterruptedException interrupted) {
      Thread.currentThread().interrupt();
      throw e;
    }
  }

  /** Whether {@code t} (or a cause) is the registry's answer to a conflicting create. */
  static boolean isConcurrentCreateConflict(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (c.getClass().getSimpleName().equals("RuleViolationProblemDetails")) {
        return true;
      }
      if (c instanceof ApiException api && api.getResponseStatusCode() == 409) {
        return true;
      }
    }
    return false;
  }
}
