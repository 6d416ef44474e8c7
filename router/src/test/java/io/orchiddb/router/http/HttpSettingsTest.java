package io.orchiddb.router.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.orchiddb.node.config.ConfigException;
import io.orchiddb.router.RouterConfig;
import io.orchiddb.router.RouterMain;
import io.orchiddb.router.metrics.RouterMetrics;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * Proves the gateway's settings: http-port defaults to 4206 and http-idle-timeout-ms to 10 s, and
 * a bad value, from a settings map or a {@code --http-*} flag, is refused naming the setting, and
 * so is a port that is already taken.
 */
class HttpSettingsTest {
  private static final String PEERS = "n1=127.0.0.1:7001";

  @Test
  void defaults() {
    RouterConfig c = RouterConfig.parse(Map.of("peers", PEERS));
    assertThat(c.httpPort()).isEqualTo(4206);
    assertThat(c.httpIdleTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(RouterConfig.parse(Map.of("peers", PEERS, "http-port", "0")).httpPort()).isZero();
  }

  @Test
  void badValuesAreNamed() {
    assertThatThrownBy(() -> RouterConfig.parse(Map.of("peers", PEERS, "http-port", "65536")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("http-port: must be between 0 and 65535, got 65536");
    assertThatThrownBy(() -> RouterConfig.parse(Map.of("peers", PEERS, "http-idle-timeout-ms", "99")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("http-idle-timeout-ms: must be at least 100, got 99");
  }

  @Test
  void aTakenPortIsReportedByName() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      RouterConfig c = RouterConfig.parse(Map.of("peers", PEERS, "http-port", String.valueOf(taken.getLocalPort())));
      assertThatThrownBy(() -> HttpGateway.start(c, null, null, () -> true, RouterMetrics.disabled()))
          .isInstanceOf(IOException.class).hasMessageStartingWith("http-port " + taken.getLocalPort() + ": cannot listen");
    }
  }

  @Test
  void flagsReachTheConfiguration() {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream original = System.err;
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    int exit;
    try {
      exit = new CommandLine(new RouterMain()).execute("--peers", PEERS, "--http-port", "70000");
    } finally {
      System.setErr(original);
    }
    assertThat(exit).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("http-port: must be between 0 and 65535, got 70000")
        .doesNotContain("\tat ");
  }
}
