package io.orchiddb.client;

import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.function.Function;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * The keys of a scan, fetched lazily one page at a time: the next page is requested (with the
 * previous page's continuation token) only when the current one is used up, and iteration ends
 * after the page whose token is empty. Each page is one request with its own deadline and retries;
 * a failure surfaces from {@link #hasNext()} or {@link #next()} as an {@link OrchidException}.
 *
 * <p>Not thread-safe: one iterator per consumer. Keys come in ascending unsigned-byte order; a
 * multi-page scan is not a snapshot (writes between pages may or may not be seen).
 */
public final class ScanIterator implements Iterator<KeyValue> {
  private final Function<ScanSpec, ScanPage> fetch;
  private ScanSpec next; // null once the last page has been fetched
  private Iterator<KeyValue> page = java.util.Collections.emptyIterator();
  private int pagesFetched;

  ScanIterator(ScanSpec spec, Function<ScanSpec, ScanPage> fetch) {
    this.next = spec;
    this.fetch = fetch;
  }

  @Override
  public boolean hasNext() {
    // Pages may be empty yet have more (e.g. a shard with no keys in range), so loop; each turn
    // either ends the scan or moves the continuation forward (checked), so it cannot spin.
    while (!page.hasNext()) {
      if (next == null) {
        return false;
      }
      ScanPage fetched = fetch.apply(next);
      pagesFetched++;
      page = fetched.keyValues().iterator();
      if (!fetched.hasMore()) {
        next = null;
      } else if (fetched.keyValues().isEmpty()
          && fetched.continuationBytes().equals(next.continuationBytes())) {
        throw new OrchidException(
            "scan made no progress: the router returned an empty page with the same continuation"
                + " token it was given (" + next + ")");
      } else {
        next = next.withContinuation(fetched.continuationBytes());
      }
    }
    return true;
  }

  @Override
  public KeyValue next() {
    if (!hasNext()) {
      throw new NoSuchElementException("scan complete after " + pagesFetched + " pages");
    }
    return page.next();
  }

  /** How many pages this iterator has requested so far. */
  public int pagesFetched() {
    return pagesFetched;
  }

  /** The remaining keys as a sequential, ordered stream backed by this iterator. */
  public Stream<KeyValue> stream() {
    return StreamSupport.stream(
        Spliterators.spliteratorUnknownSize(
            this, Spliterator.ORDERED | Spliterator.NONNULL | Spliterator.DISTINCT),
        false);
  }
}
