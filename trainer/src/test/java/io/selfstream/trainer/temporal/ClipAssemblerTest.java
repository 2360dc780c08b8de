package io.selfstream.trainer.temporal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.selfstream.trainer.temporal.ClipAssembler.Clip;
import io.selfstream.trainer.temporal.ClipAssembler.Frame;
import io.selfstream.trainer.temporal.ClipAssembler.Outcome;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClipAssemblerTest {

  private static final int DIM = 3;

  /** Frame of source {@code src} whose features encode (source, seq) so order can be checked. */
  private static Frame frame(int partition, long offset, String src, long seq) {
    float tag = src.hashCode() % 97;
    return new Frame(partition, offset, src, seq, 0, new float[] {seq, tag, 1f});
  }

  @Test
  void interleavedSourcesBecomeClipsOfConsecutiveFramesInOrder() {
    ClipAssembler a = new ClipAssembler(4, DIM, 0, 0, Map.of());
    long offset = 0;
    for (long seq = 0; seq < 8; seq++) {
      a.offer(frame(0, offset++, "a", seq), 0);
      a.offer(frame(0, offset++, "b", 100 + seq), 0);
    }
    assertEquals(4, a.readyCount());
    List<Clip> clips = a.takeReady(10);
    assertEquals(List.of("a", "b", "a", "b"), clips.stream().map(Clip::sourceId).toList());
    Clip first = clips.get(0);
    assertEquals(0, first.firstSeq());
    assertEquals(3, first.lastSeq());
    assertEquals(0, first.firstOffset());
    assertEquals(4, first.length());
    for (int t = 0; t < 4; t++) {
      assertEquals(t, first.features().get(0, t), "frame order inside the clip");
    }
    assertEquals(104, clips.get(3).firstSeq());
    assertEquals(0, a.bufferedFrames());
  }

  @Test
  void smallGapsAreBridgedLongGapsEndTheClip() {
    ClipAssembler a = new ClipAssembler(6, DIM, 2, 0, Map.of());
    // 0,1,2 then 5 (2 missing: bridged), 6, 7 -> one clip of 6 frames
    long[] seqs = {0, 1, 2, 5, 6, 7};
    for (int i = 0; i < seqs.length; i++) {
      a.offer(frame(0, i, "s", seqs[i]), 0);
    }
    assertEquals(1, a.readyCount());
    assertEquals(1, a.bridgedGaps());
    assertEquals(7, a.takeReady(1).get(0).lastSeq());

    // 10,11,12 (3 = min clip) then a gap of 10: the 3 frames become a short clip
    long off = 10;
    for (long s = 10; s <= 12; s++) {
      a.offer(frame(0, off++, "s", s), 0);
    }
    a.offer(frame(0, off++, "s", 23), 0);
    assertEquals(1, a.readyCount());
    Clip shortClip = a.takeReady(1).get(0);
    assertEquals(3, shortClip.length());
    assertEquals(12, shortClip.lastSeq());

    // 23 buffered; 24 then a long gap: 2 frames < min 3 are dropped
    a.offer(frame(0, off++, "s", 24), 0);
    a.offer(frame(0, off++, "s", 60), 0);
    assertEquals(0, a.readyCount());
    assertEquals(2, a.droppedFrames());
    assertEquals(1, a.bufferedFrames());
  }

  @Test
  void duplicatesReplaysWrongDimensionAndEncoderAreRefused() {
    ClipAssembler a = new ClipAssembler(4, DIM, 0, 3, Map.of("s", 9L));
    assertEquals(Outcome.DUPLICATE, a.offer(new Frame(0, 0, "s", 9, 3, new float[DIM]), 0));
    assertEquals(Outcome.BUFFERED, a.offer(new Frame(0, 1, "s", 10, 3, new float[DIM]), 0));
    assertEquals(Outcome.DUPLICATE, a.offer(new Frame(0, 2, "s", 10, 3, new float[DIM]), 0));
    assertEquals(Outcome.WRONG_DIMENSION, a.offer(new Frame(0, 3, "s", 11, 3, new float[2]), 0));
    assertEquals(Outcome.WRONG_ENCODER, a.offer(new Frame(0, 4, "s", 11, 4, new float[DIM]), 0));
    assertEquals(1, a.bufferedFrames());
  }

  @Test
  void idleSourcesAreFlushed() {
    ClipAssembler a = new ClipAssembler(8, DIM, 0, 0, Map.of());
    for (int s = 0; s < 5; s++) {
      a.offer(frame(0, s, "quiet", s), 1_000);
    }
    a.offer(frame(0, 5, "short", 0), 1_000);
    assertEquals(0, a.flushIdle(1_500, 1_000), "not idle long enough yet");
    assertEquals(1, a.flushIdle(2_000, 1_000));
    assertEquals(5, a.takeReady(1).get(0).length());
    assertEquals(1, a.droppedFrames(), "a single frame is below the minimum clip");
  }

  @Test
  void safeOffsetHoldsBackAtTheOldestUntrainedFrameOfThePartition() {
    ClipAssembler a = new ClipAssembler(3, DIM, 0, 0, Map.of());
    // partition 0: a0 b0 a1 b1 a2 (a's clip ready) ; partition 1: c0
    a.offer(frame(0, 10, "a", 0), 0);
    a.offer(frame(0, 11, "b", 0), 0);
    a.offer(frame(0, 12, "a", 1), 0);
    a.offer(frame(0, 13, "b", 1), 0);
    a.offer(frame(0, 14, "a", 2), 0);
    a.offer(frame(1, 7, "c", 0), 0);
    assertEquals(10, a.safeOffset(0, 0), "a's ready clip is not trained yet");
    assertEquals(7, a.safeOffset(1, 0));
    assertEquals(42, a.safeOffset(2, 42), "nothing seen: the fallback");
    Clip clip = a.takeReady(1).get(0);
    a.trained(clip);
    assertEquals(11, a.safeOffset(0, 0), "b's buffered frames hold the commit back");
    assertEquals(Map.of("a", 2L), a.trainedThrough());
  }

  @Test
  void aResumeFromTheSafeOffsetNeitherLosesNorRepeatsFrames() {
    List<Frame> stream = new ArrayList<>();
    long offset = 0;
    for (long seq = 0; seq < 12; seq++) {
      stream.add(frame(0, offset++, "a", seq));
      if (seq % 2 == 0) {
        stream.add(frame(0, offset++, "b", seq / 2));
      }
    }
    // run 1: everything up to offset 10, training every ready clip, then "crash"
    ClipAssembler first = new ClipAssembler(4, DIM, 0, 0, Map.of());
    List<Long> trainedSeqsA = new ArrayList<>();
    for (Frame f : stream) {
      if (f.offset() >= 10) {
        break;
      }
      first.offer(f, 0);
      for (Clip c : first.takeReady(10)) {
        first.trained(c);
        if (c.sourceId().equals("a")) {
          trainedSeqsA.add(c.firstSeq());
        }
      }
    }
    long committed = first.safeOffset(0, 0);
    Map<String, Long> through = first.trainedThrough();

    // run 2: restored trainedThrough, re-reading from the committed offset
    ClipAssembler second = new ClipAssembler(4, DIM, 0, 0, through);
    for (Frame f : stream) {
      if (f.offset() < committed) {
        continue;
      }
      second.offer(f, 0);
      for (Clip c : second.takeReady(10)) {
        second.trained(c);
        if (c.sourceId().equals("a")) {
          trainedSeqsA.add(c.firstSeq());
        }
      }
    }
    // a: 12 frames -> clips starting at 0, 4, 8, each exactly once
    assertEquals(List.of(0L, 4L, 8L), trainedSeqsA);
    assertTrue(second.trainedThrough().get("b") >= 3, "b's first clip was trained");
  }
}
