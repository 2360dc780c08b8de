package io.selfstream.graphreasoning.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.initializer.Initializer;

/**
 * PyTorch's default initialisation of conv weights, which the MS-TCN and DTGRM reference code
 * trains from: uniform in {@code +-1/sqrt(fanIn)} ({@code kaiming_uniform} with {@code a =
 * sqrt(5)}), {@code fanIn} = input channels x kernel size.
 */
public final class TorchDefaultInitializer implements Initializer {

  @Override
  public NDArray initialize(NDManager manager, Shape shape, DataType dataType) {
    long fanIn = shape.dimension() > 1 ? shape.size() / shape.get(0) : shape.size();
    float bound = (float) (1.0 / Math.sqrt(Math.max(1, fanIn)));
    return manager.randomUniform(-bound, bound, shape, dataType);
  }
}
