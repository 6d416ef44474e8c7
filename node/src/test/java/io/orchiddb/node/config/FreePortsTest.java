package io.orchiddb.node.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * Proves {@link FreePorts}: the ports of one call are distinct (the sockets stay open until all are
 * chosen, so the kernel cannot hand out one twice) and free to bind once it returns.
 */
class FreePortsTest {
  @Test
  void portsOfOneCallAreDistinctAndBindable() throws Exception {
    int[] ports = FreePorts.pick(64);
    assertThat(ports).hasSize(64);
    assertThat(Arrays.stream(ports).distinct().count()).isEqualTo(64);
    for (int port : ports) {
      assertThat(port).isBetween(1, 65535);
      try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
        assertThat(s.getLocalPort()).isEqualTo(port);
      }
    }
  }
}
