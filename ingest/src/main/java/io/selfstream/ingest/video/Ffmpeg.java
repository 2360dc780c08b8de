package io.selfstream.ingest.video;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacpp.BytePointer;

/** Process-wide FFmpeg set-up and error texts shared by the video classes. */
final class Ffmpeg {

  private static final Pattern ERROR_CODE = Pattern.compile("error (-\\d+)");

  private static volatile boolean ready;

  private Ffmpeg() {}

  /**
   * Loads FFmpeg (natives unpack into {@code org.bytedeco.javacpp.cachedir}, or {@code
   * ~/.javacpp/cache} when unset) and quietens it: FFmpeg prints a format dump per input and codec
   * chatter at INFO/WARNING on stderr, which would drown the CLI's own output; its errors stay.
   * javacpp's messages go to SLF4J unless a javacpp logger was chosen already.
   *
   * @throws IllegalStateException when the native libraries cannot be loaded
   */
  static void init() {
    if (ready) {
      return;
    }
    synchronized (Ffmpeg.class) {
      if (ready) {
        return;
      }
      if (System.getProperty("org.bytedeco.javacpp.logger") == null) {
        System.setProperty("org.bytedeco.javacpp.logger", "slf4j");
      }
      try {
        avutil.av_log_set_level(avutil.AV_LOG_ERROR);
      } catch (LinkageError e) {
        throw new IllegalStateException(
            "FFmpeg's native libraries (org.bytedeco:ffmpeg, linux-x86_64) could not be loaded: "
                + e,
            e);
      }
      ready = true;
    }
  }

  /** FFmpeg's text for an AVERROR code, e.g. "Connection refused". */
  static String errorText(int code) {
    init();
    try (BytePointer buf = new BytePointer(256)) {
      buf.zero();
      if (avutil.av_strerror(code, buf, buf.capacity()) < 0) {
        return "FFmpeg error " + code;
      }
      byte[] text = new byte[(int) buf.capacity()];
      buf.get(text);
      int n = 0;
      while (n < text.length && text[n] != 0) {
        n++;
      }
      return new String(text, 0, n, java.nio.charset.StandardCharsets.UTF_8);
    }
  }

  /**
   * A javacv exception message made readable: {@code "avformat_open_input() error -111: Could not
   * open input ..."} becomes {@code "Connection refused (avformat_open_input() error -111)"}.
   */
  static String describe(Throwable e) {
    String message = String.valueOf(e.getMessage());
    Matcher m = ERROR_CODE.matcher(message);
    if (m.find()) {
      int code = Integer.parseInt(m.group(1));
      String call = message.substring(0, m.start()).trim();
      return errorText(code) + " (" + (call.isEmpty() ? "" : call + " ") + "error " + code + ")";
    }
    return message;
  }
}
