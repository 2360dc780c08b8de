package io.selfstream.schemas.model;

import java.util.Map;

/**
 * A snapshot of an {@link UpdateAssembler}'s counters, for metrics.
 *
 * @param accepted versions accepted
 * @param ignored chunks of other models (or null records) skipped
 * @param rejected rejections by reason (every reason present, zero when none)
 * @param pendingVersions versions partially assembled now
 * @param pendingBytes payload bytes held for them
 * @param currentVersion version served now (0 = none)
 */
public record UpdateCounters(
    long accepted,
    long ignored,
    Map<UpdateRejected.Reason, Long> rejected,
    int pendingVersions,
    long pendingBytes,
    long currentVersion) {

  public UpdateCounters {
    rejected = Map.copyOf(rejected);
  }

  public long rejected(UpdateRejected.Reason reason) {
    return rejected.getOrDefault(reason, 0L);
  }

  public long rejectedTotal() {
    return rejected.values().stream().mapToLong(Long::longValue).sum();
  }
}
