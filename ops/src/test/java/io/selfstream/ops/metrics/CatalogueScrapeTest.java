package io.selfstream.ops.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.selfstream.schemas.avro.DeadLetterReason;
import io.selfstream.schemas.avro.FrameLabel;
import io.selfstream.schemas.avro.SegmentEvent;
import io.selfstream.schemas.avro.UpdateKind;
import io.selfstream.schemas.model.ModelVersion;
import io.selfstream.trainer.adapt.StepReport;
import io.selfstream.trainer.consumer.TrainerMetrics;
import io.selfstream.trainer.eval.PseudoLabelAccuracy;
import io.selfstream.trainer.eval.PseudoLabelMeters;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Every {@code selfstream_*} metric of the catalogue ({@code ops/deploy/metrics.md}, which the
 * dashboard test holds the Grafana panels to) is what the meters actually render in a Prometheus
 * scrape, with exactly the catalogue's labels, once each service's meters have seen one event: the
 * check that the catalogue and the code cannot drift apart silently.
 */
class CatalogueScrapeTest {

  private static final Pattern ROW =
      Pattern.compile("^\\|\\s*`([^`]+)`\\s*\\|\\s*([^|]+?)\\s*\\|\\s*([^|]*?)\\s*\\|.*$");

  private static Path catalogue() {
    for (Path p : List.of(Path.of("deploy/metrics.md"), Path.of("ops/deploy/metrics.md"))) {
      if (Files.isRegularFile(p)) {
        return p;
      }
    }
    throw new AssertionError("metrics.md not found from " + Path.of("").toAbsolutePath());
  }

  /** name -> (type, labels) of the selfstream rows. */
  private static Map<String, Map.Entry<String, Set<String>>> ownRows() throws Exception {
    Map<String, Map.Entry<String, Set<String>>> out = new LinkedHashMap<>();
    for (String line : Files.readAllLines(catalogue())) {
      Matcher m = ROW.matcher(line);
      if (!line.startsWith("| `") || !m.matches() || !m.group(1).startsWith("selfstream_")) {
        continue;
      }
      Set<String> labels = new TreeSet<>();
      for (String l : m.group(3).split(",")) {
        if (!l.isBlank()) {
          labels.add(l.trim());
        }
      }
      out.put(m.group(1), Map.entry(m.group(2), labels));
    }
    return out;
  }

  /** series name -> label names, from the text format. */
  private static Map<String, Set<String>> series(String scrape) {
    Map<String, Set<String>> out = new HashMap<>();
    Pattern label = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"");
    for (String line : scrape.split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      int brace = line.indexOf('{');
      int space = line.indexOf(' ');
      String name = line.substring(0, brace >= 0 && brace < space ? brace : space);
      Set<String> names = out.computeIfAbsent(name, n -> new TreeSet<>());
      if (brace >= 0 && brace < space) {
        Matcher m = label.matcher(line.substring(brace, line.lastIndexOf('}')));
        while (m.find()) {
          if (!m.group(1).equals("le") && !m.group(1).equals("quantile")) {
            names.add(m.group(1));
          }
        }
      }
    }
    return out;
  }

  @Test
  void everyOwnCatalogueMetricIsRenderedWithItsLabels() throws Exception {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    // normalizer
    NormalizerMeters normalizer = new NormalizerMeters(registry);
    normalizer.received();
    normalizer.normalized(1_000_000);
    normalizer.received();
    normalizer.deadLetter(DeadLetterReason.UNDESERIALIZABLE, 500_000);
    // trainer
    TrainerMetrics trainer = new TrainerMetrics(registry, "selfstream", "encoder");
    trainer.stepped(
        new StepReport(1, 8, 1.5, Map.of("ce", 1.0, "fairness", 0.5), 6, 0.3, 0.4, 1e-3, true, ""),
        1,
        2_000_000);
    trainer.samplesRate(12.5);
    trainer.published(2, UpdateKind.DELTA, 4096);
    trainer.checkpointed(3_000_000);
    // demo evaluator: one pseudo-label joined with its ground truth
    PseudoLabelAccuracy pseudo = new PseudoLabelAccuracy();
    PseudoLabelMeters pseudoMeters =
        new PseudoLabelMeters(
            registry, pseudo, List.of(io.selfstream.trainer.adapt.AdaptationMethod.SELFSTREAM));
    pseudo.onTruth("cam", 7, 2);
    pseudo.onPseudoLabels(
        io.selfstream.trainer.adapt.AdaptationMethod.SELFSTREAM,
        new String[] {"cam"},
        new long[] {7},
        new int[] {2});
    // segmentation, model consumer
    SegmentationMeters segmentation = new SegmentationMeters(registry, "dtgrm");
    segmentation.labelled(
        FrameLabel.newBuilder()
            .setSourceId("cam")
            .setSeq(7)
            .setCaptureTimeMs(Instant.ofEpochMilli(1_700_000_000_000L))
            .setLabel(2)
            .setEmittedAtMs(Instant.ofEpochMilli(1_700_000_000_250L))
            .build());
    segmentation.segment(
        SegmentEvent.newBuilder()
            .setSourceId("cam")
            .setStartSeq(0)
            .setEndSeq(7)
            .setStartTimeMs(Instant.ofEpochMilli(1_700_000_000_000L))
            .setEndTimeMs(Instant.ofEpochMilli(1_700_000_000_233L))
            .setLabel(2)
            .setLabelName("pour")
            .build());
    segmentation.applied(
        new ModelVersion(
            "dtgrm",
            3,
            2,
            UpdateKind.FULL,
            "f",
            null,
            "",
            "",
            Instant.ofEpochMilli(1_700_000_000_000L),
            Map.of(),
            10),
        1_700_000_002_000L);

    String scrape = registry.scrape();
    Map<String, Set<String>> series = series(scrape);
    Map<String, Map.Entry<String, Set<String>>> rows = ownRows();
    assertThat(rows)
        .containsKeys(
            "selfstream_normalizer_dead_letters_total",
            "selfstream_trainer_loss_term",
            "selfstream_segmentation_latency_seconds");
    for (Map.Entry<String, Map.Entry<String, Set<String>>> row : rows.entrySet()) {
      String name = row.getKey();
      String type = row.getValue().getKey();
      String rendered =
          switch (type) {
            case "histogram" -> name + "_bucket";
            case "summary" -> name + "_count";
            default -> name;
          };
      assertThat(series).as(name + " (" + type + ") in the scrape").containsKey(rendered);
      assertThat(series.get(rendered)).as(name + " labels").isEqualTo(row.getValue().getValue());
      if (type.equals("summary")) {
        assertThat(series)
            .as(name + ": a summary has no buckets")
            .doesNotContainKey(name + "_bucket");
      }
    }
    assertThat(scrape)
        .contains("selfstream_normalizer_dead_letters_total{reason=\"undeserializable\"} 1.0")
        .contains("selfstream_normalizer_dead_letters_total{reason=\"oversized\"} 0.0")
        .contains("selfstream_normalizer_frames_in_total 2.0")
        .contains("selfstream_segmentation_segments_total{label=\"pour\"} 1.0")
        .contains("selfstream_segmentation_latency_seconds_count 1")
        .contains("selfstream_evaluator_pseudo_label_accuracy{method=\"selfstream\"} 1.0")
        .contains(
            "selfstream_model_update_apply_seconds_sum{consumer=\"segmentation\",model=\"dtgrm\"} 2.0");
    segmentation.close();
    trainer.close();
    pseudoMeters.close();
    assertThat(registry.scrape())
        .doesNotContain("selfstream_model_applied_version")
        .doesNotContain("selfstream_trainer_loss ");
    registry.close();
  }
}
