package io.orchiddb.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.orchiddb.node.config.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Proves how {@code orchiddb node} splits its settings between the node and the router it runs
 * with {@code --router}: {@code router-X} settings go to the router as {@code X}; the router takes
 * the peers, cluster name and request limits from the node; router settings without
 * {@code --router}, shared settings given twice and bad router values are refused at start with
 * exit code 2, naming the setting as written, before anything starts.
 */
class NodeCommandTest {
  private static final String PEERS = "n1=127.0.0.1:7001,n2=127.0.0.1:7002";

  @TempDir
  Path dir;

  private static CommandRun run(String... args) {
    return CommandRun.of(new NodeCommand(), args);
  }

  private static NodeCommand parsed(String... args) {
    NodeCommand command = new NodeCommand();
    new CommandLine(command).parseArgs(args);
    return command;
  }

  @Test
  void routerSettingsGoToTheRouterWhichTakesTheClusterFromTheNode() throws Exception {
    Path file = dir.resolve("node.properties");
    Files.writeString(file, "router=true\nrouter-read-cache-ttl-ms=0\nrouter-write-gather-ms=2\n");
    NodeCommand command = parsed("--config", file.toString(), "--node-id", "n2", "--peers", PEERS,
        "--cluster-name", "east", "--key-bytes-max", "100", "--router-grpc-port", "5207", "--router-http-port", "5206",
        "--router-listen-host", "0.0.0.0");
    Map<String, String> node = command.nodeSettings(command.settings());

    assertThat(node).containsEntry("node-id", "n2").containsEntry("peers", PEERS).containsEntry("key-bytes-max", "100")
        .doesNotContainKeys("router", "router-grpc-port", "router-read-cache-ttl-ms");
    RouterConfig router = command.routerConfig;
    assertThat(router.grpcPort()).isEqualTo(5207);
    assertThat(router.httpPort()).isEqualTo(5206);
    assertThat(router.listenHost()).isEqualTo("0.0.0.0");
    assertThat(router.readCacheTtl()).isZero();
    assertThat(router.writeGather()).hasMillis(2);
    assertThat(router.peers()).containsOnlyKeys("n1", "n2");
    assertThat(router.clusterName()).isEqualTo("east");
    assertThat(router.limits().keyBytesMax()).isEqualTo(100);
  }

  @Test
  void withoutRouterTheNodeRunsAloneAndAllItsSettingsAreItsOwn() {
    NodeCommand command = parsed("--node-id", "n1", "--peers", PEERS, "--router=false");
    assertThat(command.nodeSettings(command.settings())).containsEntry("node-id", "n1").doesNotContainKey("router");
    assertThat(command.routerConfig).isNull();
  }

  @Test
  void routerSettingsWithoutRouterAreRefusedByName() {
    CommandRun r = run("--node-id", "n1", "--peers", PEERS, "--router-grpc-port", "5207");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).startsWith("orchiddb node: bad configuration: router-grpc-port: a setting of the embedded"
        + " router, which runs only with router=true (--router)").doesNotContain("\tat ");
  }

  @Test
  void badRouterValuesAreRefusedByTheirNameHere() throws Exception {
    CommandRun port = run("--node-id", "n1", "--peers", PEERS, "--router", "--router-grpc-port", "65536");
    assertThat(port.exitCode()).isEqualTo(2);
    assertThat(port.err()).contains("router-grpc-port: must be between 0 and 65535, got 65536");

    CommandRun flag = run("--node-id", "n1", "--peers", PEERS, "--router=yes");
    assertThat(flag.exitCode()).isEqualTo(2);
    assertThat(flag.err()).contains("router: must be true or false, got 'yes'");

    Path file = dir.resolve("twice.properties");
    Files.writeString(file, "router=true\nrouter-peers=n9=127.0.0.1:9\n");
    CommandRun twice = run("--config", file.toString(), "--node-id", "n1", "--peers", PEERS);
    assertThat(twice.exitCode()).isEqualTo(2);
    assertThat(twice.err()).contains("router-peers: the embedded router takes peers from the node");

    Path unknown = dir.resolve("unknown.properties");
    Files.writeString(unknown, "router=true\nrouter-colour=blue\n");
    assertThat(run("--config", unknown.toString(), "--node-id", "n1", "--peers", PEERS).err())
        .contains("router-colour: unknown setting");
  }

  @Test
  void aRouterLimitOverTheNodesIsTheNodesSettingThatIsNamed() {
    NodeCommand command = parsed("--node-id", "n1", "--peers", PEERS, "--router", "--key-bytes-max", "16385");
    assertThatThrownBy(() -> command.nodeSettings(command.settings())).isInstanceOf(ConfigException.class)
        .hasMessage("key-bytes-max: must be between 1 and 16384, got 16385");
  }
}
