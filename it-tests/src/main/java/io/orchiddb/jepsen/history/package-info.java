/**
 * The history of a Jepsen-style run: {@link io.orchiddb.jepsen.history.Op} events (invocations
 * and their OK / FAIL / INFO completions) recorded by a thread-safe
 * {@link io.orchiddb.jepsen.history.History} in real-time order, paired into
 * {@link io.orchiddb.jepsen.history.Operation}s, and stored as JSON Lines. The checkers in
 * {@code io.orchiddb.jepsen.checker} read it.
 */
package io.orchiddb.jepsen.history;
