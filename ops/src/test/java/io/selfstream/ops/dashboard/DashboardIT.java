package io.selfstream.ops.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.selfstream.data.FashionMnist;
import io.selfstream.ingest.corrupt.CorruptedStream;
import io.selfstream.ingest.corrupt.Corruption;
import io.selfstream.ops.demo.DemoRun;
import io.selfstream.ops.metrics.MetricsServer;
import io.selfstream.ops.metrics.MetricsSettings;
import io.selfstream.ops.pipeline.LiveVideoFeeds;
import io.selfstream.ops.pipeline.SeedSegmentationModel;
import io.selfstream.ops.pipeline.SourceEncoder;
import io.selfstream.ops.stack.EmbeddedStack;
import io.selfstream.ops.stack.StackSettings;
import io.selfstream.trainer.adapt.AdaptConfig;
import io.selfstream.trainer.adapt.AdaptationMethod;
import io.selfstream.trainer.encoder.BootstrapConfig;
import io.selfstream.trainer.encoder.BootstrapListener;
import io.selfstream.trainer.encoder.EncoderConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The dashboard in a real headless Chromium (Debian's chromium and chromedriver, driven by
 * Selenium) against a real short demo on the embedded stack: the page loads Chart.js from the
 * server, its charts receive points while the demo runs, and a screenshot of the finished run is
 * saved to {@code target/dashboard-screenshot.png}.
 */
class DashboardIT {

  static final Path CHROMIUM = Paths.get("/usr/bin/chromium");
  static final Path CHROMEDRIVER = Paths.get("/usr/bin/chromedriver");
  static final Path SCREENSHOT = Paths.get("target", "dashboard-screenshot.png");

  /** Points of the named dataset of a chart, as the page's Chart.js object holds them. */
  private static final String POINTS =
      "const c = window.dashboardCharts && window.dashboardCharts[arguments[0]];"
          + "if (!c) return -1;"
          + "const d = c.data.datasets.find(d => d.label === arguments[1]);"
          + "return d ? d.data.length : 0;";

  @TempDir Path work;

  @Test
  void theChartsFollowARunningDemo() throws Exception {
    assumeTrue(
        Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
        "Chromium or chromedriver missing (scripts/setup.sh installs chromium chromium-driver)");
    assumeTrue(
        Files.isRegularFile(FashionMnist.DEBIAN_DIR.resolve("t10k-images-idx3-ubyte.gz")),
        "Fashion-MNIST not installed (scripts/setup.sh installs dataset-fashion-mnist)");
    SourceEncoder source =
        SourceEncoder.loadOrTrain(
            Paths.get("target", "it-models"),
            EncoderConfig.DEFAULT,
            BootstrapConfig.DEFAULT.withEpochs(1),
            false,
            BootstrapListener.NONE);
    // a short demo: two domain changes, a status tick every 2 s
    DemoRun.Options options =
        new DemoRun.Options(
            Duration.ofMinutes(2),
            CorruptedStream.Config.defaults()
                .withSeverity(5)
                .withOrder(List.of(Corruption.BRIGHTNESS, Corruption.CONTRAST, Corruption.FOG))
                .withLimitPerDomain(100),
            15,
            List.of(AdaptationMethod.SELFSTREAM, AdaptationMethod.SELFTRAIN, AdaptationMethod.TENT),
            AdaptConfig.DEFAULT,
            5,
            10,
            // frames are scored 5 s after joining at the latest: a short run has no fresher
            // versions to wait for, and the charts must get points before it ends
            Duration.ofSeconds(5),
            Duration.ofSeconds(2),
            Duration.ofMinutes(2),
            // one live video feed for the segmentation band (20 s at 10 frames/s)
            new DemoRun.Video(
                LiveVideoFeeds.Spec.none().withFeeds(1).withSeconds(Duration.ofSeconds(20)),
                5,
                Duration.ofSeconds(10),
                Map.of()));
    // the quick seed DTGRM, cached next to the source encoder (shared with DemoRunIT)
    SeedSegmentationModel seed =
        SeedSegmentationModel.loadOrTrain(
            Paths.get("target", "it-models"),
            SeedSegmentationModel.Recipe.quick(),
            System.out::println);

    try (EmbeddedStack stack = EmbeddedStack.start(StackSettings.forTests(work.resolve("stack")));
        MetricsServer server = MetricsServer.start(new MetricsSettings("127.0.0.1", 0))) {
      DashboardState state = new DashboardState(server.registry());
      DashboardServer.mount(server, state::json);
      AtomicReference<Object> outcome = new AtomicReference<>();
      Thread demo =
          new Thread(
              () -> {
                try {
                  outcome.set(
                      new DemoRun(
                              stack.clientSettings(),
                              work,
                              source,
                              options,
                              server.registry(),
                              System.out)
                          .listener(state)
                          .segmentation(seed)
                          .run());
                } catch (Throwable t) {
                  outcome.set(t);
                }
              },
              "dashboard-it-demo");
      demo.start();

      ChromeDriverService service =
          new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile()).build();
      ChromeOptions chrome = new ChromeOptions();
      chrome.setBinary(CHROMIUM.toString());
      chrome.addArguments(
          "--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1500,1900");
      ChromeDriver browser = new ChromeDriver(service, chrome);
      try {
        browser.get(server.baseUrl() + "/");
        JavascriptExecutor js = browser;
        assertThat(js.executeScript("return typeof Chart === 'function' ? Chart.version : null"))
            .as("Chart.js served from the jar")
            .isEqualTo("4.5.1");

        // while the demo runs, the error chart gains points for the source and the full method
        long deadline = System.nanoTime() + Duration.ofMinutes(6).toNanos();
        boolean liveData = false;
        while (System.nanoTime() < deadline && demo.isAlive()) {
          if (points(js, "error", "source") >= 2 && points(js, "error", "selfstream") >= 2) {
            liveData = true;
            break;
          }
          Thread.sleep(500);
        }
        assertThat(liveData)
            .as("error chart received points while the demo ran (outcome %s)", outcome.get())
            .isTrue();

        demo.join(Duration.ofMinutes(6).toMillis());
        assertThat(demo.isAlive()).as("demo finished").isFalse();
        assertThat(outcome.get()).as("demo outcome").isInstanceOf(DemoRun.Summary.class);
        DemoRun.Summary summary = (DemoRun.Summary) outcome.get();

        // one more poll after the final tick, then every chart shows the finished run
        long updates = ((Number) js.executeScript("return window.dashboardUpdates")).longValue();
        long pollDeadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (((Number) js.executeScript("return window.dashboardUpdates")).longValue()
                <= updates + 1
            && System.nanoTime() < pollDeadline) {
          Thread.sleep(200);
        }
        // the charts hold every tick the state has (error points from the first scored frame)
        JsonNode doc = new ObjectMapper().readTree(state.json());
        int ticks = state.ticks();
        for (String m : List.of("source", "selfstream", "selftrain", "tent")) {
          long scoredTicks = 0;
          for (JsonNode v : doc.get("methods").get(m).get("error")) {
            scoredTicks += v.isNull() ? 0 : 1;
          }
          assertThat(scoredTicks).as("scored ticks of %s", m).isGreaterThanOrEqualTo(2);
          assertThat(points(js, "error", m)).as("error points of %s", m).isEqualTo(scoredTicks);
        }
        for (String m : List.of("selfstream", "selftrain", "tent")) {
          assertThat(points(js, "versions", m)).as("version points of %s", m).isEqualTo(ticks);
          assertThat(points(js, "pseudo", m + " rate"))
              .as("pseudo-label rate of %s", m)
              .isPositive();
          assertThat(points(js, "updates", m + " delta")).as("delta sizes of %s", m).isPositive();
        }
        // pseudo-label accuracy: the teacher-student methods have it, TENT has no pseudo-labels
        for (String m : List.of("selfstream", "selftrain")) {
          assertThat(points(js, "pseudo", m + " accuracy"))
              .as("pseudo-label accuracy points of %s", m)
              .isPositive();
        }
        assertThat(points(js, "pseudo", "tent accuracy")).isZero();
        @SuppressWarnings("unchecked")
        Map<String, Map<String, Object>> pseudo =
            (Map<String, Map<String, Object>>) summary.json().get("pseudo_label_accuracy");
        System.out.println("pseudo-label accuracy: " + pseudo);
        for (String m : List.of("selfstream", "selftrain")) {
          assertThat(((Number) pseudo.get(m).get("matched")).longValue())
              .as("%s pseudo-labels matched with labels.eval", m)
              .isPositive();
          // every confident pseudo-label found its frame's ground truth by (sourceId, seq)
          assertThat(((Number) pseudo.get(m).get("unmatched")).longValue())
              .as("%s pseudo-labels without ground truth", m)
              .isZero();
          assertThat(((Number) pseudo.get(m).get("accuracy")).doubleValue())
              .as("%s pseudo-label accuracy", m)
              .isBetween(0.0, 1.0);
        }
        assertThat(pseudo.get("tent").get("accuracy")).isNull();
        assertThat(points(js, "throughput", "frames/s")).isPositive();
        assertThat(points(js, "latency", "selfstream step ms")).isPositive();
        // the page shows the run's final figures
        @SuppressWarnings("unchecked")
        Map<String, Map<String, Object>> trainers =
            (Map<String, Map<String, Object>>) summary.json().get("trainers");
        Object lastVersion =
            js.executeScript(
                "const d = dashboardCharts.versions.data.datasets.find(d => d.label ==="
                    + " 'selfstream'); return d.data[d.data.length - 1].y;");
        assertThat(((Number) lastVersion).longValue())
            .isEqualTo(trainers.get("selfstream").get("version"));
        Object boundaries =
            js.executeScript(
                "return dashboardCharts.error.options.plugins.boundaries.marks.map(m =>"
                    + " m.domain);");
        assertThat(boundaries.toString()).contains("brightness").contains("fog");
        assertThat(browser.findElement(org.openqa.selenium.By.id("summary")).getText())
            .contains("domain fog");
        // the video feed's predicted vs true action bands, drawn from the live labels
        assertThat(doc.get("segmentation").get("video-1").get("predicted").size())
            .as("labelled frames of video-1 in the dashboard state")
            .isPositive();
        Object band =
            js.executeScript(
                "const d = document.querySelector('#segmentation .feed[data-feed=\"video-1\"]');"
                    + " if (!d) return null; const c = d.querySelector('canvas');"
                    + " const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;"
                    + " let painted = 0; for (let i = 3; i < px.length; i += 4) painted += px[i] > 0;"
                    + " return painted;");
        assertThat(band).as("video-1 band painted").isNotNull();
        assertThat(((Number) band).longValue())
            .as("painted pixels of the video-1 band")
            .isPositive();

        Files.createDirectories(SCREENSHOT.getParent());
        Files.write(SCREENSHOT, browser.getScreenshotAs(OutputType.BYTES));
        System.out.println("dashboard screenshot: " + SCREENSHOT.toAbsolutePath());
      } finally {
        browser.quit();
        demo.join(Duration.ofMinutes(3).toMillis());
      }
    }
  }

  private static long points(JavascriptExecutor js, String chart, String label) {
    return ((Number) js.executeScript(POINTS, chart, label)).longValue();
  }
}
