package io.selfstream.ops.cli;

import io.selfstream.config.ClientSettings;
import io.selfstream.config.ConfigKey;
import io.selfstream.ingest.normalize.NormalizerSettings;
import io.selfstream.ingest.produce.IngestSettings;
import io.selfstream.ops.stack.StackSettings;
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
    keys.addAll(NormalizerSettings.KEYS);
    keys.addAll(ViewsJobSettings.KEYS);
    return keys;
  }
}
