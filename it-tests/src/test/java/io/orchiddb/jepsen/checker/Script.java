package io.orchiddb.jepsen.checker;

import io.orchiddb.jepsen.history.History;
import io.orchiddb.jepsen.history.Op;
import io.orchiddb.jepsen.history.OpType;
import java.util.List;
import java.util.Set;

/**
 * Hand-made histories for checker tests: each call records one event in a {@link History} whose
 * clock advances 1 ms per reading, so the order of the calls is the real-time order of the events.
 */
final class Script {
  private static final long STEP_NANOS = 1_000_000;

  private long nowNanos;
  private final History history = new History(() -> nowNanos += STEP_NANOS);

  // ---- invocations ----

  Op read(int process, String key) {
    return history.invoke(Op.read(process, key));
  }

  Op write(int process, String key, long value) {
    return history.invoke(Op.write(process, key, value));
  }

  Op cas(int process, String key, long expected, long value) {
    return history.invoke(Op.cas(process, key, expected, value));
  }

  Op add(int process, long element) {
    return history.invoke(Op.add(process, "set/" + element, element));
  }

  Op readAll(int process) {
    return history.invoke(Op.readAll(process, "set/"));
  }

  // ---- completions ----

  Op ok(Op invocation) {
    return history.complete(invocation, OpType.OK, null, null, null, null);
  }

  /** An OK write or CAS that reports the key's new version. */
  Op okVersion(Op invocation, long version) {
    return history.complete(invocation, OpType.OK, null, version, null, null);
  }

  Op okRead(Op invocation, Long value) {
    return history.complete(invocation, OpType.OK, value, null, null, null);
  }

  Op okRead(Op invocation, Long value, Long version) {
    return history.complete(invocation, OpType.OK, value, version, null, null);
  }

  Op okReadAll(Op invocation, Long... elements) {
    return history.complete(invocation, OpType.OK, null, null, Set.of(elements), null);
  }

  Op fail(Op invocation) {
    return history.complete(invocation, OpType.FAIL, null, null, null, "refused");
  }

  Op info(Op invocation) {
    return history.complete(invocation, OpType.INFO, null, null, null, "timeout");
  }

  // ---- shorthands for operations that do not overlap anything ----

  Op writeOk(int process, String key, long value) {
    return ok(write(process, key, value));
  }

  Op readOk(int process, String key, Long value) {
    return okRead(read(process, key), value);
  }

  List<Op> ops() {
    return history.ops();
  }
}
