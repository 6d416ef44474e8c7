package io.orchiddb.jepsen.nemesis;

import io.orchiddb.jepsen.cluster.ClusterControl;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * One fault a nemesis injects and later heals. Faults compose: a step of the schedule may inject
 * several at once (on different nodes), and each heals only what it did.
 */
public sealed interface Fault {
  /** What it does, for the timeline, e.g. {@code kill -9 n2}. */
  String describe();

  void inject(ClusterControl cluster);

  void heal(ClusterControl cluster);

  /** The nodes it touches (empty for the router), so a schedule does not hit one node twice. */
  Set<String> nodes();

  /** {@code kill -9} of a node's process; healed by starting it again on its data. */
  record KillNode(String id) implements Fault {
    public String describe() {
      return "kill -9 " + id;
    }

    public void inject(ClusterControl cluster) {
      cluster.killNode(id);
    }

    public void heal(ClusterControl cluster) {
      cluster.startNode(id);
    }

    public Set<String> nodes() {
      return Set.of(id);
    }
  }

  /** SIGSTOP-like freeze of every process in the node's container; healed by resuming it. */
  record PauseNode(String id) implements Fault {
    public String describe() {
      return "pause " + id;
    }

    public void inject(ClusterControl cluster) {
      cluster.pauseNode(id);
    }

    public void heal(ClusterControl cluster) {
      cluster.resumeNode(id);
    }

    public Set<String> nodes() {
      return Set.of(id);
    }
  }

  /** {@code kill -9} of the router; clients see it gone, then back at the same address. */
  record KillRouter() implements Fault {
    public String describe() {
      return "kill -9 router";
    }

    public void inject(ClusterControl cluster) {
      cluster.killRouter();
    }

    public void heal(ClusterControl cluster) {
      cluster.startRouter();
    }

    public Set<String> nodes() {
      return Set.of();
    }
  }

  /**
   * A network partition between nodes: {@code grudges} maps each node to the nodes it must not
   * exchange packets with (symmetric). The router keeps reaching every node.
   */
  record Partition(String kind, Map<String, Set<String>> grudges) implements Fault {
    /** One node cut off from all others. */
    public static Partition isolate(String node, List<String> all) {
      List<String> rest = new ArrayList<>(all);
      rest.remove(node);
      return halves("isolate", List.of(node), rest);
    }

    /** Two sides that cannot talk: the first list (a minority) and the second (a majority). */
    public static Partition halves(String kind, List<String> minority, List<String> majority) {
      Map<String, Set<String>> grudges = new LinkedHashMap<>();
      minority.forEach(n -> grudges.put(n, new TreeSet<>(majority)));
      majority.forEach(n -> grudges.put(n, new TreeSet<>(minority)));
      return new Partition(kind, grudges);
    }

    /**
     * A bridge: {@code left} and {@code right} cannot talk to each other, and {@code bridge} talks
     * to both (Jepsen's bridge): neither side alone may hold a majority, but with the bridge
     * node each side can think it does.
     */
    public static Partition bridge(List<String> left, String bridge, List<String> right) {
      Map<String, Set<String>> grudges = new LinkedHashMap<>();
      left.forEach(n -> grudges.put(n, new TreeSet<>(right)));
      grudges.put(bridge, new TreeSet<>());
      right.forEach(n -> grudges.put(n, new TreeSet<>(left)));
      return new Partition("bridge via " + bridge, grudges);
    }

    public String describe() {
      return "partition " + kind + " " + grudges.entrySet().stream()
          .filter(e -> !e.getValue().isEmpty())
          .map(e -> e.getKey() + "-x-" + String.join(",", e.getValue()))
          .collect(Collectors.joining(" "));
    }

    public void inject(ClusterControl cluster) {
      grudges.forEach(cluster::cut);
    }

    public void heal(ClusterControl cluster) {
      grudges.keySet().forEach(cluster::healNetwork);
    }

    public Set<String> nodes() {
      return grudges.keySet();
    }
  }
}
