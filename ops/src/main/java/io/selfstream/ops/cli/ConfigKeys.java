package io.selfstream.ops.cli;

import io.selfstream.config.ClientSettings;
import io.selfstream.config.ConfigKey;
import io.selfstream.graphreasoning.live.LiveSegmentationSettings;
import io.selfstream.ingest.normalize.NormalizerSettings;
import io.selfstream.ingest.produce.IngestSettings;
import io.selfstream.ingest.video.VideoSettings;
import io.selfstream.ops.metrics.MetricsSettings;
import io.selfstream.ops.stack.StackSettings;
import io.selfstream.trainer.adapt.AdaptConfig;
import io.selfstream.trainer.consumer.EncoderTrainerSettings;
import io.selfstream.trainer.temporal.TemporalConfig;
import io.selfstream.trainer.temporal.TemporalTrainerSettings;
import io.selfstream.trainer.views.ViewsJobSettings;
import java.util.ArrayList;
import java.util.List;

/** Every configuration key of every module, so one config file can hold them all. */
final class ConfigKeys {

  private ConfigKeys() {}

  static List<ConfigKey<?>> all() {
    List<ConfigKey<?>> keys = new ArrayList<>();
    keys.addAll(ClientSettings.KEYS);
    keys.addAll(StackSettings.KEYS);
    keys.addAll(IngestSettings.KEYS);
    keys.addAll(VideoSettings.KEYS);
    keys.addAll(NormalizerSettings.KEYS);
    keys.addAll(ViewsJobSettings.KEYS);
    keys.addAll(LiveSegmentationSettings.KEYS);
    keys.addAll(EncoderTrainerSettings.KEYS);
    keys.addAll(AdaptConfig.KEYS);
    keys.addAll(TemporalConfig.KEYS);
    keys.addAll(TemporalTrainerSettings.KEYS);
    keys.addAll(MetricsSettings.KEYS);
    return keys;
  }
}
