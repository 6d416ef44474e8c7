package io.orchiddb.testcontainers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/**
 * Proves, without a container runtime, what the helpers hand to the image: the peers list, the
 * environment variable each setting becomes, and that bad configuration is refused before any
 * container is created. How: call the builders and the package-private helpers directly.
 */
class OrchidClusterTest {
  @Test
  void peersNameEveryNodeByIdOnTheNodePort() {
    assertThat(OrchidCluster.peers(1)).isEqualTo("n1=n1:7001");
    assertThat(new OrchidCluster().peers()).isEqualTo("n1=n1:7001,n2=n2:7001,n3=n3:7001");
    assertThat(new OrchidCluster().withNodes(5).peers()).endsWith(",n5=n5:7001");
  }

  @Test
  void settingsBecomeTheEnvironmentVariablesTheEntrypointReads() {
    assertThat(OrchidContainer.environmentVariable("shard-count")).isEqualTo("ORCHIDDB_SHARD_COUNT");
    assertThat(OrchidContainer.environmentVariable("peers")).isEqualTo("ORCHIDDB_PEERS");
    assertThat(OrchidContainer.environmentVariable("request-bytes-max")).isEqualTo("ORCHIDDB_REQUEST_BYTES_MAX");
  }

  @Test
  void aSettingIsAFlagNameWithoutDashes() {
    assertThatThrownBy(() -> new OrchidCluster().withNodeSetting("--shard-count", "4"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'--shard-count'");
    assertThatThrownBy(() -> new OrchidCluster().withRouterSetting("SHARD_COUNT", "4"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void nodeCountIsBounded() {
    assertThatThrownBy(() -> new OrchidCluster().withNodes(0)).hasMessage("nodes must be between 1 and 9, got 0");
    assertThatThrownBy(() -> new OrchidCluster().withNodes(10)).hasMessage("nodes must be between 1 and 9, got 10");
  }

  @Test
  void endpointsNeedAStartedCluster() {
    assertThatThrownBy(() -> new OrchidCluster().httpEndpoint())
        .isInstanceOf(IllegalStateException.class).hasMessage("the cluster is not started");
    assertThatThrownBy(() -> new OrchidCluster().node("n1")).hasMessageContaining("not started");
  }

  @Test
  void nodeIdsAreCheckedLikeTheNodeDoes() {
    assertThatThrownBy(() -> OrchidContainer.node(OrchidCluster.DEFAULT_IMAGE, "N1", "N1=N1:7001"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'N1'");
  }

  @Test
  void stopBeforeStartDoesNothing() {
    OrchidCluster cluster = new OrchidCluster();
    cluster.stop();
    cluster.stop();
  }

  @Test
  void embeddedRoutersRunInTheNodesWithTheirPortsExposed() {
    OrchidContainer node = OrchidContainer.node(OrchidCluster.DEFAULT_IMAGE, "n1", "n1=n1:7001").withEmbeddedRouter();
    assertThat(node.getEnvMap())
        .containsEntry("ORCHIDDB_ROUTER", "true")
        .containsEntry("ORCHIDDB_ROUTER_LISTEN_HOST", "0.0.0.0");
    assertThat(node.getExposedPorts()).contains(OrchidContainer.HTTP_PORT, OrchidContainer.GRPC_PORT);
    assertThat(node.servesApi()).isTrue();
    assertThat(OrchidContainer.node(OrchidCluster.DEFAULT_IMAGE, "n1", "n1=n1:7001").servesApi()).isFalse();
    assertThatThrownBy(() -> OrchidContainer.router(OrchidCluster.DEFAULT_IMAGE, "n1=n1:7001").withEmbeddedRouter())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("only a node");
  }

  @Test
  void aNodeWithoutARouterSaysWhereTheEndpointsAre() {
    assertThatThrownBy(() -> OrchidContainer.node(OrchidCluster.DEFAULT_IMAGE, "n2", "n2=n2:7001").grpcEndpoint())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("node n2 has no HTTP or gRPC endpoint")
        .hasMessageContaining("withEmbeddedRouters()");
  }

  @Test
  void embeddedRoutersTakeNoRouterSettingsButTheLimits() {
    assertThatThrownBy(() -> new OrchidCluster().withEmbeddedRouters().withRouterSetting("request-timeout-ms", "2000"))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("withNodeSetting(\"router-request-timeout-ms\"");
    assertThatThrownBy(() -> new OrchidCluster().withRouterSetting("request-timeout-ms", "2000").withEmbeddedRouters())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("[request-timeout-ms]");
    assertThat(new OrchidCluster().withLimit("key-bytes-max", 64).withEmbeddedRouters().embeddedRouters()).isTrue();
    assertThat(new OrchidCluster().withEmbeddedRouters().withLimit("key-bytes-max", 64).embeddedRouters()).isTrue();
    assertThat(new OrchidCluster().embeddedRouters()).isFalse();
  }

  @Test
  void everyEndpointNeedsAStartedCluster() {
    assertThatThrownBy(() -> new OrchidCluster().withEmbeddedRouters().grpcEndpoints())
        .isInstanceOf(IllegalStateException.class).hasMessage("the cluster is not started");
    assertThatThrownBy(() -> new OrchidCluster().grpcEndpoints())
        .isInstanceOf(IllegalStateException.class).hasMessage("the cluster is not started");
    assertThatThrownBy(() -> new OrchidCluster().withEmbeddedRouters().router())
        .isInstanceOf(IllegalStateException.class).hasMessage("the cluster is not started");
  }

  @Test
  void startWaitsForALeaderOfEveryShardInTheClusterStatus() {
    String led = "{\"map_epoch\":2,\"shards\":[{\"id\":0,\"leader\":\"n1\",\"epoch\":1},"
        + "{\"id\":1,\"leader\":\"n3\",\"epoch\":1}]}";
    assertThat(OrchidCluster.everyShardLed(led)).isTrue();
    assertThat(OrchidCluster.everyShardLed(led.replace("\"n3\"", "\"\""))).as("shard 1 electing").isFalse();
    assertThat(OrchidCluster.everyShardLed("{\"map_epoch\":0,\"shards\":[]}")).as("no shards listed yet").isFalse();
  }
}
