package io.selfstream.graphreasoning.synth;

import io.selfstream.data.FashionMnist;
import io.selfstream.graphreasoning.data.LabelMapping;
import io.selfstream.graphreasoning.data.MsTcnDataset;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes synthetic activity videos as an MS-TCN layout dataset: {@link FrameFeatureExtractor}
 * features, frame-level ground truth, {@code mapping.txt} ({@link Action} order) and the splits
 * {@code train.split1} / {@code test.split1}. Training videos take their sprites from the
 * Fashion-MNIST training images, test videos from the test images.
 */
public final class SyntheticDatasets {

  private SyntheticDatasets() {}

  /** What was written. */
  public record Written(MsTcnDataset dataset, List<String> train, List<String> test, long frames) {}

  /**
   * @param seed video i of the training split uses seed {@code seed * 1_000_003 + i}, test videos
   *     {@code seed * 1_000_003 + 500_000 + i}
   */
  public static Written generate(
      MsTcnDataset ds,
      FashionMnist trainImages,
      FashionMnist testImages,
      int trainCount,
      int testCount,
      long seed,
      GeneratorConfig cfg)
      throws IOException {
    FrameFeatureExtractor fx = new FrameFeatureExtractor(cfg.size());
    ds.writeMapping(new LabelMapping(Action.labels()));
    List<String> train = new ArrayList<>();
    List<String> test = new ArrayList<>();
    long frames = 0;
    ActivityVideoGenerator trainGen = new ActivityVideoGenerator(trainImages, cfg);
    for (int i = 0; i < trainCount; i++) {
      String name = String.format("train-%04d", i);
      frames += write(ds, fx, trainGen.generate(name, seed * 1_000_003L + i));
      train.add(name);
    }
    ActivityVideoGenerator testGen = new ActivityVideoGenerator(testImages, cfg);
    for (int i = 0; i < testCount; i++) {
      String name = String.format("test-%04d", i);
      frames += write(ds, fx, testGen.generate(name, seed * 1_000_003L + 500_000 + i));
      test.add(name);
    }
    ds.writeSplit("train.split1", train);
    ds.writeSplit("test.split1", test);
    return new Written(ds, train, test, frames);
  }

  private static int write(MsTcnDataset ds, FrameFeatureExtractor fx, SyntheticVideo v)
      throws IOException {
    ds.writeFeatures(v.name(), fx.extract(v.frames()));
    ds.writeGroundTruth(v.name(), v.labels());
    return v.length();
  }
}
