package io.selfstream.graphreasoning.live;

import io.selfstream.schemas.avro.FrameFeatures;
import io.selfstream.schemas.avro.FrameLabel;
import io.selfstream.schemas.avro.SegmentEvent;
import java.time.Duration;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Kafka adapter around {@link LiveLabeler}: reads a source's window and progress from the state
 * stores, runs the labeler with the model the holder serves right now, forwards what it emits,
 * writes the state back. A wall-clock punctuator flushes sources that went idle.
 */
final class SegmentationProcessor implements Processor<String, byte[], String, Object> {

  private static final Logger log = LoggerFactory.getLogger(SegmentationProcessor.class);

  private final LiveSegmentationSettings settings;
  private final TemporalModelHolder holder;
  private final Deserializer<FrameFeatures> deserializer;
  private final LiveCounters counters;
  private final LiveLabeler labeler;
  private final LiveListener listener;
  private ProcessorContext<String, Object> context;
  private KeyValueStore<String, SourceWindow> windows;
  private KeyValueStore<String, SourceProgress> progress;

  SegmentationProcessor(
      LiveSegmentationSettings settings,
      TemporalModelHolder holder,
      Deserializer<FrameFeatures> deserializer,
      LiveCounters counters) {
    this(settings, holder, deserializer, counters, LiveListener.NONE);
  }

  SegmentationProcessor(
      LiveSegmentationSettings settings,
      TemporalModelHolder holder,
      Deserializer<FrameFeatures> deserializer,
      LiveCounters counters,
      LiveListener listener) {
    this.listener = listener;
    this.settings = settings;
    this.holder = holder;
    this.deserializer = deserializer;
    this.counters = counters;
    this.labeler = new LiveLabeler(settings, counters);
  }

  @Override
  public void init(ProcessorContext<String, Object> context) {
    this.context = context;
    this.windows = context.getStateStore(SegmentationTopology.WINDOW_STORE);
    this.progress = context.getStateStore(SegmentationTopology.PROGRESS_STORE);
    Duration idle = settings.idleTimeout();
    if (!idle.isZero()) {
      Duration every =
          idle.dividedBy(4).compareTo(Duration.ofMillis(50)) < 0
              ? Duration.ofMillis(50)
              : idle.dividedBy(4);
      context.schedule(every, PunctuationType.WALL_CLOCK_TIME, this::flushIdle);
    }
  }

  @Override
  public void process(Record<String, byte[]> record) {
    FrameFeatures frame;
    try {
      frame =
          record.value() == null
              ? null
              : deserializer.deserialize(
                  SegmentationTopology.featuresTopic(), record.headers(), record.value());
    } catch (RuntimeException e) {
      frame = null;
      log.debug("undecodable features record: {}", e.toString());
    }
    if (frame == null) {
      counters.undecodable.incrementAndGet();
      return;
    }
    String key = record.key() != null ? record.key() : frame.getSourceId();
    SourceWindow window = windows.get(key);
    if (window == null) {
      window = new SourceWindow();
    }
    SourceProgress state = progress.get(key);
    if (state == null) {
      state = new SourceProgress();
    }
    TemporalModel model = holder.borrow();
    try {
      labeler.onFrame(
          key, window, state, frame, model, context.currentSystemTimeMs(), emitter(key));
    } finally {
      if (model != null) {
        model.release();
      }
    }
    windows.put(key, window);
    progress.put(key, state);
  }

  private void flushIdle(long now) {
    long timeout = settings.idleTimeout().toMillis();
    java.util.List<String> idle = new java.util.ArrayList<>();
    try (KeyValueIterator<String, SourceProgress> it = progress.all()) {
      while (it.hasNext()) {
        KeyValue<String, SourceProgress> kv = it.next();
        if (!kv.value.idleFlushed && now - kv.value.lastArrivalMs >= timeout) {
          idle.add(kv.key);
        }
      }
    }
    for (String key : idle) {
      SourceProgress state = progress.get(key);
      SourceWindow window = windows.get(key);
      if (window == null) {
        window = new SourceWindow(); // lost with a restart: nothing pending to label
      }
      TemporalModel model = holder.borrow();
      try {
        labeler.flush(key, window, state, model, now, emitter(key));
      } finally {
        if (model != null) {
          model.release();
        }
      }
      state.idleFlushed = true;
      progress.put(key, state);
      windows.put(key, window);
    }
  }

  private LiveLabeler.Emitter emitter(String key) {
    return new LiveLabeler.Emitter() {
      @Override
      public void label(FrameLabel label) {
        context.forward(
            new Record<String, Object>(
                key, label, label.getCaptureTimeMs().toEpochMilli(), new RecordHeaders()),
            SegmentationTopology.LABELS_SINK);
        listener.labelled(label);
      }

      @Override
      public void segment(SegmentEvent event) {
        context.forward(
            new Record<String, Object>(
                key, event, event.getEndTimeMs().toEpochMilli(), new RecordHeaders()),
            SegmentationTopology.SEGMENTS_SINK);
        listener.segment(event);
      }
    };
  }
}
