package io.selfstream.trainer.encoder;

/**
 * The encoder's verdict on one image.
 *
 * @param label argmax class
 * @param confidence softmax probability of {@code label}
 * @param probabilities softmax over all classes
 * @param features normalised class-token embedding ({@code dim} floats)
 */
public record Prediction(int label, float confidence, float[] probabilities, float[] features) {}
