package io.orchiddb.router.shard;

import java.util.ArrayList;
import java.util.List;

/**
 * Lets a thread that answers many callers at once (a Raft entry's writers, a node read's gets)
 * have their responses written together: while the thread is inside {@link #run}, a response
 * stream that would write an answer can instead {@link #defer} its flush to the scope's end, so
 * the answers of one batch that share a stream leave as one message. Outside a scope, deferring
 * is refused and the caller flushes at once.
 *
 * <p>Per thread, no locks. Scopes nest: only the outermost one flushes.
 */
public final class AnswerScope {
  private static final ThreadLocal<AnswerScope> CURRENT = new ThreadLocal<>();

  private final List<Runnable> flushes = new ArrayList<>();

  private AnswerScope() {}

  /** Runs {@code answering}, then every flush deferred during it, each once, in order. */
  public static void run(Runnable answering) {
    if (CURRENT.get() != null) {
      answering.run();
      return;
    }
    AnswerScope scope = new AnswerScope();
    CURRENT.set(scope);
    try {
      answering.run();
    } finally {
      CURRENT.remove();
      // A flush that throws must not keep the others from running: each is one stream's write.
      RuntimeException first = null;
      for (Runnable flush : scope.flushes) {
        try {
          flush.run();
        } catch (RuntimeException e) {
          if (first == null) {
            first = e;
          }
        }
      }
      if (first != null) {
        throw first;
      }
    }
  }

  /**
   * Defers {@code flush} to the end of the current thread's scope.
   *
   * @return false when the thread is in no scope: the caller flushes itself
   */
  public static boolean defer(Runnable flush) {
    AnswerScope scope = CURRENT.get();
    if (scope == null) {
      return false;
    }
    scope.flushes.add(flush);
    return true;
  }
}
