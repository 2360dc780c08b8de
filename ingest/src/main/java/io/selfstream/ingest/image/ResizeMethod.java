package io.selfstream.ingest.image;

/** How frames are brought to the model resolution. */
public enum ResizeMethod {
  /**
   * Area averaging (box filter over the exact source footprint) when shrinking, bilinear when
   * growing. The right default for downscaling camera images to a small model input.
   */
  AREA,
  /** Bilinear interpolation with half-pixel centres (aliases when shrinking by a lot). */
  BILINEAR,
  /** No resizing: a frame not already at the model resolution is rejected. */
  NONE
}
