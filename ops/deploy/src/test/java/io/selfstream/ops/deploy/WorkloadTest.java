package io.selfstream.ops.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.selfstream.config.Config;
import io.selfstream.config.ConfigException;
import io.selfstream.config.ConfigKey;
import io.selfstream.ops.cli.SelfstreamCli;
import io.selfstream.schemas.model.SigningKeys;
import io.selfstream.trainer.views.ViewsJobSettings;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The workloads agree with the code they run: their SELFSTREAM_* environment loads with the real
 * config keys, their arguments name real CLI commands, the signing keys go where they belong, and
 * every pod has probes, resource requests and a scrapeable metrics port.
 */
class WorkloadTest {

  private static final String PRIVATE_KEY_SECRET = "selfstream-model-signing-key";
  private static final String PUBLIC_KEY_SECRET = "selfstream-model-signing-pub";

  private final Map<String, List<ObjectNode>> rendered = Deploy.renderAll();

  @Test
  void environmentLoadsWithTheRealConfigKeys() {
    rendered.forEach(
        (overlay, resources) -> {
          for (ObjectNode w : workloads(resources)) {
            for (JsonNode c : Deploy.podSpec(w).path("containers")) {
              if (!isSelfstream(w, c)) {
                continue;
              }
              Map<String, String> env = environment(resources, c);
              Collection<ConfigKey<?>> keys =
                  w.path("kind").asText().equals("FlinkDeployment")
                      ? ViewsJobSettings.allKeys()
                      : cliKeys();
              Config config = Config.load(keys, null, env, Map.of());
              System.out.println(
                  overlay
                      + " "
                      + Kustomize.id(w)
                      + ": "
                      + env.keySet().stream().filter(k -> k.startsWith("SELFSTREAM_")).count()
                      + " SELFSTREAM_* variables load; kafka.bootstrap="
                      + config.get(io.selfstream.config.ClientSettings.BOOTSTRAP));
              assertThat(env).as(Kustomize.id(w)).containsKey("SELFSTREAM_KAFKA_BOOTSTRAP");
            }
          }
        });
  }

  @Test
  void anUnknownVariableWouldStopTheApp() {
    assertThatThrownBy(
            () ->
                Config.load(cliKeys(), null, Map.of("SELFSTREAM_NORMALIZER_THREAD", "2"), Map.of()))
        .isInstanceOf(ConfigException.class);
    // the views job declares fewer keys than the CLI: normalizer keys must not reach Flink pods
    assertThatThrownBy(
            () ->
                Config.load(
                    ViewsJobSettings.allKeys(),
                    null,
                    Map.of("SELFSTREAM_NORMALIZER_THREADS", "2"),
                    Map.of()))
        .isInstanceOf(ConfigException.class);
  }

  @Test
  void argumentsNameRealCommandsOrArePending() throws Exception {
    CommandLine cli = SelfstreamCli.commandLine();
    for (ObjectNode w : workloads(rendered.get("base"))) {
      if (w.path("kind").asText().equals("FlinkDeployment")) {
        Class<?> entry = Class.forName(w.at("/spec/job/entryClass").asText());
        Method main = entry.getMethod("main", String[].class);
        assertThat(Modifier.isStatic(main.getModifiers())).isTrue();
        continue;
      }
      for (JsonNode c : w.at("/spec/template/spec/containers")) {
        if (!isSelfstream(w, c)) {
          continue;
        }
        List<String> args = new ArrayList<>();
        c.path("args").forEach(a -> args.add(a.asText()));
        assertThat(resolves(cli, args)).as(Kustomize.id(w) + " " + args).isTrue();
        // and it parses: options and positionals as the command declares them
        cli.parseArgs(args.toArray(String[]::new));
      }
    }
  }

  @Test
  void privateKeyOnlyOnTrainersPublicKeyOnConsumers() {
    rendered.forEach(
        (overlay, resources) -> {
          for (ObjectNode w : workloads(resources)) {
            String component = w.at("/metadata/labels/app.kubernetes.io~1component").asText();
            String secrets = Deploy.podSpec(w).path("volumes").toString();
            boolean hasPrivate = secrets.contains("\"" + PRIVATE_KEY_SECRET + "\"");
            boolean hasPublic = secrets.contains("\"" + PUBLIC_KEY_SECRET + "\"");
            assertThat(hasPrivate)
                .as(overlay + " " + Kustomize.id(w) + " private key")
                .isEqualTo(component.equals("trainer"));
            boolean consumer = List.of("trainer", "views", "segmentation").contains(component);
            assertThat(hasPublic)
                .as(overlay + " " + Kustomize.id(w) + " public key")
                .isEqualTo(consumer);
          }
        });
    // the files land where the code looks: <stack.dataDir>/keys/ and views.trustedKeys
    ObjectNode views =
        Deploy.find(rendered.get("base"), "ConfigMap", "selfstream-views").orElseThrow();
    assertThat(views.at("/data/SELFSTREAM_VIEWS_TRUSTEDKEYS").asText())
        .isEqualTo("/etc/selfstream/keys/" + SigningKeys.PUBLIC_KEY_FILE);
    ObjectNode apps =
        Deploy.find(rendered.get("base"), "ConfigMap", "selfstream-apps").orElseThrow();
    String keysDir = apps.at("/data/SELFSTREAM_STACK_DATADIR").asText() + "/keys";
    for (ObjectNode w : workloads(rendered.get("base"))) {
      String component = w.at("/metadata/labels/app.kubernetes.io~1component").asText();
      if (component.equals("trainer") || component.equals("segmentation")) {
        assertThat(Deploy.podSpec(w).at("/containers/0/volumeMounts").findValuesAsText("mountPath"))
            .as(Kustomize.id(w))
            .contains(keysDir);
      }
    }
  }

  @Test
  void podsHaveProbesRequestsAndAScrapeableMetricsPort() {
    rendered.forEach(
        (overlay, resources) -> {
          for (ObjectNode w : workloads(resources)) {
            String id = overlay + " " + Kustomize.id(w);
            JsonNode pod = Deploy.podSpec(w);
            JsonNode annotations =
                w.path("kind").asText().equals("FlinkDeployment")
                    ? w.at("/spec/podTemplate/metadata/annotations")
                    : w.at("/spec/template/metadata/annotations");
            assertThat(annotations.path("prometheus.io/scrape").asText()).as(id).isEqualTo("true");
            String port = annotations.path("prometheus.io/port").asText();
            assertThat(pod.path("containers").findValuesAsText("containerPort").isEmpty())
                .isFalse();
            boolean portDeclared = false;
            for (JsonNode c : pod.path("containers")) {
              for (JsonNode p : c.path("ports")) {
                if (p.path("containerPort").asText().equals(port)) {
                  portDeclared = true;
                  if (isSelfstream(w, c)) {
                    assertThat(p.path("name").asText()).as(id).isEqualTo("metrics");
                    assertThat(annotations.path("prometheus.io/path").asText())
                        .as(id)
                        .isEqualTo("/metrics");
                  }
                }
              }
            }
            assertThat(portDeclared)
                .as(id + ": scrape port " + port + " is a container port")
                .isTrue();
            if (w.path("kind").asText().equals("FlinkDeployment")) {
              assertThat(w.at("/spec/jobManager/resource/memory").asText()).as(id).isNotEmpty();
              assertThat(w.at("/spec/taskManager/resource/memory").asText()).as(id).isNotEmpty();
              continue;
            }
            assertThat(w.at("/spec/selector/matchLabels").properties())
                .as(id + ": selector matches the pod labels")
                .allSatisfy(
                    e ->
                        assertThat(w.at("/spec/template/metadata/labels").path(e.getKey()))
                            .isEqualTo(e.getValue()));
            for (JsonNode c : pod.path("containers")) {
              assertThat(c.path("name").asText()).as(id).isNotEmpty();
              assertThat(c.path("image").asText()).as(id).contains(":");
              assertThat(c.at("/resources/requests/cpu").asText())
                  .as(id + " cpu request")
                  .isNotEmpty();
              assertThat(c.at("/resources/requests/memory").asText())
                  .as(id + " memory request")
                  .isNotEmpty();
              assertThat(c.at("/resources/limits/memory").asText())
                  .as(id + " memory limit")
                  .isNotEmpty();
              assertThat(c.has("readinessProbe")).as(id + " readiness").isTrue();
              assertThat(c.has("livenessProbe")).as(id + " liveness").isTrue();
            }
          }
        });
  }

  private static List<ObjectNode> workloads(List<ObjectNode> resources) {
    List<ObjectNode> out = new ArrayList<>(Deploy.ofKind(resources, "Deployment"));
    out.addAll(Deploy.ofKind(resources, "FlinkDeployment"));
    return out;
  }

  private static boolean isSelfstream(JsonNode workload, JsonNode container) {
    return workload.path("kind").asText().equals("FlinkDeployment")
        || container.path("image").asText().startsWith("selfstream/");
  }

  /** Literal env and envFrom ConfigMaps, as the kubelet would assemble them. */
  private static Map<String, String> environment(List<ObjectNode> resources, JsonNode container) {
    Map<String, String> env = new LinkedHashMap<>();
    for (JsonNode from : container.path("envFrom")) {
      String name = from.at("/configMapRef/name").asText();
      ObjectNode cm =
          Deploy.find(resources, "ConfigMap", name)
              .orElseThrow(
                  () ->
                      new AssertionError(
                          "envFrom ConfigMap " + name + " is not in the rendered set"));
      cm.path("data").fields().forEachRemaining(e -> env.put(e.getKey(), e.getValue().asText()));
    }
    for (JsonNode e : container.path("env")) {
      if (e.has("value")) {
        env.put(e.get("name").asText(), e.get("value").asText());
      }
    }
    return env;
  }

  @SuppressWarnings("unchecked")
  private static Collection<ConfigKey<?>> cliKeys() {
    try {
      Method all = Class.forName("io.selfstream.ops.cli.ConfigKeys").getDeclaredMethod("all");
      all.setAccessible(true);
      return (Collection<ConfigKey<?>>) all.invoke(null);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("io.selfstream.ops.cli.ConfigKeys.all() is gone", e);
    }
  }

  private static boolean resolves(CommandLine cli, List<String> args) {
    CommandLine current = cli;
    boolean any = false;
    for (String a : args) {
      if (a.startsWith("-")) {
        break;
      }
      CommandLine sub = current.getSubcommands().get(a);
      if (sub == null) {
        return any && current.getSubcommands().isEmpty();
      }
      current = sub;
      any = true;
    }
    return any && current.getSubcommands().isEmpty();
  }
}
