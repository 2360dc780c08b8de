package io.selfstream.graphreasoning.synth;

import java.util.List;

/**
 * Synthetic activity video settings.
 *
 * @param size canvas width and height in pixels (64)
 * @param minMiddleActions fewest actions between enter and exit
 * @param maxMiddleActions most actions between enter and exit
 * @param minSegment shortest action in frames (except background)
 * @param maxSegment longest action in frames
 * @param maxBackground most background frames before entering and after exiting
 * @param garments Fashion-MNIST classes the sprites are drawn from
 * @param shift appearance shift applied to every frame
 */
public record GeneratorConfig(
    int size,
    int minMiddleActions,
    int maxMiddleActions,
    int minSegment,
    int maxSegment,
    int maxBackground,
    List<Integer> garments,
    DomainShift shift) {

  /** Classes of the source domain (T-shirt .. Shirt); 7-9 (Sneaker, Bag, Ankle boot) are unseen. */
  public static final List<Integer> SEEN_GARMENTS = List.of(0, 1, 2, 3, 4, 5, 6);

  public static final List<Integer> UNSEEN_GARMENTS = List.of(7, 8, 9);

  public GeneratorConfig {
    garments = List.copyOf(garments);
    if (size < 32 || minMiddleActions < 1 || maxMiddleActions < minMiddleActions) {
      throw new IllegalArgumentException("bad generator config");
    }
    if (minSegment < 4 || maxSegment < minSegment || maxBackground < 0 || garments.isEmpty()) {
      throw new IllegalArgumentException("bad generator segment config");
    }
  }

  /** 64x64, 4-7 middle actions of 12-32 frames, seen garments, mild sensor noise. */
  public static GeneratorConfig defaults() {
    return new GeneratorConfig(64, 4, 7, 12, 32, 8, SEEN_GARMENTS, DomainShift.sensorNoise());
  }

  public GeneratorConfig withShift(DomainShift s) {
    return new GeneratorConfig(
        size,
        minMiddleActions,
        maxMiddleActions,
        minSegment,
        maxSegment,
        maxBackground,
        s.unseenGarments() ? UNSEEN_GARMENTS : garments,
        s);
  }
}
