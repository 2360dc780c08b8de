package io.selfstream.ingest.corrupt;

import io.selfstream.schemas.avro.EvalLabel;
import io.selfstream.schemas.avro.RawFrame;

/**
 * One frame of a {@link CorruptedStream} with its ground truth. The frame goes to {@code
 * frames.raw}; the label only to {@code labels.eval} (same key, the source id; joined on seq).
 *
 * @param frame the corrupted image (RAW_U8)
 * @param label its ground truth: class, class name, domain (corruption id) and severity
 * @param corruption the corruption applied
 * @param imageIndex the image's index in the Fashion-MNIST test split
 * @param index the frame's position in the stream (0-based; seq = startSeq + index), which is also
 *     its index in the exported IDX files
 */
public record LabeledFrame(
    RawFrame frame, EvalLabel label, Corruption corruption, int imageIndex, long index) {}
