package io.orchiddb.router.shard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftGroupMemberId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.exceptions.LeaderNotReadyException;
import org.apache.ratis.protocol.exceptions.NotLeaderException;
import org.apache.ratis.protocol.exceptions.StateMachineException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link GroupChannel}'s writes to the node its router runs in, against an in-process stand-in
 * for that node (a group of one member, so every send goes to it): what is sent, how often, and
 * that a write sent again keeps its client and call id, which the next leader's retry cache
 * needs to answer a write it already applied instead of applying it twice.
 */
class GroupChannelLocalWritesTest {
  private static final RaftPeer N1 = RaftPeer.newBuilder().setId("n1").setAddress("127.0.0.1:1").build();
  private static final RaftGroup GROUP = RaftGroup.valueOf(RaftGroupId.randomId(), N1);
  private static final RaftGroupMemberId MEMBER = RaftGroupMemberId.valueOf(N1.getId(), GROUP.getGroupId());

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final Counter submitted = registry.counter("submitted");
  private final Counter resent = registry.counter("resent");
  private final NodeReadChannels reads = new NodeReadChannels();
  private final List<RaftClientRequest> sent = new ArrayList<>();
  /** What the node answers to each send in turn; the last one answers every later send. */
  private final Deque<Function<RaftClientRequest, CompletableFuture<RaftClientReply>>> answers = new ArrayDeque<>();
  private boolean leads = true;
  private GroupChannel channel;

  private GroupChannel channel(Duration timeout) {
    return channel(GROUP, timeout);
  }

  private GroupChannel channel(RaftGroup group, Duration timeout) {
    LocalNode.Writes writes = new LocalNode.Writes() {
      @Override
      public boolean leads(RaftGroupId group) {
        return leads;
      }

      @Override
      public synchronized CompletableFuture<RaftClientReply> write(RaftClientRequest request) {
        sent.add(request);
        return (answers.size() > 1 ? answers.poll() : answers.peek()).apply(request);
      }
    };
    LocalNode node = new LocalNode("n1", new LocalNode.Reads() {
      @Override
      public CompletableFuture<byte[]> read(byte[] request) {
        throw new AssertionError("no reads here");
      }

      @Override
      public CompletableFuture<byte[]> readMany(byte[] batch) {
        throw new AssertionError("no reads here");
      }
    }, writes);
    channel = new GroupChannel(group, timeout, Runnable::run, reads, new GroupChannel.LocalWrites(node, submitted, resent),
        System::nanoTime);
    return channel;
  }

  @AfterEach
  void close() throws IOException {
    if (channel != null) {
      channel.close();
    }
    reads.close();
  }

  private static CompletableFuture<RaftClientReply> applied(RaftClientRequest request) {
    return CompletableFuture.completedFuture(RaftClientReply.newBuilder().setRequest(request).setSuccess()
        .setMessage(Message.valueOf("applied")).build());
  }

  private static Function<RaftClientRequest, CompletableFuture<RaftClientReply>> refused(
      java.util.function.Supplier<org.apache.ratis.protocol.exceptions.RaftException> e) {
    return request -> CompletableFuture.completedFuture(
        RaftClientReply.newBuilder().setRequest(request).setException(e.get()).build());
  }

  private static String text(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }

  @Test
  void aWriteToAGroupTheNodeLeadsIsSubmittedInProcessOnce() throws Exception {
    answers.add(GroupChannelLocalWritesTest::applied);
    byte[] reply = channel(Duration.ofSeconds(5)).write("cmd".getBytes(StandardCharsets.UTF_8)).get(5, TimeUnit.SECONDS);
    assertThat(text(reply)).isEqualTo("applied");
    assertThat(sent).singleElement().satisfies(r -> {
      assertThat(r.is(org.apache.ratis.proto.RaftProtos.RaftClientRequestProto.TypeCase.WRITE)).isTrue();
      assertThat(r.getServerId()).isEqualTo(N1.getId());
      assertThat(r.getMessage().getContent().toStringUtf8()).isEqualTo("cmd");
    });
    assertThat(submitted.count()).isEqualTo(1);
    assertThat(resent.count()).isZero();
  }

  @Test
  void aWriteToAGroupTheNodeDoesNotLeadGoesToAnotherMemberFirst() throws Exception {
    leads = false;
    answers.add(GroupChannelLocalWritesTest::applied);
    try (java.net.ServerSocket closed = new java.net.ServerSocket(0)) {
      RaftPeer n2 = RaftPeer.newBuilder().setId("n2").setAddress("127.0.0.1:" + closed.getLocalPort()).build();
      closed.close(); // nothing listens there now: a send to n2 is refused at once
      byte[] reply = channel(RaftGroup.valueOf(RaftGroupId.randomId(), N1, n2), Duration.ofSeconds(5))
          .write(new byte[] {1}).get(5, TimeUnit.SECONDS);
      assertThat(text(reply)).isEqualTo("applied");
    }
    // Sent to n2 first; only after n2 refused did it come to this node, and not as an in-process write.
    assertThat(sent).hasSize(1);
    assertThat(submitted.count()).isZero();
    assertThat(resent.count()).isZero();
  }

  /**
   * A member that takes the connection and never answers (a paused process) is left after {@link
   * GroupChannel#WRITE_ATTEMPT_TIMEOUT}, not the whole request timeout, and the same request goes to
   * the next member.
   */
  @Test
  void aWriteToAMemberThatDoesNotAnswerGoesToTheNextAfterTheAttemptTimeout() throws Exception {
    leads = false;
    answers.add(GroupChannelLocalWritesTest::applied);
    try (java.net.ServerSocket silent = new java.net.ServerSocket(0)) { // accepts, never speaks HTTP/2
      RaftPeer n2 = RaftPeer.newBuilder().setId("n2").setAddress("127.0.0.1:" + silent.getLocalPort()).build();
      long start = System.nanoTime();
      byte[] reply = channel(RaftGroup.valueOf(RaftGroupId.randomId(), n2, N1), Duration.ofSeconds(20))
          .write(new byte[] {1}).get(20, TimeUnit.SECONDS);
      assertThat(text(reply)).isEqualTo("applied");
      assertThat(Duration.ofNanos(System.nanoTime() - start))
          .isBetween(GroupChannel.WRITE_ATTEMPT_TIMEOUT, GroupChannel.WRITE_ATTEMPT_TIMEOUT.multipliedBy(3));
    }
    assertThat(sent).hasSize(1);
    assertThat(channel.leaderHint()).isEqualTo("n1"); // it applied the write
  }

  @Test
  void aWriteRefusedByANodeThatStoppedLeadingIsSentAgainWithItsCallId() throws Exception {
    answers.add(refused(() -> new NotLeaderException(MEMBER, N1, List.of(N1))));
    answers.add(refused(() -> new LeaderNotReadyException(MEMBER)));
    answers.add(request -> CompletableFuture.failedFuture(new IOException("connection reset")));
    answers.add(GroupChannelLocalWritesTest::applied);
    byte[] reply = channel(Duration.ofSeconds(5)).write("cmd".getBytes(StandardCharsets.UTF_8)).get(5, TimeUnit.SECONDS);
    assertThat(text(reply)).isEqualTo("applied");
    assertThat(sent).hasSize(4);
    assertThat(sent).extracting(RaftClientRequest::getClientId).containsOnly(sent.get(0).getClientId());
    assertThat(sent).extracting(RaftClientRequest::getCallId).containsOnly(sent.get(0).getCallId());
    assertThat(submitted.count()).isEqualTo(1);
    assertThat(resent.count()).isEqualTo(3);
  }

  @Test
  void twoWritesHaveDifferentCallIds() throws Exception {
    answers.add(GroupChannelLocalWritesTest::applied);
    channel(Duration.ofSeconds(5));
    channel.write(new byte[] {1}).get(5, TimeUnit.SECONDS);
    channel.write(new byte[] {2}).get(5, TimeUnit.SECONDS);
    assertThat(sent).extracting(RaftClientRequest::getCallId).doesNotHaveDuplicates();
  }

  @Test
  void aRefusalOfTheStateMachineIsFinal() {
    answers.add(refused(() -> new StateMachineException(MEMBER, new IllegalArgumentException("key-bytes-max: too long"))));
    CompletableFuture<byte[]> write = channel(Duration.ofSeconds(5)).write(new byte[] {1});
    assertThatThrownBy(() -> write.get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
        .hasRootCauseInstanceOf(IllegalArgumentException.class).hasRootCauseMessage("key-bytes-max: too long");
    assertThat(sent).hasSize(1);
    assertThat(resent.count()).isZero();
  }

  @Test
  void aWriteNoLeaderAnswersFailsAtTheRequestTimeout() {
    answers.add(request -> new CompletableFuture<>()); // taken, never answered
    long start = System.nanoTime();
    CompletableFuture<byte[]> write = channel(Duration.ofMillis(300)).write(new byte[] {1});
    assertThatThrownBy(() -> write.get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(TimeoutException.class);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofMillis(250), Duration.ofSeconds(3));
    assertThat(sent).hasSize(1);
  }

  @Test
  void aNodeThatKeepsRefusingIsAskedAgainUntilTheRequestTimeout() {
    answers.add(refused(() -> new LeaderNotReadyException(MEMBER)));
    CompletableFuture<byte[]> write = channel(Duration.ofMillis(450)).write(new byte[] {1});
    assertThatThrownBy(() -> write.get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(LeaderNotReadyException.class);
    // One send, then one every WRITE_RETRY_SLEEP_MS (100 ms) until the 450 ms are up.
    assertThat(sent).hasSizeBetween(3, 6);
  }
}
