package io.selfstream.graphreasoning.model;

import java.util.Locale;

/** The temporal models this module trains. */
public enum ModelType {
  /** All stages single-stage TCNs (Farha and Gall, CVPR 2019). */
  MSTCN,
  /** Stage 1 a TCN, later stages dilated temporal graph reasoning (Wang et al., AAAI 2021). */
  DTGRM;

  /** Parses {@code mstcn}/{@code ms-tcn}/{@code dtgrm}, case-insensitively. */
  public static ModelType parse(String s) {
    String k = s.trim().toUpperCase(Locale.ROOT).replace("-", "").replace("_", "");
    try {
      return valueOf(k);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("unknown model '" + s + "' (expected mstcn or dtgrm)", e);
    }
  }
}
