package io.selfstream.ingest.corrupt;

import static org.assertj.core.api.Assertions.assertThat;

import io.selfstream.ingest.TestImages;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Objects;
import org.junit.jupiter.api.Test;

/**
 * Compares with outputs of the original Python functions (numpy/scipy/Pillow/ImageMagick) run with
 * this package's 28x28 parameters and its random numbers; see the header of {@code
 * corruption-reference.txt}. Allowed: a difference of one level on a few pixels, where float32 (the
 * original) and double arithmetic land on either side of a truncation.
 */
class CorruptionReferenceTest {

  @Test
  void matchesTheOriginalImplementations() throws IOException {
    int cases = 0;
    try (InputStream in =
            Objects.requireNonNull(getClass().getResourceAsStream("corruption-reference.txt"));
        BufferedReader reader =
            new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII))) {
      String line;
      while ((line = reader.readLine()) != null) {
        if (line.startsWith("#") || line.isBlank()) {
          continue;
        }
        String[] f = line.split(" ");
        Corruption c = Corruption.fromId(f[0]);
        int severity = Integer.parseInt(f[1]);
        int image = Integer.parseInt(f[2]);
        long seed = Long.parseLong(f[3]);
        byte[] expected = HexFormat.of().parseHex(f[4]);
        byte[] actual = c.apply(TestImages.image(image), 28, 28, 1, severity, seed);
        int off = 0;
        for (int i = 0; i < expected.length; i++) {
          int d = Math.abs((expected[i] & 0xff) - (actual[i] & 0xff));
          assertThat(d)
              .as("%s s%d image %d pixel %d", c, severity, image, i)
              .isLessThanOrEqualTo(1);
          off += d;
        }
        assertThat(off).as("%s s%d pixels off by one", c, severity).isLessThanOrEqualTo(4);
        cases++;
      }
    }
    assertThat(cases).isEqualTo(36);
  }
}
