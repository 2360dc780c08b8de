package io.selfstream.schemas.model;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hears what an {@link UpdateAssembler} decides, for metrics and logs. Called on the thread that
 * feeds the assembler; keep it quick. Exceptions it throws are logged and otherwise ignored.
 */
public interface UpdateListener {

  /** A verified version is now the one served. */
  default void accepted(ModelVersion version) {}

  /** A chunk or version was refused; the served model did not change. */
  default void rejected(UpdateRejected rejection) {}

  /** Logs accepted versions at INFO, duplicates at DEBUG and every other rejection at WARN. */
  UpdateListener LOGGING =
      new UpdateListener() {
        private final Logger log = LoggerFactory.getLogger(UpdateAssembler.class);

        @Override
        public void accepted(ModelVersion v) {
          log.info(
              "model {} version {} ({} from parent {}, {} bytes, key {}) accepted",
              v.model(),
              v.version(),
              v.kind(),
              v.parentVersion(),
              v.payloadBytes(),
              v.keyId());
        }

        @Override
        public void rejected(UpdateRejected r) {
          if (r.reason() == UpdateRejected.Reason.REPLAYED) {
            log.debug("{}", r);
          } else {
            log.warn("{}", r);
          }
        }
      };

  /** Both listeners, in order. */
  default UpdateListener andThen(UpdateListener next) {
    UpdateListener first = this;
    return new UpdateListener() {
      @Override
      public void accepted(ModelVersion version) {
        first.accepted(version);
        next.accepted(version);
      }

      @Override
      public void rejected(UpdateRejected rejection) {
        first.rejected(rejection);
        next.rejected(rejection);
      }
    };
  }
}
