package io.selfstream.schemas.compat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.Incompatibility;

/**
 * Schema evolution rules of DESIGN.md section 3, as code the build's tests (and tools) can run:
 * BACKWARD compatibility (a consumer with the new schema reads records written with the old one)
 * and "every field has a doc".
 */
public final class SchemaEvolution {

  private SchemaEvolution() {}

  /**
   * Parses every {@code .avsc} file of {@code dir} (named types may refer to types of other files
   * in the directory, in any file order).
   *
   * @return the top-level schema of each file by full name, in file name order
   */
  public static Map<String, Schema> loadDirectory(Path dir) {
    List<Path> files;
    try (Stream<Path> list = Files.list(dir)) {
      files = list.filter(p -> p.toString().endsWith(".avsc")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dir, e);
    }
    List<String> texts = new ArrayList<>();
    for (Path file : files) {
      try {
        texts.add(Files.readString(file));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + file, e);
      }
    }
    // parse in an order where every referenced name is already defined: retry files that failed
    // on an undefined name until no progress is made
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < files.size(); i++) {
      order.add(i);
    }
    for (int attempt = 0; ; attempt++) {
      Schema.Parser parser = new Schema.Parser();
      Map<Integer, Schema> parsed = new LinkedHashMap<>();
      int failedAt = -1;
      AvroRuntimeException failure = null;
      for (int k = 0; k < order.size(); k++) {
        int i = order.get(k);
        try {
          parsed.put(i, parser.parse(texts.get(i)));
        } catch (AvroRuntimeException e) {
          // an undefined name (AvroTypeException / SchemaParseException): retry later
          failedAt = k;
          failure = e;
          break;
        }
      }
      if (failure == null) {
        Map<String, Schema> result = new LinkedHashMap<>();
        for (int i = 0; i < files.size(); i++) {
          Schema s = parsed.get(i);
          result.put(s.getFullName(), s);
        }
        return result;
      }
      if (attempt > files.size() * files.size()) {
        throw new IllegalArgumentException(
            "cannot parse " + files.get(order.get(failedAt)) + ": " + failure.getMessage(),
            failure);
      }
      order.add(order.remove(failedAt));
    }
  }

  /**
   * What makes {@code current} unable to read data written with {@code released} (BACKWARD: new
   * reader, old writer), one line per problem naming the field path, e.g. {@code
   * ModelUpdate.quality: reader field has no default (READER_FIELD_MISSING_DEFAULT_VALUE)}.
   *
   * @return empty when compatible
   */
  public static List<String> backwardIncompatibilities(Schema current, Schema released) {
    SchemaCompatibility.SchemaPairCompatibility result =
        SchemaCompatibility.checkReaderWriterCompatibility(current, released);
    List<String> problems = new ArrayList<>();
    for (Incompatibility incompatibility : result.getResult().getIncompatibilities()) {
      problems.addAll(nestedOrDescribe(current, incompatibility));
    }
    return problems;
  }

  /**
   * Avro reports a changed record inside a union (e.g. an optional nested record) only as a missing
   * union branch; check that record against its old version to name the field.
   */
  private static List<String> nestedOrDescribe(Schema reader, Incompatibility incompatibility) {
    Schema writer = incompatibility.getWriterFragment();
    Schema readerUnion = incompatibility.getReaderFragment();
    if (incompatibility.getType()
            == SchemaCompatibility.SchemaIncompatibilityType.MISSING_UNION_BRANCH
        && readerUnion != null
        && readerUnion.getType() == Schema.Type.UNION
        && writer != null) {
      List<Schema> writerBranches =
          writer.getType() == Schema.Type.UNION ? writer.getTypes() : List.of(writer);
      String prefix = fieldPath(reader, incompatibility.getLocation());
      List<String> nested = new ArrayList<>();
      for (Schema written : writerBranches) {
        for (Schema branch : readerUnion.getTypes()) {
          if (written.getType() == Schema.Type.RECORD
              && branch.getType() == Schema.Type.RECORD
              && branch.getFullName().equals(written.getFullName())) {
            for (String problem : backwardIncompatibilities(branch, written)) {
              nested.add(prefix + problem.substring(branch.getName().length()));
            }
          }
        }
      }
      if (!nested.isEmpty()) {
        return nested;
      }
    }
    return List.of(describe(reader, incompatibility));
  }

  private static String describe(Schema reader, Incompatibility incompatibility) {
    String path = fieldPath(reader, incompatibility.getLocation());
    String detail =
        switch (incompatibility.getType()) {
          case READER_FIELD_MISSING_DEFAULT_VALUE -> {
            String field = incompatibility.getMessage();
            if (!path.endsWith("." + field)) {
              path = path + "." + field;
            }
            yield "new field '" + field + "' has no default, old records lack it";
          }
          case MISSING_ENUM_SYMBOLS ->
              "enum symbols removed without an enum default: " + incompatibility.getMessage();
          case MISSING_UNION_BRANCH -> "union branch removed: " + incompatibility.getMessage();
          case TYPE_MISMATCH -> "type changed: " + incompatibility.getMessage();
          case NAME_MISMATCH -> "type renamed: " + incompatibility.getMessage();
          case FIXED_SIZE_MISMATCH -> "fixed size changed: " + incompatibility.getMessage();
          default -> incompatibility.getMessage();
        };
    return path
        + ": "
        + detail
        + " ("
        + incompatibility.getType()
        + " at "
        + incompatibility.getLocation()
        + ")";
  }

  /**
   * Turns a JSON-pointer location of the reader schema ({@code /fields/3/type/fields/0}) into a
   * dotted field path ({@code Frame.provenance.offset}).
   */
  static String fieldPath(Schema reader, String location) {
    StringBuilder path = new StringBuilder(reader.getName());
    Schema schema = reader;
    String[] tokens = location == null ? new String[0] : location.split("/");
    for (int t = 0; t < tokens.length; t++) {
      String token = tokens[t];
      if (token.isEmpty() || schema == null) {
        continue;
      }
      switch (token) {
        case "fields" -> {
          if (t + 1 < tokens.length && tokens[t + 1].matches("\\d+")) {
            int index = Integer.parseInt(tokens[++t]);
            Schema record = unwrap(schema);
            if (record.getType() == Schema.Type.RECORD && index < record.getFields().size()) {
              Schema.Field field = record.getFields().get(index);
              path.append('.').append(field.name());
              schema = field.schema();
            }
          }
        }
        case "items" -> {
          path.append("[]");
          schema =
              unwrap(schema).getType() == Schema.Type.ARRAY
                  ? unwrap(schema).getElementType()
                  : null;
        }
        case "values" -> {
          path.append("{}");
          schema =
              unwrap(schema).getType() == Schema.Type.MAP ? unwrap(schema).getValueType() : null;
        }
        default -> {
          // "type", "symbols", "size", "name" and writer-union branch indexes: no path segment;
          // a union on the reader side is looked through by unwrap()
        }
      }
    }
    return path.toString();
  }

  private static Schema unwrap(Schema schema) {
    if (schema.getType() == Schema.Type.UNION) {
      for (Schema branch : schema.getTypes()) {
        if (branch.getType() != Schema.Type.NULL) {
          return branch;
        }
      }
    }
    return schema;
  }

  /** Fields (as {@code Record.field} paths, nested records included) whose doc is missing. */
  public static List<String> fieldsWithoutDoc(Schema schema) {
    List<String> missing = new ArrayList<>();
    collectUndocumented(schema, Collections.newSetFromMap(new IdentityHashMap<>()), missing);
    return missing;
  }

  private static void collectUndocumented(Schema schema, Set<Schema> seen, List<String> missing) {
    if (!seen.add(schema)) {
      return;
    }
    switch (schema.getType()) {
      case RECORD -> {
        if (schema.getDoc() == null || schema.getDoc().isBlank()) {
          missing.add(schema.getFullName() + " (record)");
        }
        for (Schema.Field field : schema.getFields()) {
          if (field.doc() == null || field.doc().isBlank()) {
            missing.add(schema.getName() + "." + field.name());
          }
          collectUndocumented(field.schema(), seen, missing);
        }
      }
      case UNION -> schema.getTypes().forEach(s -> collectUndocumented(s, seen, missing));
      case ARRAY -> collectUndocumented(schema.getElementType(), seen, missing);
      case MAP -> collectUndocumented(schema.getValueType(), seen, missing);
      default -> {}
    }
  }
}
