/**
 * The OrchidDB Java SDK: {@link io.orchiddb.client.OrchidClient} and the values it takes and returns.
 *
 * <p>One client per application: it is thread-safe, holds one gRPC channel per router endpoint,
 * fails over between routers, retries what is safe to retry within each request's deadline, and
 * keeps the session token that makes {@link io.orchiddb.client.Consistency#SESSION} reads see the
 * client's own writes.
 *
 * <p>Errors are unchecked and typed ({@link io.orchiddb.client.OrchidException} and its
 * subclasses). The one to design around is {@link io.orchiddb.client.OutcomeUnknownException}: a
 * write that timed out or lost its connection mid-flight may or may not have been applied, and the
 * client never reports such a write as failed.
 *
 * <p>Everything in {@code io.orchiddb.client.internal} is machinery, not API.
 */
package io.orchiddb.client;
