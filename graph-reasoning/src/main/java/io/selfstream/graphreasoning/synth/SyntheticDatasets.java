package io.selfstream.graphreasoning.synth;

import io.selfstream.data.FashionMnist;
import io.selfstream.graphreasoning.data.LabelMapping;
import io.selfstream.graphreasoning.data.MsTcnDataset;
import io.selfstream.graphreasoning.video.VideoFileWriter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Writes synthetic activity videos as an MS-TCN layout dataset: {@link FrameFeatureExtractor}
 * features, frame-level ground truth, {@code mapping.txt} ({@link Action} order) and the splits
 * {@code train.split1} / {@code test.split1}. Training videos take their sprites from the
 * Fashion-MNIST training images, test videos from the test images.
 *
 * <p>With a {@link VideoFileWriter} every video is also written as a real video file {@code
 * videos/<name>.<ext>} ({@link #VIDEOS_DIR}) holding exactly the frames the features were computed
 * from, so the same sequences can be replayed as live feeds (e.g. {@code selfstream ingest video})
 * and scored against the same ground truth.
 */
public final class SyntheticDatasets {

  private SyntheticDatasets() {}

  /** Folder of the video files, under the data set root. */
  public static final String VIDEOS_DIR = "videos";

  /**
   * What was written.
   *
   * @param videoFiles the video files, train then test, empty when none were asked for
   */
  public record Written(
      MsTcnDataset dataset,
      List<String> train,
      List<String> test,
      long frames,
      List<Path> videoFiles) {}

  /** The features, labels and splits, no video files. */
  public static Written generate(
      MsTcnDataset ds,
      FashionMnist trainImages,
      FashionMnist testImages,
      int trainCount,
      int testCount,
      long seed,
      GeneratorConfig cfg)
      throws IOException {
    return generate(
        ds, trainImages, testImages, trainCount, testCount, seed, cfg, Optional.empty());
  }

  /**
   * @param seed video i of the training split uses seed {@code seed * 1_000_003 + i}, test videos
   *     {@code seed * 1_000_003 + 500_000 + i}
   * @param videos when present, also writes every video as a file under {@code videos/}
   */
  public static Written generate(
      MsTcnDataset ds,
      FashionMnist trainImages,
      FashionMnist testImages,
      int trainCount,
      int testCount,
      long seed,
      GeneratorConfig cfg,
      Optional<VideoFileWriter> videos)
      throws IOException {
    FrameFeatureExtractor fx = new FrameFeatureExtractor(cfg.size());
    ds.writeMapping(new LabelMapping(Action.labels()));
    List<String> train = new ArrayList<>();
    List<String> test = new ArrayList<>();
    List<Path> files = new ArrayList<>();
    long frames = 0;
    ActivityVideoGenerator trainGen = new ActivityVideoGenerator(trainImages, cfg);
    for (int i = 0; i < trainCount; i++) {
      String name = String.format("train-%04d", i);
      frames += write(ds, fx, trainGen.generate(name, seed * 1_000_003L + i), videos, files);
      train.add(name);
    }
    ActivityVideoGenerator testGen = new ActivityVideoGenerator(testImages, cfg);
    for (int i = 0; i < testCount; i++) {
      String name = String.format("test-%04d", i);
      frames +=
          write(ds, fx, testGen.generate(name, seed * 1_000_003L + 500_000 + i), videos, files);
      test.add(name);
    }
    ds.writeSplit("train.split1", train);
    ds.writeSplit("test.split1", test);
    return new Written(ds, train, test, frames, List.copyOf(files));
  }

  /** {@code dir/<name>.<ext>} holding the frames of {@code v}. */
  public static Path writeVideo(SyntheticVideo v, VideoFileWriter writer, Path dir)
      throws IOException {
    return writer.write(v.frames(), v.size(), v.size(), writer.fileFor(dir, v.name()));
  }

  private static int write(
      MsTcnDataset ds,
      FrameFeatureExtractor fx,
      SyntheticVideo v,
      Optional<VideoFileWriter> videos,
      List<Path> files)
      throws IOException {
    ds.writeFeatures(v.name(), fx.extract(v.frames()));
    ds.writeGroundTruth(v.name(), v.labels());
    if (videos.isPresent()) {
      files.add(writeVideo(v, videos.get(), ds.root().resolve(VIDEOS_DIR)));
    }
    return v.length();
  }
}
