package io.orchiddb.node.config;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;

/**
 * Free loopback ports for clusters started on port 0 (dev mode and tests).
 *
 * <p>All sockets stay open until every port is chosen: asking for one free port at a time, closing
 * it and asking again can return the same port twice (seen in CI: "peers: two nodes share an
 * address"). The ports are free when this returns, not reserved; whoever binds them may still
 * lose one to another process, which fails loudly at bind time.
 */
public final class FreePorts {
  private FreePorts() {}

  /** {@code count} distinct ports that are free on 127.0.0.1 at the time of the call. */
  public static int[] pick(int count) throws IOException {
    List<ServerSocket> open = new ArrayList<>(count);
    try {
      int[] ports = new int[count];
      for (int i = 0; i < count; i++) {
        ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        open.add(s);
        ports[i] = s.getLocalPort();
      }
      return ports;
    } finally {
      for (ServerSocket s : open) {
        s.close();
      }
    }
  }
}
