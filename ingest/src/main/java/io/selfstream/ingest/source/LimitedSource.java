package io.selfstream.ingest.source;

import io.selfstream.schemas.avro.RawFrame;
import java.util.NoSuchElementException;
import java.util.OptionalLong;

/** The first {@code max} frames of another source. */
final class LimitedSource implements FrameSource {

  private final FrameSource delegate;
  private final long max;
  private long taken;

  LimitedSource(FrameSource delegate, long max) {
    if (max <= 0) {
      throw new IllegalArgumentException("limit must be positive, got " + max);
    }
    this.delegate = delegate;
    this.max = max;
  }

  @Override
  public String sourceId() {
    return delegate.sourceId();
  }

  @Override
  public OptionalLong size() {
    OptionalLong size = delegate.size();
    return size.isPresent() ? OptionalLong.of(Math.min(size.getAsLong(), max)) : size;
  }

  @Override
  public boolean hasNext() {
    return taken < max && delegate.hasNext();
  }

  @Override
  public RawFrame next() {
    if (taken >= max) {
      throw new NoSuchElementException("limit of " + max + " frames reached");
    }
    RawFrame frame = delegate.next();
    taken++;
    return frame;
  }

  @Override
  public void close() {
    delegate.close();
  }
}
