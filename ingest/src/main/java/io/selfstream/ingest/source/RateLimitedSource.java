package io.selfstream.ingest.source;

import io.selfstream.schemas.avro.RawFrame;
import java.util.OptionalLong;

/** Another source paced by a {@link RateLimiter}. */
final class RateLimitedSource implements FrameSource {

  private final FrameSource delegate;
  private final RateLimiter limiter;

  RateLimitedSource(FrameSource delegate, RateLimiter limiter) {
    this.delegate = delegate;
    this.limiter = limiter;
  }

  @Override
  public String sourceId() {
    return delegate.sourceId();
  }

  @Override
  public OptionalLong size() {
    return delegate.size();
  }

  @Override
  public boolean hasNext() {
    return !Thread.currentThread().isInterrupted() && delegate.hasNext();
  }

  @Override
  public RawFrame next() {
    try {
      limiter.acquire();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt(); // hasNext() now ends the source
    }
    return delegate.next();
  }

  @Override
  public void close() {
    delegate.close();
  }
}
