package io.selfstream.schemas.serde;

import org.apache.kafka.common.errors.SerializationException;

/**
 * A schema-registry request failed. The message names the topic, the subject or schema id, the URL
 * and the HTTP status (or the I/O error), so an operator can tell which registry refused what.
 */
public class RegistryException extends SerializationException {

  private final int status;

  public RegistryException(String message, int status) {
    super(message);
    this.status = status;
  }

  public RegistryException(String message, Throwable cause) {
    super(message, cause);
    this.status = -1;
  }

  /** HTTP status of the failed request; -1 when the registry could not be reached. */
  public int status() {
    return status;
  }
}
