package io.selfstream.ops.views;

import io.selfstream.trainer.views.TeacherApplyLog;
import io.selfstream.trainer.views.VideoFeaturesFunction;
import io.selfstream.trainer.views.ViewsJob;
import io.selfstream.trainer.views.ViewsJobSettings;
import io.selfstream.trainer.views.ViewsOperator;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.HeartbeatManagerOptions;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The views job running in a local Flink MiniCluster in this JVM (what {@code selfstream views},
 * the benchmark and the integration test use). The job itself is {@link ViewsJob#define}; this
 * class only starts it, reads its accumulators while it runs, and cancels it.
 */
public final class LocalViewsJob implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(LocalViewsJob.class);

  /**
   * What the running job reports through its accumulators (counts of the current execution attempt
   * onwards; a restart replays from the last checkpoint).
   *
   * @param views training views (one per image frame)
   * @param features teacher features of image frames (one per view once a teacher exists)
   * @param videoFeatures fixed features of video frames (one per video frame, no views)
   * @param deadLetters frames sent to {@code frames.dlq}, image and video
   */
  public record Progress(
      JobStatus status,
      long views,
      long features,
      long videoFeatures,
      long deadLetters,
      TeacherApplyLog.Snapshot teacher) {

    /** Frames accounted for: every frame becomes a view, video features or a dead letter. */
    public long framesOut() {
      return views + videoFeatures + deadLetters;
    }
  }

  private final JobClient client;
  private final ViewsJobSettings settings;

  private LocalViewsJob(JobClient client, ViewsJobSettings settings) {
    this.client = client;
    this.settings = settings;
  }

  /** Starts the job on a fresh MiniCluster sized for {@code settings.parallelism()}. */
  public static LocalViewsJob start(ViewsJobSettings settings) throws Exception {
    Configuration conf = new Configuration();
    // accumulators (teacher versions, counts) reach the JobManager with every heartbeat
    conf.set(HeartbeatManagerOptions.HEARTBEAT_INTERVAL, Duration.ofSeconds(1));
    conf.set(HeartbeatManagerOptions.HEARTBEAT_TIMEOUT, Duration.ofSeconds(60));
    conf.set(TaskManagerOptions.NUM_TASK_SLOTS, settings.parallelism());
    conf.set(TaskManagerOptions.MANAGED_MEMORY_SIZE, MemorySize.ofMebiBytes(16));
    conf.set(TaskManagerOptions.NETWORK_MEMORY_MIN, MemorySize.ofMebiBytes(64));
    conf.set(TaskManagerOptions.NETWORK_MEMORY_MAX, MemorySize.ofMebiBytes(64));
    // keep little data in flight between the frames source and the views operator: a checkpoint
    // barrier (and with it every model update queued behind it on the aligned broadcast input)
    // then waits for a few buffers of frames, not for seconds of them. Fixed small buffers rather
    // than buffer debloating: debloating shrinks the idle broadcast channel's buffers to a few
    // hundred bytes, and a multi-megabyte update then crawls through them.
    conf.set(TaskManagerOptions.MEMORY_SEGMENT_SIZE, MemorySize.parse("8kb"));
    StreamExecutionEnvironment env =
        StreamExecutionEnvironment.createLocalEnvironment(settings.parallelism(), conf);
    ViewsJob.define(env, settings);
    JobClient client = env.executeAsync(settings.jobName());
    log.info("views job {} started (parallelism {})", client.getJobID(), settings.parallelism());
    return new LocalViewsJob(client, settings);
  }

  public JobClient client() {
    return client;
  }

  public ViewsJobSettings settings() {
    return settings;
  }

  public JobStatus status() {
    try {
      return client.getJobStatus().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      return JobStatus.INITIALIZING;
    }
  }

  /** The accumulators now (empty while the job is being scheduled). */
  public Map<String, Object> accumulators() {
    try {
      return client.getAccumulators().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      return Map.of();
    }
  }

  public Progress progress() {
    Map<String, Object> acc = accumulators();
    return new Progress(
        status(),
        count(acc, ViewsOperator.ACC_VIEWS),
        count(acc, ViewsOperator.ACC_FEATURES),
        count(acc, VideoFeaturesFunction.ACC_VIDEO_FEATURES),
        count(acc, ViewsOperator.ACC_DEAD_LETTERS),
        TeacherApplyLog.from(acc));
  }

  private static long count(Map<String, Object> acc, String name) {
    return acc.get(name) instanceof Number n ? n.longValue() : 0L;
  }

  public TeacherApplyLog.Snapshot teacher() {
    return TeacherApplyLog.from(accumulators());
  }

  /**
   * Polls the accumulators until {@code done} holds for the teacher log, the job ends, or {@code
   * timeout} passes; returns whether it held.
   */
  public boolean awaitTeacher(
      java.util.function.Predicate<TeacherApplyLog.Snapshot> done, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (done.test(teacher())) {
        return true;
      }
      if (status().isGloballyTerminalState()) {
        return false;
      }
      Thread.sleep(200);
    }
    return false;
  }

  /** Waits until every instance holds {@code version} (applied or restored). */
  public boolean awaitTeacherEverywhere(long version, Duration timeout)
      throws InterruptedException {
    return awaitTeacher(t -> t.heldEverywhere(version, settings.parallelism()), timeout);
  }

  /** Cancels the job and waits (bounded) for it to end. */
  @Override
  public void close() {
    try {
      if (!status().isGloballyTerminalState()) {
        client.cancel().get(60, TimeUnit.SECONDS);
      }
      client.getJobExecutionResult().handle((r, e) -> null).get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      log.warn("views job {} did not cancel cleanly: {}", client.getJobID(), e.toString());
    }
  }
}
