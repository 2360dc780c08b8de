package io.selfstream.graphreasoning.data;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Class index to action name, as in the MS-TCN {@code mapping.txt} ({@code "<index> <name>"}). */
public record LabelMapping(List<String> names) {

  public LabelMapping {
    names = List.copyOf(names);
    if (names.isEmpty()) {
      throw new IllegalArgumentException("empty label mapping");
    }
    if (new java.util.HashSet<>(names).size() != names.size()) {
      throw new IllegalArgumentException("duplicate action names in mapping: " + names);
    }
  }

  public int size() {
    return names.size();
  }

  public String name(int index) {
    return names.get(index);
  }

  /** Index of an action name; throws with the unknown name in the message. */
  public int index(String name) {
    Integer i = indexMap().get(name);
    if (i == null) {
      throw new IllegalArgumentException("action '" + name + "' not in mapping " + names);
    }
    return i;
  }

  /** Converts frame-level names to indices. */
  public int[] indices(List<String> frameLabels) {
    Map<String, Integer> map = indexMap();
    int[] out = new int[frameLabels.size()];
    for (int t = 0; t < out.length; t++) {
      Integer i = map.get(frameLabels.get(t));
      if (i == null) {
        throw new IllegalArgumentException(
            "frame " + t + ": action '" + frameLabels.get(t) + "' not in mapping " + names);
      }
      out[t] = i;
    }
    return out;
  }

  /** Converts frame-level indices to names. */
  public List<String> labels(int[] indices) {
    String[] out = new String[indices.length];
    for (int t = 0; t < out.length; t++) {
      out[t] = names.get(indices[t]);
    }
    return List.of(out);
  }

  private Map<String, Integer> indexMap() {
    Map<String, Integer> m = new HashMap<>();
    for (int i = 0; i < names.size(); i++) {
      m.put(names.get(i), i);
    }
    return m;
  }
}
