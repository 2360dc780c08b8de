package io.selfstream.graphreasoning.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv1d;

/** Small tensor helpers shared by the blocks. Tensors are {@code (batch, channels, time)}. */
final class Ops {

  private Ops() {}

  /** A 1-D convolution over time. */
  static Conv1d conv(int filters, int kernel, int dilation, int padding) {
    return Conv1d.builder()
        .setFilters(filters)
        .setKernelShape(new Shape(kernel))
        .optDilation(new Shape(dilation))
        .optPadding(new Shape(padding))
        .build();
  }

  /** A 1x1 convolution (a per-frame linear map). */
  static Conv1d conv1x1(int filters) {
    return conv(filters, 1, 1, 0);
  }

  /** Shifts along the last (time) axis with zero fill: {@code out[..., s] = y[..., s - offset]}. */
  static NDArray shift(NDArray y, int offset) {
    if (offset == 0) {
      return y;
    }
    long length = y.getShape().get(y.getShape().dimension() - 1);
    if (offset > 0) {
      return y.pad(new Shape(offset, 0), 0).get(new NDIndex("..., :" + length));
    }
    return y.pad(new Shape(0, -offset), 0).get(new NDIndex("..., " + (-offset) + ":"));
  }

  /** Replaces the channel axis of {@code (B, C, L)}. */
  static Shape withChannels(Shape s, long channels) {
    return new Shape(s.get(0), channels, s.get(2));
  }
}
