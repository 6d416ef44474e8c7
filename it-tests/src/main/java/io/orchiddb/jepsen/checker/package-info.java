/**
 * Checkers of a Jepsen-style history ({@code io.orchiddb.jepsen.history}): each
 * {@link io.orchiddb.jepsen.checker.Checker} returns a {@link io.orchiddb.jepsen.checker.Verdict}
 * whose {@link io.orchiddb.jepsen.checker.Outcome} is VALID, INVALID or UNKNOWN (never a silent
 * pass). {@link io.orchiddb.jepsen.checker.LinearizabilityChecker} for registers,
 * {@link io.orchiddb.jepsen.checker.SetChecker} for lost adds,
 * {@link io.orchiddb.jepsen.checker.SessionChecker} and
 * {@link io.orchiddb.jepsen.checker.EventualChecker} for the weaker read levels.
 */
package io.orchiddb.jepsen.checker;
