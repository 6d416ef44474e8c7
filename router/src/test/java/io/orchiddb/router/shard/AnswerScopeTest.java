package io.orchiddb.router.shard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link AnswerScope}: flushes deferred inside a scope run once, in order, when the outermost scope ends. */
class AnswerScopeTest {
  @Test
  void outsideAScopeNothingIsDeferred() {
    List<String> ran = new ArrayList<>();
    assertThat(AnswerScope.defer(() -> ran.add("x"))).isFalse();
    assertThat(ran).isEmpty();
  }

  @Test
  void deferredFlushesRunWhenTheOutermostScopeEnds() {
    List<String> ran = new ArrayList<>();
    AnswerScope.run(() -> {
      assertThat(AnswerScope.defer(() -> ran.add("a"))).isTrue();
      AnswerScope.run(() -> assertThat(AnswerScope.defer(() -> ran.add("b"))).isTrue());
      assertThat(ran).as("the inner scope's end flushes nothing").isEmpty();
      ran.add("answered");
    });
    assertThat(ran).containsExactly("answered", "a", "b");
    assertThat(AnswerScope.defer(() -> ran.add("later"))).as("the scope is gone").isFalse();
  }

  @Test
  void aFlushThatThrowsDoesNotKeepTheOthersFromRunning() {
    List<String> ran = new ArrayList<>();
    assertThatThrownBy(() -> AnswerScope.run(() -> {
      AnswerScope.defer(() -> {
        throw new IllegalStateException("stream gone");
      });
      AnswerScope.defer(() -> ran.add("second"));
    })).hasMessage("stream gone");
    assertThat(ran).containsExactly("second");
  }
}
