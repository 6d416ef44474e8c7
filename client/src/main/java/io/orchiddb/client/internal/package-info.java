/**
 * Machinery behind {@link io.orchiddb.client.OrchidClient}; not API, may change without notice.
 *
 * <p>{@link io.orchiddb.client.internal.Transport} sends one request: it picks a router, retries
 * and fails over per {@link io.orchiddb.client.RetryPolicy} within the request's deadline, keeps the
 * merged session token ({@code Session}), and turns the last failure into a typed exception
 * ({@code Errors}, the one place that maps gRPC statuses to the SDK's exceptions).
 */
package io.orchiddb.client.internal;
