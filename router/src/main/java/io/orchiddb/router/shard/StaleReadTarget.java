package io.orchiddb.router.shard;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.random.RandomGenerator;

/**
 * The replica of one group that this router sends its stale reads (session and eventual) to first.
 *
 * <p>Why one replica and not a random one per read: reads to one replica share requests (a
 * {@link GetBatcher} lane per node), and a request costs far more than the keys it carries.
 * Spread per read over three replicas, concurrent gets made batches a third the size and three
 * times the requests: on the benchmark machine eventual gets ran at 0.6× the throughput of strong
 * gets, which all go to the leader (BENCHMARKS.md, "Optimisations"). Load still spreads over the
 * replicas across routers, since each router picks its own at random, as an etcd client pins one
 * endpoint; and within one router, the choice is made again at random every {@link
 * #REPICK_READS} reads, so that a single router spreads its reads over the replicas over time while
 * concurrent reads still share requests (a batch forms within a millisecond or two). The choice
 * is the same node for every shard that has a replica there ({@link Preference}).
 *
 * <p>The choice moves to the next replica when a read on it fails (down, partitioned, or behind a
 * session's index), so every later read does not first pay for the same failure; and a read skips
 * it, without moving it, while it already has a full batch waiting (more would only queue).
 *
 * <p>Thread-safe: each choice is one atomic reference (racing moves settle on one of them), and the
 * generator is used under its own lock.
 */
final class StaleReadTarget {
  /** Reads between two random choices (at 20k reads/s, about every 25 ms). */
  static final int REPICK_READS = 512;

  /**
   * The node this router's stale reads prefer, shared by the targets of every shard: each shard
   * takes it when it holds a replica there. Reads of several shards on one node wake one process
   * instead of several; on the 3-node benchmark cluster with 3 shards, pinning every shard to one
   * node ran eventual gets at c=16 and 64 1.4–2.5× as fast as an independent choice per shard
   * (BENCHMARKS.md). Chosen at random, again every {@link #REPICK_READS} stale reads of the
   * router; each choice is a new generation, which every shard's target follows at its next read.
   *
   * <p>A router running inside a node ({@link LocalNode}) prefers that node instead, every time:
   * its reads cost no network hop there. Load then spreads over the replicas as clients spread
   * over the nodes' routers. A shard with no replica there, or whose replica there failed a read,
   * is served as without a home node until the next choice.
   */
  static final class Preference {
    /** A choice of node, numbered so that targets see when it was made again. */
    record Pick(String node, long generation) {}

    private final RandomGenerator random;
    /** The node the router runs in; null for none. */
    private final String home;
    private final AtomicLong reads = new AtomicLong();
    private final AtomicReference<Pick> pick = new AtomicReference<>();

    Preference(RandomGenerator random) {
      this(random, null);
    }

    /** @param home the node the router runs in, chosen whenever a shard has a replica there; null for none */
    Preference(RandomGenerator random, String home) {
      this.random = random;
      this.home = home;
    }

    /** Counts a stale read among {@code replicas}; the current choice, made again every {@link #REPICK_READS}. */
    Pick next(List<String> replicas) {
      boolean repick = reads.incrementAndGet() % REPICK_READS == 0;
      Pick current = pick.get();
      if (current == null || repick) {
        String node = home != null ? home : randomOf(replicas);
        Pick made = new Pick(node, current == null ? 1 : current.generation() + 1);
        return pick.compareAndSet(current, made) ? made : pick.get(); // racing choices settle on one
      }
      return current;
    }

    private String randomOf(List<String> replicas) {
      synchronized (random) { // the router's generator is shared by its threads and not thread-safe
        return replicas.get(random.nextInt(replicas.size()));
      }
    }
  }

  private final Preference preference;
  /** This shard's replica, and the generation of the preference it was taken in. */
  private final AtomicReference<Preference.Pick> chosen = new AtomicReference<>();

  StaleReadTarget(Preference preference) {
    this.preference = preference;
  }

  /**
   * The replicas in the order to try a stale read: the chosen one first, then the others in the
   * group's order after it; the chosen one goes last when {@code crowded} says it has a full batch
   * waiting. The chosen one is the router's preferred node (or, when this shard has no replica
   * there, one of its replicas drawn from the preference), taken again whenever the preference is
   * made again or the chosen replica has left the group.
   */
  List<String> order(List<String> replicas, Predicate<String> crowded) {
    Preference.Pick wanted = preference.next(replicas);
    Preference.Pick mine = chosen.get();
    if (mine == null || mine.generation() != wanted.generation() || !replicas.contains(mine.node())) {
      // Without a replica on the preferred node, a replica that every shard of the same replicas
      // also takes in this generation.
      String node = replicas.contains(wanted.node()) ? wanted.node()
          : replicas.get(Math.floorMod(Objects.hash(wanted.node(), wanted.generation()), replicas.size()));
      chosen.compareAndSet(mine, new Preference.Pick(node, wanted.generation()));
      mine = chosen.get();
    }
    int n = replicas.size();
    int at = Math.max(0, replicas.indexOf(mine.node())); // -1 only if a racing move picked from another list
    List<String> order = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      order.add(replicas.get((at + i) % n));
    }
    if (n > 1 && crowded.test(order.get(0))) {
      order.add(order.remove(0));
    }
    return order;
  }

  /**
   * A stale read on {@code node} failed: when it is this shard's chosen replica, choose the next
   * one, until the preference is made again.
   */
  void failed(String node, List<String> replicas) {
    Preference.Pick mine = chosen.get();
    int at = replicas.indexOf(node);
    if (mine != null && mine.node().equals(node) && at >= 0) {
      chosen.compareAndSet(mine, new Preference.Pick(replicas.get((at + 1) % replicas.size()), mine.generation()));
    }
  }

  /** The chosen replica, or null before the first read (for tests). */
  String chosen() {
    Preference.Pick mine = chosen.get();
    return mine == null ? null : mine.node();
  }
}
