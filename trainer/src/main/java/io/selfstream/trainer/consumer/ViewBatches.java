package io.selfstream.trainer.consumer;

import io.selfstream.schemas.avro.TrainingView;
import io.selfstream.trainer.adapt.ViewBatch;
import io.selfstream.trainer.augment.U8Image;
import io.selfstream.trainer.encoder.EncoderConfig;
import io.selfstream.trainer.encoder.ImageTensors;
import io.selfstream.trainer.mask.MaskBits;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Decodes {@code TrainingView} records into a {@link ViewBatch} for the learner, checking each view
 * against the encoder's input shape and patch grid. A view that does not fit (another resolution,
 * another mask grid, a torn bitset) is refused with a reason instead of failing the batch: one bad
 * producer must not stop training, and the trainer counts what it refused.
 */
public final class ViewBatches {

  /**
   * A decoded batch and the views that were refused.
   *
   * @param batch the views that fit, in input order (possibly empty)
   * @param refused one line per refused view, naming the view and the reason
   */
  public record Decoded(ViewBatch batch, List<String> refused) {}

  private ViewBatches() {}

  /** Decodes {@code views} for an encoder of {@code config}. */
  public static Decoded decode(List<TrainingView> views, EncoderConfig config) {
    Objects.requireNonNull(config, "config");
    int n = views.size();
    List<U8Image> weak = new ArrayList<>(n);
    List<U8Image> strong = new ArrayList<>(n);
    List<boolean[]> masks = new ArrayList<>(n);
    List<Integer> labels = new ArrayList<>(n);
    List<String> sources = new ArrayList<>(n);
    List<Long> seqs = new ArrayList<>(n);
    List<String> refused = new ArrayList<>();
    for (TrainingView v : views) {
      try {
        U8Image w = image(v.getWeakView(), v, "weakView");
        U8Image s = image(v.getStrongView(), v, "strongView");
        ImageTensors.checkShape(w, config);
        ImageTensors.checkShape(s, config);
        boolean[] mask = mask(v, config);
        int label = label(v, config);
        // every check passed: only now does the view join the batch's columns
        weak.add(w);
        strong.add(s);
        masks.add(mask);
        labels.add(label);
        sources.add(v.getSourceId());
        seqs.add(v.getSeq());
      } catch (IllegalArgumentException e) {
        refused.add(v.getSourceId() + "#" + v.getSeq() + ": " + e.getMessage());
      }
    }
    int[] labelArray = new int[labels.size()];
    long[] seqArray = new long[seqs.size()];
    for (int i = 0; i < labelArray.length; i++) {
      labelArray[i] = labels.get(i);
      seqArray[i] = seqs.get(i);
    }
    return new Decoded(
        new ViewBatch(weak, strong, masks, labelArray, sources.toArray(String[]::new), seqArray),
        List.copyOf(refused));
  }

  private static U8Image image(ByteBuffer bytes, TrainingView v, String field) {
    if (bytes == null) {
      throw new IllegalArgumentException(field + " is missing");
    }
    ByteBuffer b = bytes.duplicate();
    byte[] px = new byte[b.remaining()];
    b.get(px);
    try {
      return new U8Image(px, v.getWidth(), v.getHeight(), v.getChannels());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(field + ": " + e.getMessage());
    }
  }

  /**
   * The student's mask on the model's patch grid. A view without a mask ({@code 0x0} grid, from a
   * producer that does not mask) gives an all-visible mask; any other grid must be the encoder's.
   */
  static boolean[] mask(TrainingView v, EncoderConfig config) {
    int gw = v.getMaskGridWidth();
    int gh = v.getMaskGridHeight();
    int g = config.gridSize();
    if (gw == 0 && gh == 0) {
      return new boolean[config.numPatches()];
    }
    if (gw != g || gh != g) {
      throw new IllegalArgumentException(
          "mask grid " + gw + "x" + gh + " is not the encoder's patch grid " + g + "x" + g);
    }
    ByteBuffer b = v.getMaskBits().duplicate();
    byte[] bits = new byte[b.remaining()];
    b.get(bits);
    return MaskBits.unpack(bits, gw * gh);
  }

  private static int label(TrainingView v, EncoderConfig config) {
    Integer label = v.getPseudoLabel();
    if (label == null) {
      return -1;
    }
    if (label < 0 || label >= config.numClasses()) {
      throw new IllegalArgumentException(
          "pseudo-label " + label + " outside [0, " + config.numClasses() + ")");
    }
    return label;
  }
}
