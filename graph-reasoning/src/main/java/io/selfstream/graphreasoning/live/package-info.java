/**
 * Live action segmentation (issue #7): a Kafka Streams app that labels every frame of every live
 * feed on {@code features} with the newest verified temporal model ({@code dtgrm} on {@code
 * model-updates}) and emits {@code frame-labels} and {@code segments}.
 *
 * <h2>Pieces</h2>
 *
 * <ul>
 *   <li>{@link io.selfstream.graphreasoning.live.TemporalModels}: the model-update codec of the
 *       temporal model (DJL block + spec + training encoder version to {@code ModelParameters} and
 *       back, bit-exact; signed descriptor tensor, {@code arch.*} and {@code features.*} metrics).
 *   <li>{@link io.selfstream.graphreasoning.live.TemporalModelHolder}: hot swap (one atomic
 *       reference, reference-counted models), fed by a {@code ModelUpdateFollower}; versions the
 *       codec rejects never reach it, versions it cannot serve are refused; either way the last
 *       good model keeps serving.
 *   <li>{@link io.selfstream.graphreasoning.live.SegmentationTopology#build}: the topology as a
 *       pure function of settings, holder and serdes; {@code LiveLabeler} is its Kafka-free core.
 *   <li>{@link io.selfstream.graphreasoning.live.LiveSegmentationApp}: the thin running app; {@code
 *       selfstream segment live} runs it from the CLI.
 * </ul>
 *
 * <h2>Lookahead: default 8 frames</h2>
 *
 * Frame t is labelled once {@code lookaheadFrames} later frames arrived, so the label leaves {@code
 * lookaheadFrames / fps} after the frame was captured on top of the processing time: 0 / 133 / 267
 * / 533 ms for 0 / 4 / 8 / 16 frames at 30 fps. The MS-TCN/DTGRM stages are acausal (frame t reads
 * t+d), so a causal window feeds the newest frames zeros where the model was trained to see the
 * future; a few frames of lookahead recover part of the offline accuracy.
 *
 * <p>Measured by {@code LiveLookaheadMeasurement} (test scope; command in its javadoc): DTGRM 4
 * stages x 8 layers x 32 maps, 30 epochs on 16 generated videos, 8 test videos (1304 frames),
 * window 64, frame-wise scores in percent (one seed, a weakly trained model: read the trend, not
 * the digits):
 *
 * <pre>
 *   offline full sequence   acc 33.1  edit 42.9  F1@50 31.3
 *   live L=0  (+0 ms)       acc 15.9  edit 25.7  F1@50  9.6   agrees with offline on 48.0 %
 *   live L=4  (+133 ms)     acc 19.4  edit 25.9  F1@50 14.5   52.3 %
 *   live L=8  (+267 ms)     acc 22.3  edit 23.3  F1@50 22.6   54.8 %
 *   live L=16 (+533 ms)     acc 25.8  edit 29.1  F1@50 24.0   61.7 %
 * </pre>
 *
 * A window of 128 changes little (L=8: acc 22.5, F1@50 17.9). L=8 buys most of the F1@50 gain (9.6
 * to 22.6 of the 24.0 at L=16) for half the latency of L=16; hence the default. {@code
 * segmentation.minSegmentFrames} 4 or 8 moves segment F1@50 by under a point (23.2 / 23.6), so it
 * stays 1 (no added segment latency). Set {@code segmentation.lookaheadFrames=0} for strictly
 * causal labels (p99 frame -> label is then the processing time alone, the 50 ms target of
 * DESIGN.md section 6). With lookahead and context beyond the model's reach the live labels are the
 * offline ones (a test checks it on a tiny model).
 *
 * <h2>Catch-up: default 40 frames per inference while behind</h2>
 *
 * One inference over the window costs the same whether it labels one frame or many (DTGRM 2 x 6 x
 * 32 over 64 frames: 12-55 ms on one CPU thread here). Labelling one frame per inference caps a
 * stream thread at 20-80 frames/s, so 8 feeds at 30 fps fell behind without end ({@code selfstream
 * bench live --quick}: p99 47 s, 69 labels/s). When a frame arrives more than {@code
 * segmentation.catchUpLag} (250 ms) after its capture, the labeller waits until {@code
 * segmentation.catchUpFrames} frames are due and labels them in one inference; each then sees more
 * than the minimum lookahead (never less), and in time with the feed it labels per frame again.
 * Measured on the same bench: 16 frames per inference p99 7.2 s (190 labels/s, still behind); 40
 * frames p50 0.9 s / p99 2.9 s, and update propagation p99 273 ms (README results). While batching,
 * a label waits for up to {@code catchUpFrames / fps} (1.3 s at 30 fps) more. Features reach the
 * app only at the views job's checkpoints (exactly-once), so behind the lag is the usual state of
 * the embedded pipeline and the batches are the steady state there.
 *
 * <h2>Feature-version policy: default strict</h2>
 *
 * Every temporal model version names, in its signed payload, the encoder version its training
 * features came from ({@code features.encoder_version}; 0 = the fixed synthetic-video extractor).
 * Every {@code FrameFeatures} record names the encoder version that produced it. Under {@code
 * strict} (the default) a frame is labelled only when the two are equal; other frames are counted
 * ({@code encoderMismatch}) and left out of the model's window, so labels pause while the encoder
 * runs ahead of the temporal model and resume when a temporal model trained on the new encoder's
 * features is published. Under {@code latest} every frame is labelled and each label carries both
 * versions ({@code FrameLabel.encoderVersion}, {@code FrameLabel.modelEncoderVersion}; the
 * segment's {@code encoderVersion}), and {@code mixedVersionLabels} counts them. Measured with the
 * same model at L=8: features of a mildly drifted encoder (x1.15 + 0.05 + noise) cost little frame
 * accuracy (22.0 vs 22.3) but a quarter of F1@50 (17.3 vs 22.6); features of a re-trained encoder
 * (same frames, other coordinates: a permutation) collapse to near chance (acc 10.4, F1@50 3.7;
 * chance is 7). Nothing in a version number says which of the two a new encoder is, so mixing is
 * opt-in. A change of encoder version is a change of the descriptor and so of the parameter layout:
 * a trainer must publish it as a FULL version (the ternary delta codec refuses layouts that
 * differ).
 *
 * <h2>State</h2>
 *
 * The window (the last {@code windowFrames} vectors per source) is soft state in an in-memory store
 * without changelog; the order bookkeeping and the open segment are in a small logged store. A
 * restart therefore labels the first frames after it with less context, and frames still pending
 * their lookahead at the crash are not labelled; segments and seq order continue correctly.
 */
package io.selfstream.graphreasoning.live;
