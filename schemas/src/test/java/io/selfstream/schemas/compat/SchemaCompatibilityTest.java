package io.selfstream.schemas.compat;

import static org.assertj.core.api.Assertions.assertThat;

import io.selfstream.schemas.TopicSpec;
import io.selfstream.schemas.Topics;
import io.selfstream.schemas.avro.ModelUpdate;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.specific.SpecificData;
import org.junit.jupiter.api.Test;

/**
 * The schema rules of DESIGN.md section 3. Released schemas live under {@code
 * src/test/resources/released/vN/}; when a release ships, copy {@code src/main/avro} to the next
 * {@code vN}. Every current schema must read data written with every released version
 * (BACKWARD_TRANSITIVE).
 */
class SchemaCompatibilityTest {

  static final Path CURRENT = Path.of("src/main/avro");
  static final Path RELEASED = Path.of("src/test/resources/released");

  @Test
  void everyCurrentSchemaReadsEveryReleasedVersion() throws IOException {
    Map<String, Schema> current = SchemaEvolution.loadDirectory(CURRENT);
    List<Path> versions;
    try (Stream<Path> dirs = Files.list(RELEASED)) {
      versions = dirs.filter(Files::isDirectory).sorted().toList();
    }
    assertThat(versions).as("released schema versions under %s", RELEASED).isNotEmpty();

    List<String> problems = new ArrayList<>();
    for (Path version : versions) {
      for (Map.Entry<String, Schema> released : SchemaEvolution.loadDirectory(version).entrySet()) {
        Schema now = current.get(released.getKey());
        if (now == null) {
          problems.add(
              released.getKey() + " was released in " + version.getFileName() + " but is gone");
          continue;
        }
        for (String problem : SchemaEvolution.backwardIncompatibilities(now, released.getValue())) {
          problems.add("vs " + version.getFileName() + ": " + problem);
        }
      }
    }
    assertThat(problems).as("BACKWARD-incompatible schema changes").isEmpty();
  }

  @Test
  void currentSchemasAreTheOnesTheGeneratedClassesCarry() {
    Map<String, Schema> current = SchemaEvolution.loadDirectory(CURRENT);
    for (TopicSpec<?> topic : Topics.ALL) {
      Schema generated = SpecificData.get().getSchema(topic.valueType());
      Schema source = current.get(generated.getFullName());
      assertThat(source).as("schema of %s in %s", topic.name(), CURRENT).isNotNull();
      // generated classes add "avro.java.string" properties; compare the parsing canonical form
      assertThat(SchemaNormalization.toParsingForm(source))
          .as("schema of %s in %s vs generated class (rebuild?)", topic.name(), CURRENT)
          .isEqualTo(SchemaNormalization.toParsingForm(generated));
    }
  }

  @Test
  void everyFieldHasADoc() {
    List<String> missing = new ArrayList<>();
    for (Schema schema : SchemaEvolution.loadDirectory(CURRENT).values()) {
      missing.addAll(SchemaEvolution.fieldsWithoutDoc(schema));
    }
    assertThat(missing).as("fields without doc").isEmpty();
  }

  @Test
  void missingDocIsDetected() {
    Schema schema =
        new Schema.Parser()
            .parse(
                """
                {"type":"record","name":"R","doc":"r","fields":[
                  {"name":"a","type":"int","doc":"documented"},
                  {"name":"b","type":{"type":"record","name":"Inner","doc":"i",
                     "fields":[{"name":"c","type":"long"}]}}]}
                """);
    assertThat(SchemaEvolution.fieldsWithoutDoc(schema)).containsExactly("R.b", "Inner.c");
  }

  @Test
  void newFieldWithoutDefaultIsDetectedAndNamed() {
    Schema released = ModelUpdate.getClassSchema();
    Schema changed = withExtraField(released, new Schema.Field("quality", intSchema(), "q"));

    List<String> problems = SchemaEvolution.backwardIncompatibilities(changed, released);

    assertThat(problems).hasSize(1);
    assertThat(problems.get(0))
        .startsWith("ModelUpdate.quality: new field 'quality' has no default")
        .contains("READER_FIELD_MISSING_DEFAULT_VALUE");
  }

  @Test
  void newFieldWithDefaultIsCompatible() {
    Schema released = ModelUpdate.getClassSchema();
    Schema changed = withExtraField(released, new Schema.Field("quality", intSchema(), "q", 0));
    assertThat(SchemaEvolution.backwardIncompatibilities(changed, released)).isEmpty();
  }

  @Test
  void changedFieldTypeIsDetectedAndNamed() {
    Schema released = ModelUpdate.getClassSchema();
    List<Schema.Field> fields = new ArrayList<>();
    for (Schema.Field f : released.getFields()) {
      fields.add(
          f.name().equals("chunkCount")
              ? new Schema.Field(f.name(), Schema.create(Schema.Type.STRING), f.doc(), "1")
              : new Schema.Field(f, f.schema()));
    }
    Schema changed = record(released, fields);

    List<String> problems = SchemaEvolution.backwardIncompatibilities(changed, released);

    assertThat(problems).hasSize(1);
    assertThat(problems.get(0))
        .startsWith("ModelUpdate.chunkCount: type changed")
        .contains("TYPE_MISMATCH");
  }

  @Test
  void removedEnumSymbolIsDetectedAndNamed() {
    Schema released = ModelUpdate.getClassSchema();
    List<Schema.Field> fields = new ArrayList<>();
    for (Schema.Field f : released.getFields()) {
      fields.add(
          f.name().equals("kind")
              ? new Schema.Field(
                  f.name(),
                  Schema.createEnum(
                      "UpdateKind", "k", "io.selfstream.schemas.avro", List.of("FULL")),
                  f.doc())
              : new Schema.Field(f, f.schema()));
    }
    List<String> problems =
        SchemaEvolution.backwardIncompatibilities(record(released, fields), released);
    assertThat(problems)
        .anySatisfy(p -> assertThat(p).contains("ModelUpdate.kind").contains("DELTA"));
  }

  @Test
  void nestedFieldsAreNamedByTheirPath() {
    Schema released =
        new Schema.Parser()
            .parse(
                """
                {"type":"record","name":"Outer","fields":[
                  {"name":"id","type":"long"},
                  {"name":"inner","type":["null",{"type":"record","name":"Inner","fields":[
                     {"name":"a","type":"int"}]}],"default":null}]}
                """);
    Schema current =
        new Schema.Parser()
            .parse(
                """
                {"type":"record","name":"Outer","fields":[
                  {"name":"id","type":"long"},
                  {"name":"inner","type":["null",{"type":"record","name":"Inner","fields":[
                     {"name":"a","type":"int"},{"name":"b","type":"string"}]}],"default":null}]}
                """);
    assertThat(SchemaEvolution.backwardIncompatibilities(current, released))
        .singleElement()
        .satisfies(p -> assertThat(p).startsWith("Outer.inner.b: new field 'b' has no default"));
  }

  @Test
  void directoryLoadingResolvesReferencesInAnyFileOrder(@org.junit.jupiter.api.io.TempDir Path dir)
      throws IOException {
    // "A" sorts first but refers to the enum defined in "B"
    Files.writeString(
        dir.resolve("A.avsc"),
        """
        {"type":"record","name":"A","namespace":"t","doc":"a","fields":[
          {"name":"e","type":"t.E","doc":"e"}]}
        """);
    Files.writeString(
        dir.resolve("B.avsc"),
        "{\"type\":\"enum\",\"name\":\"E\",\"namespace\":\"t\",\"symbols\":[\"X\"]}");
    Map<String, Schema> loaded = SchemaEvolution.loadDirectory(dir);
    assertThat(loaded).containsOnlyKeys("t.A", "t.E");
    assertThat(loaded.get("t.A").getField("e").schema()).isEqualTo(loaded.get("t.E"));
  }

  private static Schema intSchema() {
    return Schema.create(Schema.Type.INT);
  }

  private static Schema withExtraField(Schema base, Schema.Field extra) {
    List<Schema.Field> fields = new ArrayList<>();
    for (Schema.Field f : base.getFields()) {
      fields.add(new Schema.Field(f, f.schema()));
    }
    fields.add(extra);
    return record(base, fields);
  }

  private static Schema record(Schema base, List<Schema.Field> fields) {
    Schema copy = Schema.createRecord(base.getName(), base.getDoc(), base.getNamespace(), false);
    copy.setFields(fields);
    return copy;
  }
}
