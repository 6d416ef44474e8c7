package io.orchiddb.jepsen.checker;

import io.orchiddb.jepsen.history.Fn;
import io.orchiddb.jepsen.history.History;
import io.orchiddb.jepsen.history.Op;
import io.orchiddb.jepsen.history.OpType;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Generates histories of a real linearizable store of registers: concurrent clients invoke
 * reads, writes and CASes; each operation takes effect atomically at one step between its
 * invocation and its completion (its linearization point), against one map of keys to values
 * and versions (a global log index), so every history it records is linearizable, with versions
 * that satisfy the session and eventual guarantees.
 *
 * <p>It also produces every kind of outcome: CAS whose value differs FAILs; some operations FAIL
 * without taking effect; some complete INFO either after taking effect or before, and those may
 * take effect at any later step or never (an operation the server still holds); the run ends
 * with some operations in flight. After an INFO a client continues as a new process. Writes use
 * unique positive values.
 */
final class RegisterSimulation {
  /** One client's operation in flight. */
  private static final class Pending {
    final Op invoke;
    boolean applied;
    Long result;
    Long version;
    boolean casFailed;

    Pending(Op invoke) {
      this.invoke = invoke;
    }
  }

  private record Cell(long value, long version) {}

  private final SplittableRandom random;
  private final int clients;
  private final int keys;
  private final Map<String, Cell> store = new HashMap<>();
  private final List<Op> zombies = new ArrayList<>();
  private final History history;
  private long nowNanos;
  private long lastIndex;
  private long lastValue;

  private RegisterSimulation(long seed, int clients, int keys) {
    this.random = new SplittableRandom(seed);
    this.clients = clients;
    this.keys = keys;
    this.history = new History(() -> nowNanos += 1 + random.nextInt(1_000_000));
  }

  /** A history of {@code operations} invocations by {@code clients} clients over {@code keys} keys. */
  static List<Op> generate(long seed, int clients, int keys, int operations) {
    return new RegisterSimulation(seed, clients, keys).run(operations);
  }

  private List<Op> run(int operations) {
    int[] process = new int[clients];
    Pending[] pending = new Pending[clients];
    for (int c = 0; c < clients; c++) {
      process[c] = c;
    }
    int invoked = 0;
    while (true) {
      int c = random.nextInt(clients);
      if (!zombies.isEmpty() && random.nextInt(20) == 0) {
        applyZombie();
      } else if (pending[c] == null) {
        if (invoked == operations) {
          if (allIdle(pending)) {
            break;
          }
          continue;
        }
        pending[c] = new Pending(history.invoke(invocation(process[c])));
        invoked++;
      } else if (invoked == operations && random.nextInt(10) == 0) {
        pending[c] = null; // the run ends with it in flight
      } else if (!pending[c].applied) {
        int dice = random.nextInt(100);
        if (dice < 3) {
          history.complete(pending[c].invoke, OpType.FAIL, null, null, null, "refused");
          pending[c] = null;
        } else if (dice < 6) {
          history.complete(pending[c].invoke, OpType.INFO, null, null, null, "timeout");
          zombies.add(pending[c].invoke);
          pending[c] = null;
          process[c] += clients;
        } else if (dice < 50) {
          apply(pending[c]);
        }
      } else if (random.nextInt(2) == 0) {
        if (complete(pending[c])) {
          process[c] += clients;
        }
        pending[c] = null;
      }
    }
    return history.ops();
  }

  private static boolean allIdle(Pending[] pending) {
    for (Pending p : pending) {
      if (p != null) {
        return false;
      }
    }
    return true;
  }

  private Op invocation(int process) {
    String key = "k" + random.nextInt(keys);
    int dice = random.nextInt(100);
    if (dice < 45) {
      return Op.read(process, key);
    }
    long value = ++lastValue;
    if (dice < 80) {
      return Op.write(process, key, value);
    }
    Cell cell = store.get(key);
    // Mostly the current value, so that CAS often succeeds (it may change before it applies).
    long expected = cell != null && random.nextInt(4) != 0 ? cell.value() : 1 + random.nextLong(lastValue);
    return Op.cas(process, key, expected, value);
  }

  /** The linearization point: the operation takes effect against the store, now. */
  private void apply(Pending p) {
    p.applied = true;
    Op op = p.invoke;
    Cell cell = store.get(op.key());
    switch (op.f()) {
      case READ -> {
        p.result = cell == null ? null : cell.value();
        p.version = cell == null ? null : cell.version();
      }
      case WRITE -> p.version = put(op.key(), op.value());
      case CAS -> {
        if (cell != null && cell.value() == op.expected()) {
          p.version = put(op.key(), op.value());
        } else {
          p.casFailed = true;
        }
      }
      default -> throw new AssertionError(op.f());
    }
  }

  private long put(String key, long value) {
    store.put(key, new Cell(value, ++lastIndex));
    return lastIndex;
  }

  /** Records the completion of an applied operation; returns whether it was INFO. */
  private boolean complete(Pending p) {
    if (random.nextInt(100) < 3) {
      history.complete(p.invoke, OpType.INFO, null, null, null, "timeout");
      return true;
    }
    if (p.casFailed) {
      history.complete(p.invoke, OpType.FAIL, null, null, null, "condition failed");
    } else {
      history.complete(p.invoke, OpType.OK, p.invoke.f() == Fn.READ ? p.result : null, p.version, null, null);
    }
    return false;
  }

  /** An operation that timed out takes effect late, or is dropped for good. */
  private void applyZombie() {
    Op op = zombies.remove(random.nextInt(zombies.size()));
    if (op.f() != Fn.READ && random.nextBoolean()) {
      apply(new Pending(op));
    }
  }
}
