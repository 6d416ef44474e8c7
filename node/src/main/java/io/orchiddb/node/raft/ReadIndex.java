package io.orchiddb.node.raft;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.orchiddb.proto.raft.NodeReadIndexReply;
import io.orchiddb.proto.raft.NodeReadIndexRequest;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.DivisionInfo;
import org.apache.ratis.server.RaftConfiguration;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.util.CodeInjectionForTesting;

/**
 * The read index of linearizable reads (Raft thesis §6.4), with the leadership check done here
 * rather than by Ratis. Ratis 3.3.0 answers a ReadIndex at once, with no heartbeat round, whenever
 * the leader's commit index is one a majority acknowledged in some earlier round ({@code
 * ReadIndexHeartbeats.addAppendEntriesListener}): while nothing new commits, a leader cut off
 * from its followers keeps serving "linearizable" reads until it steps down, up to a second after
 * the others may have elected a new leader and committed writes it cannot see (issue 7, session
 * 16; pinned by ReadIndexLeadershipIT).
 *
 * <p>How a read gets its index here:
 * <ul>
 *   <li>At the leader: the commit index {@code C} and term {@code T} as the read arrives (the
 *       leader must have committed an entry of its term, so {@code C} covers every write
 *       acknowledged before). Then a <em>round</em> started after the read arrived asks every
 *       other voter for its current term ({@link NodeReads#TERMS}: a message on the stream this node
 *       keeps open to each other node, {@link TermStreams}); once a majority (the leader
 *       included) answered {@code T}, no leader of a later term can have committed anything
 *       before those answers, so the read is served at {@code C} or later. A voter answering a
 *       later term, or too many failing to answer, fails the read: another replica may serve it.
 *   <li>At a follower: it asks the leader ({@link NodeReads#READ_INDEX}), which does the above
 *       and answers {@code C}; the follower serves the read once it has applied {@code C}.
 * </ul>
 *
 * <p>Rounds are shared: reads arriving while a round of their group is out wait for the next
 * one, which starts when it returns. So a leader under many strong reads sends one term request
 * per follower per round trip, however many reads there are. The check does not depend on clocks.
 *
 * <p>A round first asks only as many voters as a majority needs besides the leader (one of two
 * followers), those that answered first last time: every other request is CPU on a small machine,
 * and the answers past a majority decide nothing. If one of them fails, answers another term or
 * has not answered within {@link #ASK_MORE_AFTER_MS}, the round asks every voter that has not said
 * yes, with the full timeout. The majority counted is the same either way; only who is asked
 * first changes (issue 7, session 18: strong gets +15–30% at c=64, a little at c=1).
 */
final class ReadIndex {
  /**
   * A test injection point (Ratis's {@link CodeInjectionForTesting}), run as a voter answers a
   * term request, with the voter's id and the asking node's: a test partition throws there, as it
   * does for Ratis's own {@code RaftServerImpl.appendEntries}.
   */
  static final String TERM_ANSWER = "OrchidDB.ReadIndex.term";

  /**
   * How long a round waits for the voters it asked first before it asks the others too. Far
   * above a term request's round trip (well under a millisecond here, a few under load), so a
   * healthy voter does not set it off; short enough that a voter that went silent costs a read
   * little. (Timeouts run on a wheel of 10 ms ticks, so this one fires after 20 to 30 ms.)
   */
  static final long ASK_MORE_AFTER_MS = 20;

  private final PeerCalls peers;
  private final TermStreams terms;
  private final long timeoutMs;
  private final Map<RaftGroupId, Rounds> rounds = new ConcurrentHashMap<>();
  private final LongAdder roundsRun = new LongAdder();
  private final LongAdder readsIndexed = new LongAdder();
  private final LongAdder roundsWidened = new LongAdder();

  /**
   * @param peers the node's calls to other nodes (a follower's read-index request)
   * @param terms the node's term requests to other nodes (a leader's rounds)
   * @param timeoutMs how long a term request or a follower's read-index request may take
   */
  ReadIndex(PeerCalls peers, TermStreams terms, long timeoutMs) {
    this.peers = peers;
    this.terms = terms;
    this.timeoutMs = timeoutMs;
  }

  /**
   * The index a linearizable read of {@code division}'s group that arrives now may be served at
   * on this replica (once applied). Fails with {@link NotConfirmed} when it cannot be had here
   * now (not the leader and no leader known, leadership not confirmed, the leader unreachable).
   */
  CompletableFuture<Long> forRead(RaftServer.Division division) {
    return division.getInfo().isLeader() ? atLeader(division) : fromLeader(division);
  }

  /** As {@link #forRead}, at the leader only (a follower's {@link NodeReads#READ_INDEX} request). */
  CompletableFuture<Long> atLeader(RaftServer.Division division) {
    DivisionInfo info = division.getInfo();
    long term = info.getCurrentTerm();
    if (!info.isLeader()) {
      return notConfirmed(division, "it is not the leader");
    }
    if (!info.isLeaderReady()) {
      return notConfirmed(division, "it has not committed an entry of its term " + term + " yet");
    }
    long index = division.getRaftLog().getLastCommittedIndex();
    if (info.getCurrentTerm() != term || !info.isLeader()) {
      return notConfirmed(division, "it stopped leading term " + term);
    }
    readsIndexed.increment();
    return rounds.computeIfAbsent(division.getMemberId().getGroupId(), g -> new Rounds()).join(division, term, index);
  }

  private CompletableFuture<Long> fromLeader(RaftServer.Division division) {
    RaftPeerId leader = division.getInfo().getLeaderId();
    RaftPeer peer = leader == null || leader.equals(division.getId()) ? null : division.getRaftConf().getPeer(leader);
    if (peer == null) {
      return notConfirmed(division, "it is a follower that knows no leader");
    }
    byte[] request = NodeReadIndexRequest.newBuilder().setGroupId(groupBytes(division))
        .setFrom(division.getId().toString()).build().toByteArray();
    return peers.call(NodeReads.READ_INDEX_CALL, peer.getAddress(), request, timeoutMs).handle((bytes, failure) -> {
      if (failure != null) {
        throw new CompletionException(new NotConfirmed(division.getMemberId() + ": the leader " + leader
            + " did not give a read index: " + NodeReads.describe(failure)));
      }
      try {
        return NodeReadIndexReply.parseFrom(bytes).getReadIndex();
      } catch (InvalidProtocolBufferException e) {
        throw new CompletionException(new NotConfirmed(division.getMemberId() + ": the leader " + leader
            + " sent a malformed read index: " + e.getMessage()));
      }
    });
  }

  /** {@link NodeReads#TERM} on a voter: its current term in the group. */
  static long termAnswer(RaftServer.Division division, String from) {
    CodeInjectionForTesting.execute(TERM_ANSWER, division.getId(), from);
    return division.getInfo().getCurrentTerm();
  }

  /** Leadership rounds this node has run as a leader, all groups (for tests and metrics). */
  long rounds() {
    return roundsRun.sum();
  }

  /** Reads (its own and its followers') this node took into a round as a leader, all groups. */
  long reads() {
    return readsIndexed.sum();
  }

  /** Rounds that asked every voter because one asked first did not say yes in time, all groups. */
  long roundsWidened() {
    return roundsWidened.sum();
  }

  /** Why a read index could not be had; the read may be tried on another replica. */
  static final class NotConfirmed extends RuntimeException {
    NotConfirmed(String message) {
      super(message, null, false, false);
    }
  }

  private static <T> CompletableFuture<T> notConfirmed(RaftServer.Division division, String why) {
    return CompletableFuture.failedFuture(new NotConfirmed(division.getMemberId() + " cannot serve a linearizable"
        + " read: " + why));
  }

  /** A group id as the node-to-node requests carry it: the RaftGroupId's 16 UUID bytes. */
  static ByteString groupBytes(RaftServer.Division division) {
    return ByteString.copyFrom(division.getMemberId().getGroupId().toByteString().toByteArray());
  }

  /** The group id {@link #groupBytes} wrote. */
  static RaftGroupId groupId(ByteString bytes) {
    return RaftGroupId.valueOf(org.apache.ratis.thirdparty.com.google.protobuf.ByteString.copyFrom(bytes.toByteArray()));
  }

  private record Waiting(long term, long index, CompletableFuture<Long> future) {}

  /** One group's rounds at its leader: at most one out at a time, and the reads for the next one. */
  private final class Rounds {
    private List<Waiting> next = new ArrayList<>();
    private boolean out;
    /** The voters that said yes in the last confirmed round, first answer first: asked first next time. */
    private volatile List<RaftPeerId> answeredFirst = List.of();

    CompletableFuture<Long> join(RaftServer.Division division, long term, long index) {
      Waiting read = new Waiting(term, index, new CompletableFuture<>());
      boolean start;
      synchronized (this) {
        next.add(read);
        start = !out;
        out = true;
      }
      if (start) {
        run(division);
      }
      return read.future;
    }

    private void run(RaftServer.Division division) {
      List<Waiting> batch;
      synchronized (this) {
        batch = next;
        next = new ArrayList<>();
      }
      roundsRun.increment();
      CompletableFuture<Long> confirmed;
      try {
        Quorum quorum = confirm(division, answeredFirst);
        confirmed = quorum.done.whenComplete((term, failure) -> {
          if (failure == null) {
            answeredFirst = quorum.yesInOrder();
          }
        });
      } catch (RuntimeException e) {
        // Never leave a round out for good: every later read of the group would wait behind it.
        confirmed = CompletableFuture.failedFuture(new NotConfirmed(division.getMemberId()
            + " could not start a leadership round: " + e));
      }
      confirmed.whenComplete((term, failure) -> {
        for (Waiting read : batch) {
          if (failure != null) {
            read.future.completeExceptionally(failure instanceof CompletionException c ? c.getCause() : failure);
          } else if (read.term != term) {
            read.future.completeExceptionally(new NotConfirmed(division.getMemberId() + " cannot serve a"
                + " linearizable read: the read arrived in term " + read.term + ", confirmed was " + term));
          } else {
            read.future.complete(read.index);
          }
        }
        boolean again;
        synchronized (this) {
          again = !next.isEmpty();
          out = again;
        }
        if (again) {
          run(division);
        }
      });
    }
  }

  /**
   * One round: its quorum completes with the term once a majority of the voters (of both
   * configurations while one changes) have answered it, this leader included; fails once that
   * cannot happen. Asks the fewest voters that can make a majority first, {@code preferred} (the
   * last round's first answers) before the others, and every voter not yet counted as soon as one
   * of those does not say yes within {@link #ASK_MORE_AFTER_MS}.
   */
  private Quorum confirm(RaftServer.Division division, List<RaftPeerId> preferred) {
    DivisionInfo info = division.getInfo();
    long term = info.getCurrentTerm();
    if (!info.isLeader()) {
      return Quorum.refused(new NotConfirmed(division.getMemberId() + " cannot serve a linearizable read: it is no"
          + " longer the leader"));
    }
    RaftConfiguration conf = division.getRaftConf();
    Quorum quorum = new Quorum(division.getMemberId().toString(), term, ids(conf.getCurrentPeers()),
        ids(conf.getPreviousPeers()));
    quorum.answer(division.getId(), term, null);
    List<RaftPeer> order = askOrder(division, conf, preferred);
    Set<RaftPeerId> firstIds = new HashSet<>();
    int firstCount = 0;
    while (firstCount < order.size() && !quorum.enoughWith(firstIds)) {
      firstIds.add(order.get(firstCount++).getId());
    }
    Asking request = new Asking(groupBytes(division), division.getId().toString());
    if (firstCount == order.size()) {
      // Every voter is needed: ask them all at once, with the full timeout.
      order.forEach(peer -> ask(quorum, peer, request, timeoutMs));
      return quorum;
    }
    AtomicBoolean widened = new AtomicBoolean();
    Runnable askEveryone = () -> {
      if (!quorum.done.isDone() && widened.compareAndSet(false, true)) {
        roundsWidened.increment();
        order.stream().filter(peer -> !quorum.answered(peer.getId()))
            .forEach(peer -> ask(quorum, peer, request, timeoutMs));
      }
    };
    for (RaftPeer peer : order.subList(0, firstCount)) {
      call(peer, request, Math.min(ASK_MORE_AFTER_MS, timeoutMs)).whenComplete((answered, failure) -> {
        if (failure == null && answered == term) {
          quorum.answer(peer.getId(), answered, null);
        } else {
          // Not counted: asked again, with the others, with the full timeout.
          askEveryone.run();
        }
      });
    }
    return quorum;
  }

  /** The other voters of both configurations: {@code preferred} first, then the rest in id order. */
  private static List<RaftPeer> askOrder(RaftServer.Division division, RaftConfiguration conf,
      List<RaftPeerId> preferred) {
    Map<RaftPeerId, RaftPeer> others = new LinkedHashMap<>();
    conf.getCurrentPeers().forEach(p -> others.put(p.getId(), p));
    conf.getPreviousPeers().forEach(p -> others.putIfAbsent(p.getId(), p));
    others.remove(division.getId());
    List<RaftPeer> order = new ArrayList<>(others.size());
    for (RaftPeerId id : preferred) {
      RaftPeer peer = others.remove(id);
      if (peer != null) {
        order.add(peer);
      }
    }
    others.values().stream().sorted(Comparator.comparing(p -> p.getId().toString())).forEach(order::add);
    return order;
  }

  /** Asks {@code peer} for its term and counts whatever it answers, a failure included. */
  private void ask(Quorum quorum, RaftPeer peer, Asking request, long timeout) {
    call(peer, request, timeout).whenComplete((answered, failure) -> quorum.answer(peer.getId(),
        failure == null ? answered : -1, failure == null ? null : NodeReads.describe(failure)));
  }

  /** A voter's current term: its answer to {@link NodeReads#TERMS} (or {@link NodeReads#TERM}). */
  private CompletableFuture<Long> call(RaftPeer peer, Asking request, long timeout) {
    return terms.term(peer.getAddress(), request.group, request.from, timeout);
  }

  /** What a round's term requests carry: the group and the asking node. */
  private record Asking(ByteString group, String from) {}

  private static Set<RaftPeerId> ids(Collection<RaftPeer> peers) {
    Set<RaftPeerId> ids = new HashSet<>();
    peers.forEach(p -> ids.add(p.getId()));
    return ids;
  }

  /** The answers of one round. */
  static final class Quorum {
    private final String leader;
    private final long term;
    private final Set<RaftPeerId> current;
    private final Set<RaftPeerId> previous;
    private final Set<RaftPeerId> yes = new LinkedHashSet<>();
    private final Set<RaftPeerId> no = new HashSet<>();
    private final List<String> reasons = new ArrayList<>();
    final CompletableFuture<Long> done = new CompletableFuture<>();

    /**
     * @param leader names the leader in messages
     * @param term the leader's term, the answer that counts as yes
     * @param current the voters of the current configuration
     * @param previous the voters of the previous one while the configuration changes, else empty
     */
    Quorum(String leader, long term, Set<RaftPeerId> current, Set<RaftPeerId> previous) {
      this.leader = leader;
      this.term = term;
      this.current = current;
      this.previous = previous;
    }

    /** A voter's answer: its term, or a failure ({@code why} not null). A voter's first answer counts. */
    void answer(RaftPeerId voter, long answered, String why) {
      boolean confirmed;
      boolean refused;
      String message = null;
      synchronized (this) {
        if (done.isDone() || yes.contains(voter) || no.contains(voter)) {
          return;
        }
        if (why == null && answered == term) {
          yes.add(voter);
        } else {
          no.add(voter);
          reasons.add(voter + (why != null ? ": " + why : " is in term " + answered));
        }
        confirmed = confirms(yes);
        refused = !confirmed && (lost(current) || !previous.isEmpty() && lost(previous));
        if (refused) {
          message = leader + " could not confirm it still leads term " + term + ": " + reasons;
        }
      }
      if (confirmed) {
        done.complete(term);
      } else if (refused) {
        done.completeExceptionally(new NotConfirmed(message));
      }
    }

    /** A round that was decided before anyone was asked. */
    static Quorum refused(NotConfirmed why) {
      Quorum quorum = new Quorum("", 0, Set.of(), Set.of());
      quorum.done.completeExceptionally(why);
      return quorum;
    }

    /** Whether {@code voter}'s answer has been counted. */
    synchronized boolean answered(RaftPeerId voter) {
      return yes.contains(voter) || no.contains(voter);
    }

    /** Whether yes from {@code more} as well as from those who said it would make the majority. */
    synchronized boolean enoughWith(Set<RaftPeerId> more) {
      Set<RaftPeerId> all = new HashSet<>(yes);
      all.addAll(more);
      return confirms(all);
    }

    /** Whether yes from {@code voters} is a majority of each configuration. */
    private boolean confirms(Set<RaftPeerId> voters) {
      return majority(current, voters) && (previous.isEmpty() || majority(previous, voters));
    }

    /** The voters that said yes, in the order they did (the leader first). */
    synchronized List<RaftPeerId> yesInOrder() {
      return List.copyOf(yes);
    }

    private static boolean majority(Set<RaftPeerId> voters, Set<RaftPeerId> answered) {
      return 2 * count(voters, answered) > voters.size();
    }

    /** No majority of {@code voters} can answer yes any more. */
    private boolean lost(Set<RaftPeerId> voters) {
      return 2 * (voters.size() - count(voters, no)) <= voters.size();
    }

    private static int count(Set<RaftPeerId> voters, Set<RaftPeerId> answered) {
      int n = 0;
      for (RaftPeerId id : answered) {
        if (voters.contains(id)) {
          n++;
        }
      }
      return n;
    }
  }
}
