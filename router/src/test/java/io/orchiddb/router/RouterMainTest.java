package io.orchiddb.router;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * Proves that {@code orchiddb router} refuses a bad configuration at start with exit code 2 and a
 * message naming the setting, never a stack trace.
 */
class RouterMainTest {
  private static CommandRun run(String... args) {
    return CommandRun.of(new RouterMain(), args);
  }

  @Test
  void missingPeersIsNamed() {
    CommandRun r = run();
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("peers: required").doesNotContain("\tat ");
  }

  @Test
  void badPortIsNamed() {
    CommandRun r = run("--peers", "n1=127.0.0.1:7001", "--grpc-port", "70000");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("grpc-port: must be between 0 and 65535, got 70000");
  }

  @Test
  void limitAboveItsCeilingIsNamed() {
    CommandRun r = run("--peers", "n1=127.0.0.1:7001", "--key-bytes-max", "16385");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("key-bytes-max: must be between 1 and 16384, got 16385");
  }

  @Test
  void readCacheSettingsOneOverTheirBoundsAreNamed() {
    CommandRun ttl = run("--peers", "n1=127.0.0.1:7001", "--read-cache-ttl-ms", "60001");
    assertThat(ttl.exitCode()).isEqualTo(2);
    assertThat(ttl.err()).contains("read-cache-ttl-ms: must be between 0 (no cache) and 60000, got 60001")
        .doesNotContain("\tat ");
    CommandRun negative = run("--peers", "n1=127.0.0.1:7001", "--read-cache-ttl-ms", "-1");
    assertThat(negative.err()).contains("read-cache-ttl-ms: must be between 0 (no cache) and 60000, got -1");
    CommandRun bytes = run("--peers", "n1=127.0.0.1:7001", "--read-cache-bytes", "65535");
    assertThat(bytes.exitCode()).isEqualTo(2);
    assertThat(bytes.err()).contains("read-cache-bytes: must be at least 65536, got 65535");
  }

  @Test
  void readCacheSettingsAtTheirBoundsAreTaken() {
    RouterConfig off = RouterConfig.parse(java.util.Map.of("peers", "n1=127.0.0.1:7001", "read-cache-ttl-ms", "0",
        "read-cache-bytes", "65536"));
    assertThat(off.readCacheTtl()).isZero();
    assertThat(off.readCacheBytes()).isEqualTo(65536);
    RouterConfig longest = RouterConfig.parse(java.util.Map.of("peers", "n1=127.0.0.1:7001",
        "read-cache-ttl-ms", "60000"));
    assertThat(longest.readCacheTtl()).hasMillis(60000);
    RouterConfig defaults = RouterConfig.parse(java.util.Map.of("peers", "n1=127.0.0.1:7001"));
    assertThat(defaults.readCacheTtl()).hasMillis(100);
    assertThat(defaults.readCacheBytes()).isEqualTo(32 << 20);
  }

  @Test
  void writeGatherOutsideItsBoundsIsNamedAndItsBoundsAreTaken() {
    CommandRun over = run("--peers", "n1=127.0.0.1:7001", "--write-gather-ms", "101");
    assertThat(over.exitCode()).isEqualTo(2);
    assertThat(over.err()).contains("write-gather-ms: must be between 0 (no hold) and 100, got 101")
        .doesNotContain("\tat ");
    CommandRun negative = run("--peers", "n1=127.0.0.1:7001", "--write-gather-ms", "-1");
    assertThat(negative.err()).contains("write-gather-ms: must be between 0 (no hold) and 100, got -1");
    assertThat(RouterConfig.parse(java.util.Map.of("peers", "n1=127.0.0.1:7001", "write-gather-ms", "0"))
        .writeGather()).isZero();
    assertThat(RouterConfig.parse(java.util.Map.of("peers", "n1=127.0.0.1:7001", "write-gather-ms", "100"))
        .writeGather()).hasMillis(100);
    assertThat(RouterConfig.parse(java.util.Map.of("peers", "n1=127.0.0.1:7001")).writeGather()).hasMillis(4);
  }

  @Test
  void connectionLimitsOutsideTheirBoundsAreNamedAndTheirBoundsAreTaken() {
    for (String setting : new String[] {"grpc-connections-max", "http-connections-max", "grpc-calls-per-connection-max"}) {
      CommandRun zero = run("--peers", "n1=127.0.0.1:7001", "--" + setting, "0");
      assertThat(zero.exitCode()).isEqualTo(2);
      assertThat(zero.err()).contains(setting + ": must be between 1 and 65536, got 0").doesNotContain("\tat ");
      CommandRun over = run("--peers", "n1=127.0.0.1:7001", "--" + setting, "65537");
      assertThat(over.err()).contains(setting + ": must be between 1 and 65536, got 65537");
    }
    RouterConfig edges = RouterConfig.parse(java.util.Map.of("peers", "n1=127.0.0.1:7001",
        "grpc-connections-max", "1", "http-connections-max", "65536", "grpc-calls-per-connection-max", "1"));
    assertThat(edges.grpcConnectionsMax()).isEqualTo(1);
    assertThat(edges.httpConnectionsMax()).isEqualTo(65536);
    assertThat(edges.grpcCallsPerConnectionMax()).isEqualTo(1);
    RouterConfig defaults = RouterConfig.parse(java.util.Map.of("peers", "n1=127.0.0.1:7001"));
    assertThat(defaults.grpcConnectionsMax()).isEqualTo(4096);
    assertThat(defaults.httpConnectionsMax()).isEqualTo(4096);
    assertThat(defaults.grpcCallsPerConnectionMax()).isEqualTo(1024);
  }
}
