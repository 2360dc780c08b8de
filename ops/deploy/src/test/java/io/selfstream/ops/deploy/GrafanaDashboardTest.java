package io.selfstream.ops.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * grafana/selfstream.json queries only metrics of the catalogue (metrics.md), the catalogue follows
 * the Prometheus naming conventions, and every catalogue metric is on the dashboard.
 */
class GrafanaDashboardTest {

  /** PromQL words that are not metric names. */
  private static final Set<String> PROMQL_WORDS =
      Set.of(
          "by",
          "without",
          "on",
          "ignoring",
          "group_left",
          "group_right",
          "offset",
          "bool",
          "and",
          "or",
          "unless",
          "inf",
          "nan");

  private static final Pattern ROW =
      Pattern.compile(
          "^\\|\\s*`([^`]+)`\\s*\\|\\s*([^|]+?)\\s*\\|\\s*([^|]*?)\\s*\\|\\s*([^|]+?)\\s*\\|\\s*([^|]+?)\\s*\\|\\s*$");

  record Metric(String name, String type, List<String> labels) {}

  static Map<String, Metric> catalogue(Path file) throws Exception {
    Map<String, Metric> out = new LinkedHashMap<>();
    for (String line : Files.readAllLines(file)) {
      if (!line.startsWith("| `")) {
        continue;
      }
      Matcher m = ROW.matcher(line);
      assertThat(m.matches()).as("malformed catalogue row: " + line).isTrue();
      List<String> labels = new ArrayList<>();
      for (String l : m.group(3).split(",")) {
        if (!l.isBlank()) {
          labels.add(l.trim());
        }
      }
      assertThat(out.put(m.group(1), new Metric(m.group(1), m.group(2), labels)))
          .as("duplicate " + m.group(1))
          .isNull();
    }
    return out;
  }

  /** The metric names an expression references (label matchers, ranges and strings removed). */
  static Set<String> metricNames(String expr) {
    // Grafana's label_values(metric, label): the second argument is a label name
    String e = expr.replaceAll("label_values\\(([^,)]*),[^)]*\\)", "$1");
    e = e.replaceAll("\"(\\\\.|[^\"])*\"", "\"\"");
    e = e.replaceAll("\\{[^}]*}", " ");
    e = e.replaceAll("\\[[^]]*]", " ");
    e = e.replaceAll("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", " ");
    Set<String> out = new TreeSet<>();
    Matcher m = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*(\\s*\\()?").matcher(e);
    while (m.find()) {
      String token = m.group().replaceAll("[\\s(]", "");
      boolean function = m.group().endsWith("(");
      if (!function && !PROMQL_WORDS.contains(token.toLowerCase())) {
        out.add(token);
      }
    }
    return out;
  }

  /** Whether a referenced series name is covered by the catalogue (histograms by their series). */
  static boolean known(Map<String, Metric> catalogue, String series) {
    if (catalogue.containsKey(series)) {
      return true;
    }
    for (String suffix : List.of("_bucket", "_sum", "_count", "_max")) {
      if (series.endsWith(suffix)) {
        Metric base = catalogue.get(series.substring(0, series.length() - suffix.length()));
        // _bucket only on histograms; summaries (Micrometer timers without buckets) have _max
        if (base != null
            && (base.type().equals("histogram") && !suffix.equals("_max")
                || base.type().equals("summary") && !suffix.equals("_bucket"))) {
          return true;
        }
      }
    }
    return false;
  }

  private static List<String> expressions(JsonNode dashboard) {
    List<String> out = new ArrayList<>();
    dashboard.findValues("expr").forEach(v -> out.add(v.asText()));
    for (JsonNode var : dashboard.at("/templating/list")) {
      if (var.path("type").asText().equals("query")) {
        out.add(var.at("/query/query").asText(var.path("definition").asText()));
      }
    }
    return out;
  }

  @Test
  void catalogueFollowsPrometheusConventions() throws Exception {
    Map<String, Metric> catalogue = catalogue(Deploy.dir().resolve("metrics.md"));
    assertThat(catalogue).hasSizeGreaterThan(20);
    for (Metric m : catalogue.values()) {
      String n = m.name();
      switch (m.type()) {
        case "counter" -> {
          assertThat(n)
              .as(n)
              .startsWith("selfstream_")
              .endsWith("_total")
              .matches("[a-z][a-z0-9_]*");
        }
        case "gauge", "histogram", "summary" -> {
          assertThat(n)
              .as(n)
              .startsWith("selfstream_")
              .doesNotEndWith("_total")
              .matches("[a-z][a-z0-9_]*");
          if (!m.type().equals("gauge")) {
            assertThat(n).as(n + ": histograms are in base units").matches(".*_(seconds|bytes)");
          }
        }
        case "flink counter", "flink gauge" -> assertThat(n).as(n).startsWith("flink_");
        case "external gauge" -> assertThat(n).as(n).matches("[a-z][a-z0-9_]*");
        default -> throw new AssertionError(n + ": unknown type " + m.type());
      }
      assertThat(n)
          .as(n + ": _total is for counters")
          .matches(m.type().equals("counter") ? ".*_total" : ".*(?<!_total)");
      assertThat(m.labels()).as(n).allMatch(l -> l.matches("[a-z][a-z0-9_]*") && !l.equals("le"));
    }
  }

  @Test
  void everyPanelQueriesCatalogueMetricsAndEveryMetricIsShown() throws Exception {
    Map<String, Metric> catalogue = catalogue(Deploy.dir().resolve("metrics.md"));
    JsonNode dashboard =
        new ObjectMapper().readTree(Deploy.dir().resolve("grafana/selfstream.json").toFile());
    assertThat(dashboard.path("uid").asText()).isEqualTo("selfstream-overview");
    assertThat(dashboard.path("title").asText()).isNotBlank();
    assertThat(dashboard.path("schemaVersion").asInt()).isPositive();
    Set<Integer> ids = new HashSet<>();
    int queries = 0;
    Set<String> used = new TreeSet<>();
    for (JsonNode panel : dashboard.path("panels")) {
      assertThat(ids.add(panel.path("id").asInt()))
          .as("duplicate panel id " + panel.path("id"))
          .isTrue();
      if (panel.path("type").asText().equals("row")) {
        continue;
      }
      assertThat(panel.at("/datasource/uid").asText())
          .as(panel.path("title").asText())
          .isEqualTo("${datasource}");
      assertThat(panel.path("targets")).as(panel.path("title").asText()).isNotEmpty();
      for (JsonNode target : panel.path("targets")) {
        String expr = target.path("expr").asText();
        Set<String> names = metricNames(expr);
        assertThat(names).as(panel.path("title") + ": " + expr).isNotEmpty();
        for (String n : names) {
          assertThat(known(catalogue, n))
              .as(panel.path("title") + ": '" + n + "' is not in metrics.md")
              .isTrue();
          used.add(catalogue.containsKey(n) ? n : n.replaceAll("_(bucket|sum|count|max)$", ""));
        }
        queries++;
      }
    }
    for (String expr : expressions(dashboard)) {
      metricNames(expr).forEach(n -> assertThat(known(catalogue, n)).as(expr).isTrue());
    }
    System.out.println(
        dashboard.path("panels").size()
            + " panels, "
            + queries
            + " queries, "
            + used.size()
            + " of "
            + catalogue.size()
            + " catalogue metrics shown");
    assertThat(used).as("catalogue metrics on the dashboard").containsAll(catalogue.keySet());
  }

  @Test
  void theExtractorFindsMetricNamesAndNothingElse() {
    assertThat(
            metricNames(
                "histogram_quantile(0.99, sum by (le, model) (rate(selfstream_model_update_apply_seconds_bucket{model=~\"$m\"}[5m])))"))
        .containsExactly("selfstream_model_update_apply_seconds_bucket");
    assertThat(
            metricNames(
                "sum by (reason) (rate(selfstream_normalizer_dead_letters_total[5m])) / ignoring(reason) group_left sum(rate(x_total[5m]))"))
        .containsExactly("selfstream_normalizer_dead_letters_total", "x_total");
    assertThat(metricNames("label_values(selfstream_trainer_samples_total, method)"))
        .containsExactly("selfstream_trainer_samples_total");
  }

  @Test
  void anUnknownMetricIsCaught() throws Exception {
    Map<String, Metric> catalogue = catalogue(Deploy.dir().resolve("metrics.md"));
    assertThat(known(catalogue, "selfstream_trainer_samples_total")).isTrue();
    assertThat(known(catalogue, "selfstream_normalizer_process_seconds_bucket")).isTrue();
    assertThat(known(catalogue, "selfstream_trainer_step_seconds_count")).isTrue();
    // a summary has no buckets, so histogram_quantile over it would be empty
    assertThat(known(catalogue, "selfstream_trainer_step_seconds_bucket")).isFalse();
    assertThat(known(catalogue, "selfstream_trainer_sample_total")).isFalse();
    // _bucket is only valid on histograms
    assertThat(known(catalogue, "selfstream_trainer_loss_bucket")).isFalse();
  }
}
