package io.orchiddb.jepsen.workload;

import io.orchiddb.client.Condition;
import io.orchiddb.client.ConditionFailedException;
import io.orchiddb.client.Consistency;
import io.orchiddb.client.GetResult;
import io.orchiddb.client.KeyValue;
import io.orchiddb.client.OrchidClient;
import io.orchiddb.client.OrchidException;
import io.orchiddb.client.PutResult;
import io.orchiddb.client.ReadOptions;
import io.orchiddb.client.ScanSpec;
import io.orchiddb.client.UnavailableException;
import io.orchiddb.jepsen.history.Fn;
import io.orchiddb.jepsen.history.History;
import io.orchiddb.jepsen.history.Op;
import io.orchiddb.jepsen.history.OpType;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

/**
 * The client side of a run: {@code workers} threads, each with its own {@link OrchidClient} (its
 * own connection and session), issuing a mix of operations until the run's end and recording each
 * as an invocation and a completion in the shared {@link History}. Each client knows every router
 * endpoint, and worker {@code i} prefers endpoint {@code i mod n} (the SDK moves on to the next
 * one when a router is down), so with a router in every node every router takes requests:
 *
 * <ul>
 *   <li>registers ({@link Keys#REGISTER}): strong reads, writes of unique values, and
 *       compare-and-set from the last value the worker saw; a key takes a bounded number of
 *       operations, then the workload moves on to fresh keys, which keeps each key's history
 *       small enough for an exhaustive linearizability search;
 *   <li>the set ({@link Keys#SET}): adds of unique elements, read in full at the end
 *       ({@link #readSet});
 *   <li>session keys ({@link Keys#SESSION}): each worker writes its own keys and reads them back
 *       at SESSION level; everybody reads everybody's at EVENTUAL level.
 * </ul>
 *
 * <p>Outcomes: a read that fails or times out is a FAIL (a read changes nothing); a write is a FAIL
 * only when the database says nothing was written (a failed condition, no quorum), and INFO when it
 * may have been applied (timeout, connection lost) — as the SDK's exceptions promise, which is
 * part of what the checkers test. After an INFO the worker continues as a new process
 * ({@code process + workers}), since its old operation may still take effect at any time.
 *
 * <p>The run's end and the final read's patience are measured on {@code nanoClock}, the harness's
 * monotonic clock.
 */
public final class MixedWorkload {
  /** Knobs of the workload. */
  public record Config(int workers, int registerKeys, int opsPerRegisterKey, int sessionKeys, Duration pace,
                       Duration deadline) {
    public Config {
      if (workers < 2) {
        throw new IllegalArgumentException("workers must be at least 2 (eventual reads read other workers' keys)");
      }
    }

    public static Config defaults() {
      return new Config(8, 4, 250, 3, Duration.ofMillis(20), Duration.ofSeconds(3));
    }
  }

  private final List<String> endpoints;
  private final History history;
  private final Config config;
  private final long seed;
  private final LongSupplier nanoClock;
  private final AtomicLong uniqueValues = new AtomicLong();
  private final AtomicLong registerOps = new AtomicLong();
  private final LongAdder unexpectedErrors = new LongAdder();
  private volatile String firstUnexpected;

  /**
   * @param endpoints every router's gRPC endpoint, {@code host:port}
   * @param nanoClock monotonic nanoseconds ({@code System::nanoTime} in a real run)
   */
  public MixedWorkload(List<String> endpoints, History history, Config config, long seed, LongSupplier nanoClock) {
    this.endpoints = List.copyOf(endpoints);
    if (this.endpoints.isEmpty()) {
      throw new IllegalArgumentException("no router endpoints");
    }
    this.history = Objects.requireNonNull(history, "history");
    this.config = Objects.requireNonNull(config, "config");
    this.seed = seed;
    this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
  }

  /** Runs the workers until {@code duration} has passed; returns when all have stopped. */
  public void run(Duration duration) throws InterruptedException {
    long end = nanoClock.getAsLong() + duration.toNanos();
    Thread[] threads = new Thread[config.workers()];
    for (int slot = 0; slot < threads.length; slot++) {
      int s = slot;
      threads[slot] = new Thread(() -> work(s, end), "jepsen-worker-" + slot);
      threads[slot].start();
    }
    for (Thread t : threads) {
      t.join();
    }
  }

  /** A client of every router, preferring the {@code slot}-th (then the next, and so on). */
  private OrchidClient client(int slot) {
    List<String> preferred = new ArrayList<>(endpoints);
    Collections.rotate(preferred, -(slot % preferred.size()));
    return OrchidClient.builder().endpoints(preferred).defaultDeadline(config.deadline()).build();
  }

  private void work(int slot, long end) {
    SplittableRandom random = new SplittableRandom(seed * 31 + slot);
    Map<String, Long> lastSeen = new HashMap<>();
    int process = slot;
    try (OrchidClient client = client(slot)) {
      while (nanoClock.getAsLong() < end) {
        int dice = random.nextInt(100);
        OpType outcome;
        if (dice < 45) {
          outcome = registerOp(client, process, random, lastSeen);
        } else if (dice < 65) {
          outcome = add(client, process);
        } else if (dice < 85) {
          outcome = sessionOp(client, process, slot, random);
        } else {
          outcome = eventualRead(client, process, slot, random);
        }
        if (outcome == OpType.INFO) {
          process += config.workers();
        }
        pace(config.pace());
      }
    }
  }

  private OpType registerOp(OrchidClient client, int process, SplittableRandom random, Map<String, Long> lastSeen) {
    long generation = registerOps.getAndIncrement() / ((long) config.registerKeys() * config.opsPerRegisterKey());
    String key = Keys.register(generation, random.nextInt(config.registerKeys()));
    int dice = random.nextInt(100);
    Long expected = lastSeen.get(key);
    if (dice < 40 || (dice >= 70 && expected == null)) {
      Op invoke = history.invoke(process, Fn.READ, key, null, null);
      return read(client, invoke, key, Consistency.STRONG, lastSeen);
    }
    long value = uniqueValues.incrementAndGet();
    if (dice < 70) {
      Op invoke = history.invoke(process, Fn.WRITE, key, value, null);
      OpType type = write(client, invoke, key, value, Condition.always());
      if (type == OpType.OK) {
        lastSeen.put(key, value);
      }
      return type;
    }
    Op invoke = history.invoke(process, Fn.CAS, key, value, expected);
    OpType type = write(client, invoke, key, value, Condition.valueEquals(bytes(expected)));
    if (type == OpType.OK) {
      lastSeen.put(key, value);
    }
    return type;
  }

  private OpType add(OrchidClient client, int process) {
    long element = uniqueValues.incrementAndGet();
    String key = Keys.setElement(element);
    Op invoke = history.invoke(process, Fn.ADD, key, element, null);
    return write(client, invoke, key, element, Condition.always());
  }

  private OpType sessionOp(OrchidClient client, int process, int slot, SplittableRandom random) {
    String key = Keys.session(slot, random.nextInt(config.sessionKeys()));
    if (random.nextBoolean()) {
      long value = uniqueValues.incrementAndGet();
      Op invoke = history.invoke(process, Fn.WRITE, key, value, null);
      return write(client, invoke, key, value, Condition.always());
    }
    Op invoke = history.invoke(process, Fn.READ, key, null, null);
    return read(client, invoke, key, Consistency.SESSION, null);
  }

  private OpType eventualRead(OrchidClient client, int process, int slot, SplittableRandom random) {
    // Another worker's key: a worker's reads of its own keys are its SESSION reads, which the
    // session checker holds to stronger promises than an eventual read makes.
    int owner = (slot + 1 + random.nextInt(config.workers() - 1)) % config.workers();
    String key = Keys.session(owner, random.nextInt(config.sessionKeys()));
    Op invoke = history.invoke(process, Fn.READ, key, null, null);
    return read(client, invoke, key, Consistency.EVENTUAL, null);
  }

  private OpType read(OrchidClient client, Op invoke, String key, Consistency level, Map<String, Long> lastSeen) {
    try {
      GetResult result = client.get(bytes(key), ReadOptions.of(level));
      Long value = null;
      Long version = null;
      if (result.keyValue().isPresent()) {
        KeyValue kv = result.keyValue().get();
        value = parse(kv.value());
        version = kv.version();
        if (lastSeen != null) {
          lastSeen.put(key, value);
        }
      }
      // Where it was served, for whoever reads the history (in the error field, unused on OK).
      history.complete(invoke, OpType.OK, value, version, null,
          "served by " + result.readInfo().servedBy() + " at applied index " + result.readInfo().appliedIndex());
      return OpType.OK;
    } catch (OrchidException e) {
      history.complete(invoke, OpType.FAIL, null, null, null, describe(e));
      return OpType.FAIL;
    } catch (RuntimeException e) {
      unexpected(e);
      history.complete(invoke, OpType.FAIL, null, null, null, "unexpected " + describe(e));
      return OpType.FAIL;
    }
  }

  private OpType write(OrchidClient client, Op invoke, String key, long value, Condition condition) {
    try {
      PutResult result = client.put(bytes(key), bytes(value), condition);
      history.complete(invoke, OpType.OK, value, result.version(), null, null);
      return OpType.OK;
    } catch (ConditionFailedException | UnavailableException e) {
      history.complete(invoke, OpType.FAIL, null, null, null, describe(e));
      return OpType.FAIL;
    } catch (OrchidException e) {
      history.complete(invoke, OpType.INFO, null, null, null, describe(e));
      return OpType.INFO;
    } catch (RuntimeException e) {
      unexpected(e);
      history.complete(invoke, OpType.INFO, null, null, null, "unexpected " + describe(e));
      return OpType.INFO;
    }
  }

  /**
   * The final read of the whole set at STRONG level, retried until it succeeds or {@code patience}
   * runs out (a scan that fails part way is a FAIL and is tried again from the start).
   */
  public boolean readSet(int process, Duration patience) {
    long deadline = nanoClock.getAsLong() + patience.toNanos();
    try (OrchidClient client = client(0)) {
      while (nanoClock.getAsLong() < deadline) {
        Op invoke = history.invoke(process, Fn.READ_ALL, Keys.SET, null, null);
        try {
          Set<Long> elements = new TreeSet<>();
          client.scan(ScanSpec.prefix(Keys.SET).withPageSize(1000), ReadOptions.of(Consistency.STRONG))
              .forEachRemaining(kv -> elements.add(parse(kv.value())));
          history.complete(invoke, OpType.OK, null, null, elements, null);
          return true;
        } catch (RuntimeException e) {
          history.complete(invoke, OpType.FAIL, null, null, null, describe(e));
          pace(Duration.ofMillis(500));
        }
      }
    }
    return false;
  }

  /** Exceptions the SDK should never throw (anything not an {@link OrchidException}). */
  public long unexpectedErrors() {
    return unexpectedErrors.sum();
  }

  public String firstUnexpected() {
    return firstUnexpected;
  }

  private void unexpected(RuntimeException e) {
    unexpectedErrors.increment();
    if (firstUnexpected == null) {
      firstUnexpected = describe(e);
    }
  }

  private static String describe(RuntimeException e) {
    String message = String.valueOf(e.getMessage());
    return e.getClass().getSimpleName() + ": " + (message.length() > 200 ? message.substring(0, 200) + "..." : message);
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] bytes(long value) {
    return bytes(Long.toString(value));
  }

  private static long parse(byte[] value) {
    return Long.parseLong(new String(value, StandardCharsets.UTF_8));
  }

  /** Pacing between operations: a load generator's think time, not a wait for a condition. */
  private static void pace(Duration d) {
    LockSupport.parkNanos(d.toNanos());
  }
}
