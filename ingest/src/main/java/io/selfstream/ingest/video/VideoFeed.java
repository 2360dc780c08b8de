package io.selfstream.ingest.video;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * One video feed: a source id (the record key of its frames) and what FFmpeg opens: a file path or
 * a URL ({@code file:}, {@code http(s):}, {@code rtsp:}, {@code rtmp:}, {@code udp:}, ...).
 *
 * @param sourceId record key and {@code sourceId} of every frame
 * @param url file path or URL
 */
public record VideoFeed(String sourceId, String url) {

  private static final String ID = "[A-Za-z0-9._:-]{1,200}";

  public VideoFeed {
    if (sourceId == null || !sourceId.matches(ID)) {
      throw new IllegalArgumentException(
          "source id must be 1-200 of [A-Za-z0-9._:-], got '" + sourceId + "'");
    }
    if (url == null || url.isBlank()) {
      throw new IllegalArgumentException("video URL of " + sourceId + " must not be blank");
    }
    url = url.trim();
  }

  /** The URL scheme in lower case ({@code http}, {@code rtsp}, ...), or "" for a plain path. */
  public String scheme() {
    int colon = url.indexOf(':');
    // one letter before ':' is a Windows drive, not a scheme
    if (colon < 2 || !url.substring(0, colon).matches("[A-Za-z][A-Za-z0-9+.-]*")) {
      return "";
    }
    return url.substring(0, colon).toLowerCase(Locale.ROOT);
  }

  /** Whether FFmpeg reads this feed over the network (anything but a path or a {@code file:}). */
  public boolean isNetwork() {
    String s = scheme();
    return !s.isEmpty() && !s.equals("file");
  }

  /** The local file of a path or {@code file:} URL; null for network feeds. */
  public Path localFile() {
    String s = scheme();
    if (s.isEmpty()) {
      return Path.of(url);
    }
    if (s.equals("file")) {
      return url.startsWith("file://") ? Path.of(URI.create(url)) : Path.of(url.substring(5));
    }
    return null;
  }

  /**
   * Pairs URLs with source ids: the same number of each pairs them in order; one id for many URLs
   * numbers them {@code ID-1 .. ID-n}; no id derives each from its file name.
   */
  public static List<VideoFeed> of(List<String> urls, List<String> sourceIds) {
    if (urls.isEmpty()) {
      throw new IllegalArgumentException("no video URL given");
    }
    List<VideoFeed> feeds = new ArrayList<>();
    for (int i = 0; i < urls.size(); i++) {
      String id;
      if (sourceIds.size() == urls.size()) {
        id = sourceIds.get(i);
      } else if (sourceIds.size() == 1) {
        id = sourceIds.get(0) + "-" + (i + 1);
      } else if (sourceIds.isEmpty()) {
        id = idFromUrl(urls.get(i));
      } else {
        throw new IllegalArgumentException(
            sourceIds.size()
                + " source ids for "
                + urls.size()
                + " URLs: give one per URL, one for all, or none");
      }
      feeds.add(new VideoFeed(id, urls.get(i)));
    }
    return checkUnique(feeds);
  }

  /**
   * Reads a feed list: one feed per line, {@code sourceId url} separated by white space; blank
   * lines and lines starting with {@code #} are skipped.
   */
  public static List<VideoFeed> readList(Path file) throws IOException {
    List<VideoFeed> feeds = new ArrayList<>();
    List<String> lines = Files.readAllLines(file);
    for (int n = 0; n < lines.size(); n++) {
      String line = lines.get(n).strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      String[] parts = line.split("\\s+", 2);
      if (parts.length < 2) {
        throw new IllegalArgumentException(
            file + " line " + (n + 1) + ": expected 'sourceId url', got '" + line + "'");
      }
      try {
        feeds.add(new VideoFeed(parts[0], parts[1]));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(file + " line " + (n + 1) + ": " + e.getMessage(), e);
      }
    }
    if (feeds.isEmpty()) {
      throw new IllegalArgumentException(file + " lists no feeds");
    }
    return checkUnique(feeds);
  }

  /** A source id from the last path segment of {@code url} without its extension. */
  static String idFromUrl(String url) {
    String path = url;
    int query = path.indexOf('?');
    if (query >= 0) {
      path = path.substring(0, query);
    }
    while (path.endsWith("/")) {
      path = path.substring(0, path.length() - 1);
    }
    String name = path.substring(path.lastIndexOf('/') + 1);
    int dot = name.lastIndexOf('.');
    if (dot > 0) {
      name = name.substring(0, dot);
    }
    name = name.replaceAll("[^A-Za-z0-9._:-]", "_");
    if (name.isEmpty() || name.chars().allMatch(c -> c == '_' || c == ':')) {
      throw new IllegalArgumentException("cannot derive a source id from " + url + "; give one");
    }
    return name.length() > 200 ? name.substring(0, 200) : name;
  }

  private static List<VideoFeed> checkUnique(List<VideoFeed> feeds) {
    Set<String> seen = new HashSet<>();
    for (VideoFeed f : feeds) {
      if (!seen.add(f.sourceId())) {
        throw new IllegalArgumentException(
            "source id " + f.sourceId() + " is given to two feeds; each feed needs its own");
      }
    }
    return List.copyOf(feeds);
  }
}
