package io.selfstream.graphreasoning.synth;

import io.selfstream.data.FashionMnist;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Synthetic activity videos: one Fashion-MNIST garment sprite on a dark canvas acting out a
 * sequence of actions drawn from a small grammar,
 *
 * <pre>
 * video  := background{0..B} ENTER middle{m..M} EXIT background{0..B}
 * middle := PAUSE | MOVE_(LEFT|RIGHT|UP|DOWN) | RUN_(LEFT|RIGHT) | SPIN_(CW|CCW) | GROW | SHRINK
 * </pre>
 *
 * with no action repeated back to back and every action feasible from the sprite's state (a move
 * only where there is room, growth only up to a maximum size, ...). Walking moves 0.5-1 px a frame,
 * running 1.6-2.4, spinning 5-9 degrees a frame, growing or shrinking 1.2-2.5 % a frame; segment
 * lengths are uniform in {@code [minSegment, maxSegment]} unless the room runs out first. Frames
 * are rendered with bilinear sampling and then shifted by {@link DomainShift}. Everything is a pure
 * function of the seed.
 */
public final class ActivityVideoGenerator {

  private static final int SPRITE = FashionMnist.SIZE;
  private static final double MIN_SCALE = 0.55;
  private static final double MAX_SCALE = 1.5;

  private final FashionMnist source;
  private final GeneratorConfig cfg;
  private final int[][] byGarment;

  public ActivityVideoGenerator(FashionMnist source, GeneratorConfig cfg) {
    this.source = source;
    this.cfg = cfg;
    this.byGarment = new int[10][];
    for (int g = 0; g < 10; g++) {
      List<Integer> idx = new ArrayList<>();
      for (int i = 0; i < source.size(); i++) {
        if (source.label(i) == g) {
          idx.add(i);
        }
      }
      byGarment[g] = idx.stream().mapToInt(Integer::intValue).toArray();
    }
  }

  public GeneratorConfig config() {
    return cfg;
  }

  /** Sprite pose. */
  private static final class Pose {
    double x;
    double y;
    double scale;
    double angle;
    boolean visible;
  }

  /** Generates one video. */
  public SyntheticVideo generate(String name, long seed) {
    Random rng = new Random(seed);
    Random noise = new Random(seed * 0x9E3779B97F4A7C15L + 1);
    int garment = cfg.garments().get(rng.nextInt(cfg.garments().size()));
    int[] pool = byGarment[garment];
    if (pool.length == 0) {
      throw new IllegalStateException("no images of garment class " + garment);
    }
    float[] sprite = toFloat(source.image(pool[rng.nextInt(pool.length)]));
    List<byte[]> frames = new ArrayList<>();
    List<Action> actions = new ArrayList<>();
    Pose p = new Pose();
    p.scale = 0.8 + 0.3 * rng.nextDouble();
    p.angle = (rng.nextDouble() - 0.5) * 0.6;

    int size = cfg.size();
    emit(
        frames,
        actions,
        Action.BACKGROUND,
        rng.nextInt(cfg.maxBackground() + 1),
        p,
        sprite,
        noise,
        () -> {});

    // ENTER: slide in from a random side to a random point inside
    double m = margin(p.scale);
    double tx = m + rng.nextDouble() * (size - 2 * m);
    double ty = m + rng.nextDouble() * (size - 2 * m);
    int side = rng.nextInt(4);
    double out = SPRITE * p.scale * 0.75;
    double sx = side == 0 ? -out : side == 1 ? size + out : tx;
    double sy = side == 2 ? -out : side == 3 ? size + out : ty;
    int enterLen = segment(rng);
    p.x = sx;
    p.y = sy;
    p.visible = true;
    double ex = (tx - sx) / enterLen;
    double ey = (ty - sy) / enterLen;
    emit(
        frames,
        actions,
        Action.ENTER,
        enterLen,
        p,
        sprite,
        noise,
        () -> {
          p.x += ex;
          p.y += ey;
        });

    int middle =
        cfg.minMiddleActions() + rng.nextInt(cfg.maxMiddleActions() - cfg.minMiddleActions() + 1);
    Action previous = Action.ENTER;
    for (int i = 0; i < middle; i++) {
      Step step = null;
      for (int attempt = 0; attempt < 50 && step == null; attempt++) {
        Action a = Action.MIDDLE.get(rng.nextInt(Action.MIDDLE.size()));
        if (a != previous) {
          step = plan(a, p, rng);
        }
      }
      if (step == null) {
        step = plan(Action.PAUSE, p, rng);
      }
      Step s = step;
      emit(
          frames,
          actions,
          s.action,
          s.length,
          p,
          sprite,
          noise,
          () -> {
            p.x += s.dx;
            p.y += s.dy;
            p.angle += s.dAngle;
            p.scale *= s.scaleFactor;
          });
      previous = s.action;
    }

    // EXIT: leave through the nearest side
    double[] dist = {p.x, size - p.x, p.y, size - p.y};
    int exitSide = 0;
    for (int k = 1; k < 4; k++) {
      if (dist[k] < dist[exitSide]) {
        exitSide = k;
      }
    }
    double gone = SPRITE * p.scale * 0.75;
    double gx = exitSide == 0 ? -gone : exitSide == 1 ? size + gone : p.x;
    double gy = exitSide == 2 ? -gone : exitSide == 3 ? size + gone : p.y;
    int exitLen = segment(rng);
    double xx = (gx - p.x) / exitLen;
    double xy = (gy - p.y) / exitLen;
    emit(
        frames,
        actions,
        Action.EXIT,
        exitLen,
        p,
        sprite,
        noise,
        () -> {
          p.x += xx;
          p.y += xy;
        });
    p.visible = false;
    emit(
        frames,
        actions,
        Action.BACKGROUND,
        rng.nextInt(cfg.maxBackground() + 1),
        p,
        sprite,
        noise,
        () -> {});
    return new SyntheticVideo(name, size, frames, actions, garment);
  }

  private record Step(
      Action action, int length, double dx, double dy, double dAngle, double scaleFactor) {}

  private int segment(Random rng) {
    return cfg.minSegment() + rng.nextInt(cfg.maxSegment() - cfg.minSegment() + 1);
  }

  private static double margin(double scale) {
    return SPRITE * scale * 0.5 + 1;
  }

  /** A feasible step for {@code a} from pose {@code p}, or null. */
  private Step plan(Action a, Pose p, Random rng) {
    int len = segment(rng);
    int size = cfg.size();
    double m = margin(p.scale);
    switch (a) {
      case PAUSE:
        return new Step(a, len, 0, 0, 0, 1);
      case MOVE_LEFT:
      case MOVE_RIGHT:
      case MOVE_UP:
      case MOVE_DOWN:
      case RUN_LEFT:
      case RUN_RIGHT:
        {
          boolean run = a == Action.RUN_LEFT || a == Action.RUN_RIGHT;
          double v = run ? 1.6 + 0.8 * rng.nextDouble() : 0.5 + 0.5 * rng.nextDouble();
          double room =
              switch (a) {
                case MOVE_LEFT, RUN_LEFT -> p.x - m;
                case MOVE_RIGHT, RUN_RIGHT -> size - m - p.x;
                case MOVE_UP -> p.y - m;
                default -> size - m - p.y;
              };
          int n = Math.min(len, (int) Math.floor(room / v));
          if (n < cfg.minSegment()) {
            return null;
          }
          double dx =
              a == Action.MOVE_LEFT || a == Action.RUN_LEFT
                  ? -v
                  : a == Action.MOVE_RIGHT || a == Action.RUN_RIGHT ? v : 0;
          double dy = a == Action.MOVE_UP ? -v : a == Action.MOVE_DOWN ? v : 0;
          return new Step(a, n, dx, dy, 0, 1);
        }
      case SPIN_CW:
      case SPIN_CCW:
        {
          double w = Math.toRadians(5 + 4 * rng.nextDouble());
          return new Step(a, len, 0, 0, a == Action.SPIN_CW ? w : -w, 1);
        }
      case GROW:
      case SHRINK:
        {
          double g = 1.012 + 0.013 * rng.nextDouble();
          double f = a == Action.GROW ? g : 1 / g;
          int n = len;
          while (n >= cfg.minSegment()) {
            double s = p.scale * Math.pow(f, n);
            double room = Math.min(Math.min(p.x, size - p.x), Math.min(p.y, size - p.y));
            if (s >= MIN_SCALE && s <= MAX_SCALE && margin(s) <= room) {
              return new Step(a, n, 0, 0, 0, f);
            }
            n--;
          }
          return null;
        }
      default:
        throw new IllegalArgumentException("not a middle action: " + a);
    }
  }

  private void emit(
      List<byte[]> frames,
      List<Action> actions,
      Action a,
      int n,
      Pose p,
      float[] sprite,
      Random noise,
      Runnable advance) {
    for (int i = 0; i < n; i++) {
      advance.run();
      frames.add(render(p, sprite, noise));
      actions.add(a);
    }
  }

  private byte[] render(Pose p, float[] sprite, Random noise) {
    int size = cfg.size();
    float[] canvas = new float[size * size];
    if (p.visible) {
      double cos = Math.cos(p.angle);
      double sin = Math.sin(p.angle);
      double half = (SPRITE - 1) / 2.0;
      for (int y = 0; y < size; y++) {
        for (int x = 0; x < size; x++) {
          double rx = x - p.x;
          double ry = y - p.y;
          double u = (rx * cos + ry * sin) / p.scale + half;
          double v = (-rx * sin + ry * cos) / p.scale + half;
          canvas[y * size + x] = bilinear(sprite, u, v);
        }
      }
    }
    DomainShift s = cfg.shift();
    if (s.blurRadius() > 0) {
      canvas = boxBlur(canvas, size, s.blurRadius());
    }
    byte[] out = new byte[size * size];
    for (int i = 0; i < out.length; i++) {
      double g = canvas[i] * 255 * s.brightness() + s.offset();
      if (s.noiseStd() > 0) {
        g += noise.nextGaussian() * s.noiseStd();
      }
      out[i] = (byte) Math.max(0, Math.min(255, Math.round(g)));
    }
    return out;
  }

  private static float bilinear(float[] img, double u, double v) {
    if (u < -1 || v < -1 || u > SPRITE || v > SPRITE) {
      return 0f;
    }
    int x0 = (int) Math.floor(u);
    int y0 = (int) Math.floor(v);
    double fx = u - x0;
    double fy = v - y0;
    return (float)
        (px(img, x0, y0) * (1 - fx) * (1 - fy)
            + px(img, x0 + 1, y0) * fx * (1 - fy)
            + px(img, x0, y0 + 1) * (1 - fx) * fy
            + px(img, x0 + 1, y0 + 1) * fx * fy);
  }

  private static float px(float[] img, int x, int y) {
    return x < 0 || y < 0 || x >= SPRITE || y >= SPRITE ? 0f : img[y * SPRITE + x];
  }

  private static float[] boxBlur(float[] in, int size, int r) {
    float[] out = new float[in.length];
    for (int y = 0; y < size; y++) {
      for (int x = 0; x < size; x++) {
        float sum = 0;
        int n = 0;
        for (int yy = Math.max(0, y - r); yy <= Math.min(size - 1, y + r); yy++) {
          for (int xx = Math.max(0, x - r); xx <= Math.min(size - 1, x + r); xx++) {
            sum += in[yy * size + xx];
            n++;
          }
        }
        out[y * size + x] = sum / n;
      }
    }
    return out;
  }

  private static float[] toFloat(byte[] pixels) {
    float[] f = new float[pixels.length];
    for (int i = 0; i < f.length; i++) {
      f[i] = (pixels[i] & 0xff) / 255f;
    }
    return f;
  }
}
