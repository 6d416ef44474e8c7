package io.orchiddb.client.internal;

import io.grpc.ClientStreamTracer;
import io.grpc.Metadata;

/**
 * Records whether any stream of one call attempt got its request headers onto a connection.
 *
 * <p>Why: a write may only be retried when it provably never reached a router. gRPC reports
 * {@link ClientStreamTracer#outboundHeaders()} once the headers are written to the transport (Netty:
 * when the HEADERS frame write succeeded; in-process: when the stream starts). A request's message
 * follows its headers, so an attempt that never got that callback cannot have been seen, let alone
 * applied, by any router: e.g. the channel could not connect and the call failed fast. Seeing the
 * callback proves nothing either way, so such a write failure is "outcome unknown".
 */
final class HeadersSent extends ClientStreamTracer.Factory {
  private volatile boolean sent;

  @Override
  public ClientStreamTracer newClientStreamTracer(ClientStreamTracer.StreamInfo info, Metadata headers) {
    return new ClientStreamTracer() {
      @Override
      public void outboundHeaders() {
        sent = true;
      }
    };
  }

  boolean sent() {
    return sent;
  }
}
