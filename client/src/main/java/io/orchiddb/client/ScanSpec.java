package io.orchiddb.client;

import com.google.protobuf.ByteString;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * What a scan lists: every key, the keys of a prefix, or a range {@code [start, end)} of keys in
 * unsigned-byte order; how many keys per page; whether to leave values out; and where to resume
 * (a continuation token from a previous {@link ScanPage}). Immutable.
 *
 * <p>Consistency and deadline are per-request {@link ReadOptions}, as for a get.
 *
 * <pre>{@code
 * ScanSpec.prefix("user/").withPageSize(500).keysOnly()
 * }</pre>
 */
public final class ScanSpec {
  private static final ScanSpec ALL =
      new ScanSpec(ByteString.EMPTY, ByteString.EMPTY, ByteString.EMPTY, 0, false, ByteString.EMPTY);

  private final ByteString prefix;
  private final ByteString start;
  private final ByteString end;
  private final int pageSize; // 0: the server's default
  private final boolean keysOnly;
  private final ByteString continuation; // empty: from the first page

  private ScanSpec(
      ByteString prefix,
      ByteString start,
      ByteString end,
      int pageSize,
      boolean keysOnly,
      ByteString continuation) {
    this.prefix = prefix;
    this.start = start;
    this.end = end;
    this.pageSize = pageSize;
    this.keysOnly = keysOnly;
    this.continuation = continuation;
  }

  /** Every key. */
  public static ScanSpec all() {
    return ALL;
  }

  /** Every key that starts with these bytes (copied); an empty prefix means every key. */
  public static ScanSpec prefix(byte[] prefix) {
    return new ScanSpec(
        ByteString.copyFrom(Objects.requireNonNull(prefix, "prefix")),
        ByteString.EMPTY, ByteString.EMPTY, 0, false, ByteString.EMPTY);
  }

  /** Every key that starts with the UTF-8 bytes of this string. */
  public static ScanSpec prefix(String prefix) {
    return prefix(Objects.requireNonNull(prefix, "prefix").getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Keys in {@code [startInclusive, endExclusive)}, compared as unsigned bytes. An empty
   * {@code endExclusive} means no upper bound; an empty {@code startInclusive} starts at the
   * first key.
   */
  public static ScanSpec range(byte[] startInclusive, byte[] endExclusive) {
    ByteString start = ByteString.copyFrom(Objects.requireNonNull(startInclusive, "startInclusive"));
    ByteString end = ByteString.copyFrom(Objects.requireNonNull(endExclusive, "endExclusive"));
    if (!end.isEmpty() && ByteString.unsignedLexicographicalComparator().compare(start, end) > 0) {
      throw new IllegalArgumentException(
          "range start " + Codec.printable(start) + " is after its end " + Codec.printable(end));
    }
    return new ScanSpec(ByteString.EMPTY, start, end, 0, false, ByteString.EMPTY);
  }

  /**
   * Most keys per page; 0 (the default) lets the server choose (100). The server enforces its
   * maximum (scan-limit-max, 10,000 by default) with {@link InvalidArgumentException}.
   */
  public ScanSpec withPageSize(int pageSize) {
    if (pageSize < 0) {
      throw new IllegalArgumentException("pageSize must not be negative, got " + pageSize);
    }
    return new ScanSpec(prefix, start, end, pageSize, keysOnly, continuation);
  }

  /** Only keys and versions: {@link KeyValue#value()} is empty. */
  public ScanSpec keysOnly() {
    return new ScanSpec(prefix, start, end, pageSize, true, continuation);
  }

  /**
   * Resume after the page that returned this token ({@link ScanPage#continuation()}); an empty
   * token starts from the first page. The token only makes sense with the spec that produced it.
   */
  public ScanSpec withContinuation(byte[] continuation) {
    return withContinuation(ByteString.copyFrom(Objects.requireNonNull(continuation, "continuation")));
  }

  ScanSpec withContinuation(ByteString continuation) {
    return new ScanSpec(prefix, start, end, pageSize, keysOnly, continuation);
  }

  public int pageSize() {
    return pageSize;
  }

  public boolean isKeysOnly() {
    return keysOnly;
  }

  /** A copy of the continuation token; empty when starting from the first page. */
  public byte[] continuation() {
    return continuation.toByteArray();
  }

  ByteString prefixBytes() {
    return prefix;
  }

  ByteString startBytes() {
    return start;
  }

  ByteString endBytes() {
    return end;
  }

  ByteString continuationBytes() {
    return continuation;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ScanSpec other
        && prefix.equals(other.prefix)
        && start.equals(other.start)
        && end.equals(other.end)
        && pageSize == other.pageSize
        && keysOnly == other.keysOnly
        && continuation.equals(other.continuation);
  }

  @Override
  public int hashCode() {
    return Objects.hash(prefix, start, end, pageSize, keysOnly, continuation);
  }

  @Override
  public String toString() {
    String what = start.isEmpty() && end.isEmpty()
        ? "prefix=" + Codec.printable(prefix)
        : "range=[" + Codec.printable(start) + ", " + (end.isEmpty() ? "∞" : Codec.printable(end)) + ")";
    return "ScanSpec{" + what + ", pageSize=" + (pageSize == 0 ? "default" : pageSize)
        + (keysOnly ? ", keysOnly" : "")
        + (continuation.isEmpty() ? "" : ", continuation=" + continuation.size() + " bytes") + "}";
  }
}
