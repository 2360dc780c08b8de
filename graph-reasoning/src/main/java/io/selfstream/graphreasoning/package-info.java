/**
 * Temporal action segmentation for selfstream (DESIGN.md section 4, temporal module).
 *
 * <ul>
 *   <li>{@code metrics}: frame accuracy, segmental edit score and F1@{10,25,50} with the semantics
 *       of the MS-TCN evaluation script; {@code SegmentationEval} evaluates folders of label files.
 *   <li>{@code data}: the MS-TCN dataset layout ({@code features/*.npy}, {@code groundTruth/},
 *       {@code mapping.txt}, {@code splits/*.bundle}) and {@code .npy} IO.
 *   <li>{@code model}: DJL blocks for MS-TCN and DTGRM (dilated temporal graph reasoning with the
 *       frame-exchange auxiliary task) and their config records.
 *   <li>{@code loss}: per-stage CE + truncated MSE, and the swap-task loss.
 *   <li>{@code train}: {@code SegmentationTrainer}, checkpoints, {@code SegmentationPredictor},
 *       whole-dataset {@code SegmentationJobs}.
 *   <li>{@code synth}: synthetic activity videos of Fashion-MNIST sprites and the fixed frame
 *       features used until the encoder exists.
 *   <li>{@code bench}: the segmentation benchmark entry point.
 * </ul>
 *
 * Plain DJL: no Kafka or Flink types in these packages.
 */
package io.selfstream.graphreasoning;
