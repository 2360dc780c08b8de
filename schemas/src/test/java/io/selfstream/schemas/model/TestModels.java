package io.selfstream.schemas.model;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Random;

/** Test fixtures: model layouts with random weights, and a clock tests can move. */
final class TestModels {

  private TestModels() {}

  /** A small MLP-like model: 64x100 + 64 + 50x64 + 50 + ... about 10 k parameters. */
  static final Object[][] SMALL = {
    {"fc1.weight", new int[] {64, 100}},
    {"fc1.bias", new int[] {64}},
    {"fc2.weight", new int[] {50, 64}},
    {"fc2.bias", new int[] {50}},
    {"head.weight", new int[] {10, 50}},
    {"head.bias", new int[] {10}},
    {"scale", new int[] {}},
  };

  static ModelParameters random(Object[][] layout, long seed, double std) {
    Random random = new Random(seed);
    ModelParameters.Builder b = ModelParameters.builder();
    for (Object[] t : layout) {
      int[] shape = (int[]) t[1];
      int n = 1;
      for (int d : shape) {
        n *= d;
      }
      float[] v = new float[n];
      for (int i = 0; i < n; i++) {
        v[i] = (float) (random.nextGaussian() * std);
      }
      b.put((String) t[0], shape, v);
    }
    return b.build();
  }

  /** {@code base} plus Gaussian noise of {@code std} per weight. */
  static ModelParameters step(ModelParameters base, Random random, double std) {
    ModelParameters.Builder b = ModelParameters.builder();
    for (String name : base.names()) {
      float[] v = base.values(name);
      for (int i = 0; i < v.length; i++) {
        v[i] += (float) (random.nextGaussian() * std);
      }
      b.put(name, base.shape(name), v);
    }
    return b.build();
  }

  /** The layout of a compact ViT (dim 96, depth 4, heads 3, patch 7, 10 classes): ~0.46 M. */
  static Object[][] compactVit() {
    int dim = 96;
    int mlp = 4 * dim;
    java.util.List<Object[]> l = new java.util.ArrayList<>();
    l.add(new Object[] {"patch.weight", new int[] {dim, 1, 7, 7}});
    l.add(new Object[] {"patch.bias", new int[] {dim}});
    l.add(new Object[] {"cls", new int[] {1, 1, dim}});
    l.add(new Object[] {"pos", new int[] {1, 17, dim}});
    l.add(new Object[] {"mask_token", new int[] {1, 1, dim}});
    for (int b = 0; b < 4; b++) {
      String p = "blocks." + b + ".";
      l.add(new Object[] {p + "norm1.gamma", new int[] {dim}});
      l.add(new Object[] {p + "norm1.beta", new int[] {dim}});
      l.add(new Object[] {p + "attn.qkv.weight", new int[] {3 * dim, dim}});
      l.add(new Object[] {p + "attn.qkv.bias", new int[] {3 * dim}});
      l.add(new Object[] {p + "attn.proj.weight", new int[] {dim, dim}});
      l.add(new Object[] {p + "attn.proj.bias", new int[] {dim}});
      l.add(new Object[] {p + "norm2.gamma", new int[] {dim}});
      l.add(new Object[] {p + "norm2.beta", new int[] {dim}});
      l.add(new Object[] {p + "mlp.fc1.weight", new int[] {mlp, dim}});
      l.add(new Object[] {p + "mlp.fc1.bias", new int[] {mlp}});
      l.add(new Object[] {p + "mlp.fc2.weight", new int[] {dim, mlp}});
      l.add(new Object[] {p + "mlp.fc2.bias", new int[] {dim}});
    }
    l.add(new Object[] {"norm.gamma", new int[] {dim}});
    l.add(new Object[] {"norm.beta", new int[] {dim}});
    l.add(new Object[] {"head.weight", new int[] {10, dim}});
    l.add(new Object[] {"head.bias", new int[] {10}});
    l.add(new Object[] {"decoder.weight", new int[] {49, dim}});
    l.add(new Object[] {"decoder.bias", new int[] {49}});
    return l.toArray(new Object[0][]);
  }

  /** A clock the test moves by hand. */
  static final class ManualClock extends Clock {
    private Instant now = Instant.parse("2025-01-01T00:00:00Z");

    void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }
}
