package io.selfstream.ops.pipeline;

import io.selfstream.config.ClientSettings;
import io.selfstream.config.Config;
import io.selfstream.graphreasoning.live.LiveSegmentationSettings;
import io.selfstream.ingest.normalize.NormalizerSettings;
import io.selfstream.schemas.model.SigningKeys;
import io.selfstream.trainer.adapt.AdaptationMethod;
import io.selfstream.trainer.consumer.EncoderTrainerSettings;
import io.selfstream.trainer.encoder.EncoderConfig;
import io.selfstream.trainer.temporal.TemporalConfig;
import io.selfstream.trainer.temporal.TemporalTrainerSettings;
import io.selfstream.trainer.views.ViewsJobSettings;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Settings of the services the demo and the adaptation benchmark run in one JVM against their own
 * embedded stack, all under one work directory: each built through the same typed config as the
 * service commands, from the stack's client settings plus the few keys a local run pins.
 */
public final class LocalPipeline {

  private final ClientSettings client;
  private final Path workDir;

  public LocalPipeline(ClientSettings client, Path workDir) {
    this.client = client;
    this.workDir = workDir;
  }

  /** The signing key pair's public half, as the views job reads it. */
  public Path publicKeyFile() {
    return workDir.resolve("keys").resolve(SigningKeys.PUBLIC_KEY_FILE);
  }

  public NormalizerSettings normalizer() {
    return NormalizerSettings.from(
        Config.load(
            NormalizerSettings.KEYS,
            null,
            Map.of(),
            Map.of(NormalizerSettings.STATE_DIR.name(), workDir.resolve("streams").toString())));
  }

  /**
   * The views job with {@code encoder}'s architecture on the CPU, checkpointing under the work dir
   * and trusting its key; {@code extra} sets further {@code views.*} keys.
   */
  public ViewsJobSettings views(EncoderConfig encoder, Map<String, String> extra) {
    Map<String, String> o = clientOverrides();
    o.put(ViewsJobSettings.ENCODER.name(), ViewsJobSettings.encoderSpec(encoder));
    o.put(ViewsJobSettings.CHECKPOINT_DIR.name(), workDir.resolve("checkpoints").toString());
    o.put(ViewsJobSettings.TRUSTED_KEYS.name(), publicKeyFile().toString());
    o.put(ViewsJobSettings.DEVICE.name(), "cpu");
    o.putAll(extra);
    return ViewsJobSettings.from(Config.load(ViewsJobSettings.allKeys(), null, Map.of(), o));
  }

  /**
   * An encoder trainer of {@code method} on the CPU, resolved against the work dir; {@code extra}
   * sets further {@code trainer.*} keys.
   */
  public EncoderTrainerSettings trainer(
      AdaptationMethod method,
      int batchSize,
      int publishEverySteps,
      int fullEvery,
      Map<String, String> extra) {
    Map<String, String> o = clientOverrides();
    o.put(EncoderTrainerSettings.METHOD.name(), method.id());
    o.put(EncoderTrainerSettings.BATCH_SIZE.name(), Integer.toString(batchSize));
    o.put(EncoderTrainerSettings.PUBLISH_EVERY_STEPS.name(), Integer.toString(publishEverySteps));
    o.put(EncoderTrainerSettings.FULL_EVERY.name(), Integer.toString(fullEvery));
    o.put(EncoderTrainerSettings.DEVICE.name(), "cpu");
    o.putAll(extra);
    return EncoderTrainerSettings.from(
            Config.load(EncoderTrainerSettings.allKeys(), null, Map.of(), o))
        .resolve(workDir);
  }

  /**
   * The temporal trainer on the CPU on fixed-extractor features, checkpointing under the work dir
   * and signing with its key pair; {@code extra} sets further {@code temporalTrainer.*} keys (keys
   * of {@link TemporalConfig} are ignored here: see {@link #temporalLearning}).
   */
  public TemporalTrainerSettings temporalTrainer(Map<String, String> extra) {
    Map<String, String> o = clientOverrides();
    o.put(TemporalTrainerSettings.DEVICE.name(), "cpu");
    o.put(TemporalTrainerSettings.TORCH_THREADS.name(), "1");
    o.put(
        TemporalTrainerSettings.CHECKPOINT_DIR.name(),
        workDir.resolve("trainer").resolve("dtgrm").toString());
    o.put(TemporalTrainerSettings.SIGNING_KEY_DIR.name(), workDir.resolve("keys").toString());
    o.putAll(extra);
    return TemporalTrainerSettings.from(
            Config.load(TemporalTrainerSettings.allKeys(), null, Map.of(), o))
        .resolve(workDir);
  }

  /** The temporal learner's hyperparameters: defaults with the {@code temporal.*} keys of extra. */
  public static TemporalConfig temporalLearning(Map<String, String> extra) {
    Map<String, String> own = new HashMap<>();
    extra.forEach(
        (k, v) -> {
          if (k.startsWith("temporal.")) {
            own.put(k, v);
          }
        });
    return TemporalConfig.withOverrides(own);
  }

  /**
   * The live segmentation app trusting the work dir's key, its state under the work dir; {@code
   * extra} sets further {@code segmentation.*} keys.
   */
  public LiveSegmentationSettings segmentation(Map<String, String> extra) {
    Map<String, String> o = new HashMap<>();
    o.put(LiveSegmentationSettings.STATE_DIR.name(), workDir.resolve("segmentation").toString());
    o.putAll(extra);
    return LiveSegmentationSettings.from(
            Config.load(LiveSegmentationSettings.KEYS, null, Map.of(), o))
        .withTrustedKeyFiles(List.of(publicKeyFile()));
  }

  private Map<String, String> clientOverrides() {
    Map<String, String> o = new HashMap<>();
    o.put(ClientSettings.BOOTSTRAP.name(), client.bootstrap());
    o.put(ClientSettings.REGISTRY_URL.name(), client.registryUrl());
    o.put(ClientSettings.REGISTRY_API.name(), client.registryApi().name());
    return o;
  }
}
