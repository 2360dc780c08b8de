package io.selfstream.ingest.image;

import io.selfstream.schemas.avro.FrameEncoding;

/**
 * What the structure of an encoded image declares, read without decoding pixels.
 *
 * @param encoding PNG or JPEG
 * @param width declared width (unsigned; may exceed int range for a hostile PNG header)
 * @param height declared height
 * @param channels colour channels without alpha (1 gray, 3 colour, 4 CMYK JPEG)
 */
public record ImageHeader(FrameEncoding encoding, long width, long height, int channels) {}
