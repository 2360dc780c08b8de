package io.selfstream.trainer.encoder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.util.Pair;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class OptimizerTest {

  @Test
  void weightDecayHitsKernelsOnlyAndIsDecoupled() {
    try (Encoder e = Encoder.create(TestModels.TINY, Device.cpu(), 3)) {
      List<Parameter> params = EncoderBootstrap.supervisedParameters(e);
      ParameterSnapshot before = e.exportParameters();
      // zero gradients everywhere: only decoupled weight decay can move a weight
      try (NDManager m = e.manager().newSubManager()) {
        NDArray x = ImageTensors.images(m, VisionTransformerTest.randomImages(2, 1), e.config());
        try (GradientCollector gc = m.getEngine().newGradientCollector()) {
          gc.backward(e.forward(x, null, true).get(VisionTransformer.LOGITS).mul(0).sum());
        }
      }
      float lr = 0.1f, wd = 0.5f;
      new DecoupledAdamW(wd).step(params, lr, 1f);
      ParameterSnapshot after = e.exportParameters();
      for (Pair<String, Parameter> p : e.parameters()) {
        float[] a = before.values().get(p.getKey());
        float[] b = after.values().get(p.getKey());
        boolean trained = params.contains(p.getValue());
        if (trained && DecoupledAdamW.decays(p.getValue())) {
          for (int i = 0; i < a.length; i += 17) {
            assertThat(b[i]).as(p.getKey()).isCloseTo(a[i] * (1 - lr * wd), offset(1e-6f));
          }
        } else {
          assertThat(b).as(p.getKey()).isEqualTo(a);
        }
      }
    }
  }

  @Test
  void gradientNormDetectsNonFiniteGradientsAndZeroingClearsThem() {
    try (Encoder e = Encoder.create(TestModels.TINY, Device.cpu(), 3)) {
      Parameter bias = null;
      for (Pair<String, Parameter> p : e.parameters()) {
        if (p.getKey().endsWith("head_bias")) {
          bias = p.getValue();
        }
      }
      List<Parameter> one = new ArrayList<>(List.of(bias));
      try (NDManager m = e.manager().newSubManager()) {
        try (GradientCollector gc = m.getEngine().newGradientCollector()) {
          // d/db sqrt(0 * b) = 0 * inf = NaN while the loss itself is 0
          NDArray loss = m.zeros(bias.getShape()).mul(bias.getArray()).sqrt().sum();
          assertThat(loss.getFloat()).isZero();
          gc.backward(loss);
        }
        assertThat(DecoupledAdamW.globalGradNorm(one, m)).isNaN();
        assertThat(DecoupledAdamW.firstNonFiniteGradient(one, m)).isZero();
        DecoupledAdamW.zeroGradients(one);
        assertThat(DecoupledAdamW.firstNonFiniteGradient(one, m)).isEqualTo(-1);
        assertThat(DecoupledAdamW.globalGradNorm(one, m)).isZero();
      }
    }
  }

  @Test
  void warmupThenCosine() {
    WarmupCosineSchedule s = new WarmupCosineSchedule(1e-3f, 1e-5f, 10, 110);
    assertThat(s.at(0)).isCloseTo(1e-4f, offset(1e-9f));
    assertThat(s.at(9)).isCloseTo(1e-3f, offset(1e-9f));
    assertThat(s.at(60)).isCloseTo((1e-3f + 1e-5f) / 2, offset(1e-8f));
    assertThat(s.at(110)).isCloseTo(1e-5f, offset(1e-9f));
    assertThat(s.at(500)).isCloseTo(1e-5f, offset(1e-9f));
    for (int i = 10; i < 110; i++) {
      assertThat(s.at(i + 1)).isLessThanOrEqualTo(s.at(i));
    }
  }
}
