package io.selfstream.trainer.temporal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.selfstream.config.ConfigException;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TemporalConfigTest {

  @Test
  void overridesAreTypedAndValidatedByKey() {
    TemporalConfig c =
        TemporalConfig.withOverrides(Map.of("temporal.clipFrames", "32", "temporal.swapRate", "0"));
    assertEquals(32, c.clipFrames());
    assertFalse(c.swapTask());
    assertTrue(TemporalConfig.DEFAULT.swapTask());
    ConfigException bad =
        assertThrows(
            ConfigException.class,
            () -> TemporalConfig.withOverrides(Map.of("temporal.confidenceThreshold", "1.5")));
    assertTrue(bad.getMessage().contains("temporal.confidenceThreshold"), bad.getMessage());
    assertThrows(
        ConfigException.class,
        () -> TemporalConfig.withOverrides(Map.of("temporal.noSuchKey", "1")));
  }

  @Test
  void settingsResolveDataDirDefaultsAndRefuseANeverPublishingCadence() {
    var keys = TemporalTrainerSettings.allKeys();
    var cfg =
        io.selfstream.config.Config.load(
            keys, null, Map.of(), Map.of("temporalTrainer.publishEverySteps", "5"));
    TemporalTrainerSettings s =
        TemporalTrainerSettings.from(cfg).resolve(java.nio.file.Path.of("/data"));
    assertEquals(java.nio.file.Path.of("/data/trainer/dtgrm"), s.requireCheckpointDir());
    assertEquals(s.groupId(), s.transactionalId());
    assertEquals(5, s.publishEverySteps());
    assertThrows(
        ConfigException.class,
        () ->
            TemporalTrainerSettings.from(
                io.selfstream.config.Config.load(
                    keys,
                    null,
                    Map.of(),
                    Map.of(
                        "temporalTrainer.publishEverySteps", "0",
                        "temporalTrainer.publishEvery", "0s"))));
  }
}
