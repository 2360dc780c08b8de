package io.selfstream.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;

import io.apicurio.registry.rest.client.models.RuleViolationProblemDetails;
import java.io.IOException;
import org.junit.jupiter.api.Test;

class ApicurioAvroSerializerTest {

  @Test
  void onlyTheRegistrysConflictingCreateIsRetried() {
    // what the resolver throws when another producer created the same schema a moment earlier
    assertThat(
            ApicurioAvroSerializer.isConcurrentCreateConflict(
                new RuntimeException(new RuleViolationProblemDetails())))
        .isTrue();
    assertThat(
            ApicurioAvroSerializer.isConcurrentCreateConflict(
                new IllegalStateException(
                    "wrapped", new RuntimeException(new RuleViolationProblemDetails()))))
        .isTrue();
    assertThat(
            ApicurioAvroSerializer.isConcurrentCreateConflict(
                new RuntimeException(new IOException("connection refused"))))
        .isFalse();
    assertThat(ApicurioAvroSerializer.isConcurrentCreateConflict(new IllegalArgumentException()))
        .isFalse();
  }
}
