package io.selfstream.ops.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.xpath.XPath;
import javax.xml.xpath.XPathConstants;
import javax.xml.xpath.XPathFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * The Jib configuration (ops/pom.xml: the selfstream image, plain and -Pcuda; ops/deploy/pom.xml
 * -Pflink-image: the views job's Flink image) agrees with the manifests and the code. Jib itself is
 * not run here: it needs its base images (eclipse-temurin, flink) from a registry, which the
 * offline build cannot reach.
 */
class JibConfigTest {

  private static final XPath X = XPathFactory.newInstance().newXPath();
  private final Map<String, List<ObjectNode>> rendered = Deploy.renderAll();

  @Test
  void selfstreamImageMatchesTheManifests() throws Exception {
    Document parent = parse(Deploy.repo().resolve("pom.xml"));
    Document ops = parse(Deploy.repo().resolve("ops/pom.xml"));
    Map<String, String> props = properties(parent, ops, null);
    assertThat(
            text(
                parent, "//pluginManagement//plugin[artifactId='jib-maven-plugin']/version", props))
        .isEqualTo("3.5.2");

    Element jib = element(ops, "/project/build/plugins/plugin[artifactId='jib-maven-plugin']");
    assertThat(text(jib, "configuration/from/image", props)).isEqualTo("eclipse-temurin:17-jre");
    String mainClass = text(jib, "configuration/container/mainClass", props);
    assertThat(
            Modifier.isStatic(
                Class.forName(mainClass).getMethod("main", String[].class).getModifiers()))
        .isTrue();
    assertThat(text(jib, "configuration/container/ports/port", props)).isEqualTo("9404");
    String image = text(jib, "configuration/to/image", props);
    assertThat(image).isEqualTo("selfstream/selfstream:" + props.get("project.version"));

    Element cuda = element(ops, "/project/profiles/profile[id='cuda']");
    String cudaImage = text(jib, "configuration/to/image", properties(parent, ops, cuda));
    assertThat(cudaImage).isEqualTo(image + "-cuda");
    assertThat(text(cuda, "dependencies/dependency/artifactId", props))
        .isEqualTo("pytorch-native-cu124");

    System.out.println(
        "jib: " + image + " and " + cudaImage + " from eclipse-temurin:17-jre, main " + mainClass);
    for (String overlay : List.of("base", "dev", "gpu")) {
      for (ObjectNode d : Deploy.ofKind(rendered.get(overlay), "Deployment")) {
        for (JsonNode c : d.at("/spec/template/spec/containers")) {
          String used = c.path("image").asText();
          if (used.startsWith("selfstream/")) {
            boolean trainer =
                d.at("/metadata/labels/app.kubernetes.io~1component").asText().equals("trainer");
            assertThat(used)
                .as(overlay + " " + Kustomize.id(d))
                .isEqualTo(overlay.equals("gpu") && trainer ? cudaImage : image);
            assertThat(c.at("/ports/0/containerPort").asInt()).isEqualTo(9404);
          }
        }
      }
    }
  }

  @Test
  void flinkImageMatchesTheFlinkDeployment() throws Exception {
    Document parent = parse(Deploy.repo().resolve("pom.xml"));
    Document deploy = parse(Deploy.dir().resolve("pom.xml"));
    Document trainer = parse(Deploy.repo().resolve("trainer/pom.xml"));
    Map<String, String> props = properties(parent, deploy, null);
    Element profile = element(deploy, "/project/profiles/profile[id='flink-image']");
    Element jib = element(profile, "build/plugins/plugin[artifactId='jib-maven-plugin']");
    String flinkVersion = props.get("flink.version");
    assertThat(text(jib, "configuration/from/image", props))
        .isEqualTo("flink:" + flinkVersion + "-java17");
    assertThat(text(jib, "configuration/container/entrypoint", props)).isEqualTo("INHERIT");

    JsonNode flink =
        Deploy.find(rendered.get("base"), "FlinkDeployment", "selfstream-views").orElseThrow();
    assertThat(flink.at("/spec/image").asText())
        .isEqualTo(text(jib, "configuration/to/image", props));
    Matcher v = Pattern.compile("(\\d+)\\.(\\d+)\\..*").matcher(flinkVersion);
    assertThat(v.matches()).isTrue();
    assertThat(flink.at("/spec/flinkVersion").asText())
        .isEqualTo("v" + v.group(1) + "_" + v.group(2));

    String usrlib =
        text(
            profile,
            "build/plugins/plugin[artifactId='maven-dependency-plugin']/executions/execution[id='flink-usrlib']/configuration/outputDirectory",
            props);
    String jar =
        text(
            profile,
            "build/plugins/plugin[artifactId='maven-dependency-plugin']//artifactItem/destFileName",
            props);
    String into = text(jib, "configuration/extraDirectories/paths/path/into", props);
    String from = text(jib, "configuration/extraDirectories/paths/path/from", props);
    assertThat(usrlib).startsWith(from);
    String inImage =
        Path.of(into).resolve(Path.of(from).relativize(Path.of(usrlib))).resolve(jar).toString();
    assertThat(flink.at("/spec/job/jarURI").asText()).isEqualTo("local://" + inImage);
    assertThat(
            text(
                profile,
                "build/plugins/plugin[artifactId='maven-dependency-plugin']//artifactItem/classifier",
                props))
        .isEqualTo(text(trainer, "//profile[id='flink-job']//shadedClassifierName", props));

    String jobMain = text(trainer, "//profile[id='flink-job']//transformer/mainClass", props);
    assertThat(flink.at("/spec/job/entryClass").asText()).isEqualTo(jobMain);
    System.out.println(
        "flink image: "
            + flink.at("/spec/image").asText()
            + " with "
            + inImage
            + " ("
            + jobMain
            + ")");
  }

  private static Document parse(Path pom) throws Exception {
    DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
    f.setNamespaceAware(false);
    return f.newDocumentBuilder().parse(pom.toFile());
  }

  private static Element element(Object context, String xpath) throws Exception {
    Element e = (Element) X.evaluate(xpath, context, XPathConstants.NODE);
    assertThat(e).as(xpath).isNotNull();
    return e;
  }

  /** Text at xpath with ${...} properties resolved. */
  private static String text(Object context, String xpath, Map<String, String> props)
      throws Exception {
    String raw = ((String) X.evaluate(xpath, context, XPathConstants.STRING)).trim();
    assertThat(raw).as(xpath).isNotEmpty();
    return resolve(raw, props);
  }

  private static String resolve(String value, Map<String, String> props) {
    String out = value;
    for (int i = 0; i < 10 && out.contains("${"); i++) {
      Matcher m = Pattern.compile("\\$\\{([^}]+)}").matcher(out);
      StringBuilder sb = new StringBuilder();
      while (m.find()) {
        String p = props.get(m.group(1));
        assertThat(p).as("property " + m.group(1)).isNotNull();
        m.appendReplacement(sb, Matcher.quoteReplacement(p));
      }
      m.appendTail(sb);
      out = sb.toString();
    }
    return out;
  }

  /** Parent properties, then the module's, then an active profile's; project.version. */
  private static Map<String, String> properties(Document parent, Document module, Element profile)
      throws Exception {
    Map<String, String> props = new HashMap<>();
    addProperties(props, element(parent, "/project/properties"));
    NodeList own = (NodeList) X.evaluate("/project/properties", module, XPathConstants.NODESET);
    if (own.getLength() > 0) {
      addProperties(props, (Element) own.item(0));
    }
    if (profile != null) {
      addProperties(props, element(profile, "properties"));
    }
    props.put(
        "project.version",
        ((String) X.evaluate("/project/version", parent, XPathConstants.STRING)).trim());
    props.put("project.build.directory", "target");
    return props;
  }

  private static void addProperties(Map<String, String> props, Element properties) {
    NodeList children = properties.getChildNodes();
    for (int i = 0; i < children.getLength(); i++) {
      if (children.item(i) instanceof Element e) {
        props.put(e.getTagName(), e.getTextContent().trim());
      }
    }
  }
}
