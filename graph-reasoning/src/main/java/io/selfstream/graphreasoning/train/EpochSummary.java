package io.selfstream.graphreasoning.train;

import java.nio.file.Path;

/**
 * One finished epoch.
 *
 * @param epoch 1-based
 * @param epochs total epochs
 * @param meanLoss mean batch loss
 * @param trainAccuracy frame accuracy of the last stage on the training batches (training mode,
 *     i.e. with dropout), in [0, 1]
 * @param millis wall time of the epoch
 * @param checkpoint the checkpoint directory written after this epoch, or null
 */
public record EpochSummary(
    int epoch, int epochs, double meanLoss, double trainAccuracy, long millis, Path checkpoint) {}
