package io.selfstream.trainer.mask;

import java.util.Objects;

/**
 * Packs patch masks into the bitset layout of the Avro field {@code TrainingView.maskBits}: bit
 * {@code i} (row-major patch index) lives in byte {@code i / 8} at bit position {@code i % 8}
 * (least significant bit first); unused high bits of the last byte are zero.
 */
public final class MaskBits {

  private MaskBits() {}

  /** Bytes needed for {@code n} flags. */
  public static int byteLength(int n) {
    if (n < 0) {
      throw new IllegalArgumentException("n must be >= 0, got " + n);
    }
    return (n + 7) >>> 3;
  }

  public static byte[] pack(boolean[] flags) {
    Objects.requireNonNull(flags, "flags");
    byte[] out = new byte[byteLength(flags.length)];
    for (int i = 0; i < flags.length; i++) {
      if (flags[i]) {
        out[i >>> 3] |= (byte) (1 << (i & 7));
      }
    }
    return out;
  }

  /**
   * Unpacks {@code n} flags.
   *
   * @throws IllegalArgumentException when {@code bits} is not exactly {@code ceil(n / 8)} bytes or
   *     a padding bit is set (a sign the sender used another grid)
   */
  public static boolean[] unpack(byte[] bits, int n) {
    Objects.requireNonNull(bits, "bits");
    if (bits.length != byteLength(n)) {
      throw new IllegalArgumentException(
          "mask bitset has " + bits.length + " bytes, " + byteLength(n) + " expected for " + n);
    }
    boolean[] out = new boolean[n];
    for (int i = 0; i < n; i++) {
      out[i] = (bits[i >>> 3] & (1 << (i & 7))) != 0;
    }
    if ((n & 7) != 0 && (bits[bits.length - 1] & 0xff) >>> (n & 7) != 0) {
      throw new IllegalArgumentException("mask bitset has padding bits set beyond flag " + n);
    }
    return out;
  }
}
