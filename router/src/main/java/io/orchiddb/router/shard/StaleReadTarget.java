package io.orchiddb.router.shard;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.random.RandomGenerator;

/**
 * The replica of one group that this router sends its stale reads (session and eventual) to first.
 *
 * <p>Why one replica and not a random one per read: reads to one replica share requests (a
 * {@link GetBatcher} lane per replica), and a request costs far more than the keys it carries.
 * Spread per read over three replicas, concurrent gets made batches a third the size and three
 * times the requests: on the benchmark machine eventual gets ran at 0.6× the throughput of strong
 * gets, which all go to the leader (BENCHMARKS.md, "Optimisations"). Load still spreads over the
 * replicas across routers, since each router picks its own at random, as an etcd client pins one
 * endpoint; and within one router, the choice is made again at random every {@link
 * #REPICK_READS} reads, so that a single router spreads its reads over the replicas over time while
 * concurrent reads still share requests (a batch forms within a millisecond or two).
 *
 * <p>The choice moves to the next replica when a read on it fails (down, partitioned, or behind a
 * session's index), so every later read does not first pay for the same failure; and a read skips
 * it, without moving it, while it already has a full batch waiting (more would only queue).
 *
 * <p>Thread-safe: the choice is one atomic reference (racing moves settle on one of them), and the
 * generator is used under its own lock.
 */
final class StaleReadTarget {
  /** Reads between two random choices (at 20k reads/s, about every 25 ms). */
  static final int REPICK_READS = 512;

  private final AtomicReference<String> chosen = new AtomicReference<>();
  private final AtomicLong reads = new AtomicLong();
  private final RandomGenerator random;

  StaleReadTarget(RandomGenerator random) {
    this.random = random;
  }

  /**
   * The replicas in the order to try a stale read: the chosen one first (picked at random among
   * {@code replicas} when there is none yet, it has left them, or {@link #REPICK_READS} reads have
   * passed), then the others in the group's order after it; the chosen one goes last when {@code
   * crowded} says it has a full batch waiting.
   */
  List<String> order(List<String> replicas, Predicate<String> crowded) {
    boolean repick = reads.incrementAndGet() % REPICK_READS == 0;
    String first = chosen.get();
    int at = first == null ? -1 : replicas.indexOf(first);
    if (at < 0 || repick) {
      synchronized (random) { // the router's generator is shared by its threads and not thread-safe
        at = random.nextInt(replicas.size());
      }
      chosen.compareAndSet(first, replicas.get(at));
    }
    int n = replicas.size();
    List<String> order = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      order.add(replicas.get((at + i) % n));
    }
    if (n > 1 && crowded.test(order.get(0))) {
      order.add(order.remove(0));
    }
    return order;
  }

  /** A stale read on {@code node} failed: when it is the chosen replica, choose the next one. */
  void failed(String node, List<String> replicas) {
    int at = replicas.indexOf(node);
    if (at >= 0) {
      chosen.compareAndSet(node, replicas.get((at + 1) % replicas.size()));
    }
  }

  /** The chosen replica, or null before the first read (for tests). */
  String chosen() {
    return chosen.get();
  }
}
