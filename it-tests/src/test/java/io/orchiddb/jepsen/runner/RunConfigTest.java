package io.orchiddb.jepsen.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.orchiddb.jepsen.nemesis.FaultKind;
import io.orchiddb.jepsen.workload.MixedWorkload;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.testcontainers.utility.DockerImageName;

/**
 * Proves that a run's name says its layout (a router container, {@code 3n}, or routers in the
 * nodes, {@code 3e}: what {@code -Djepsen.layouts} selects) and that a run with embedded routers
 * cannot ask for router kills, which would have no container to kill. How: build configs directly.
 */
class RunConfigTest {
  private static final Set<FaultKind> NODE_FAULTS = EnumSet.of(FaultKind.PAUSE, FaultKind.KILL);

  @Test
  void theNameSaysTheLayout() {
    assertThat(RunConfig.nameOf(3, RunConfig.Routers.CONTAINER, EnumSet.of(FaultKind.KILL, FaultKind.KILL_ROUTER), 42))
        .isEqualTo("3n-kill-kill-router-s42");
    assertThat(RunConfig.nameOf(3, RunConfig.Routers.EMBEDDED, NODE_FAULTS, 7)).isEqualTo("3e-kill-pause-s7");
    assertThat(RunConfig.Routers.EMBEDDED.layoutName(5)).isEqualTo("5e");
  }

  @Test
  void embeddedRoutersTakeNodeFaultsButNoRouterKills() {
    assertThat(config(RunConfig.Routers.EMBEDDED, NODE_FAULTS).faults()).isEqualTo(NODE_FAULTS);
    assertThat(config(RunConfig.Routers.CONTAINER, EnumSet.of(FaultKind.KILL_ROUTER)).faults())
        .containsExactly(FaultKind.KILL_ROUTER);
    assertThatThrownBy(() -> config(RunConfig.Routers.EMBEDDED, EnumSet.of(FaultKind.KILL, FaultKind.KILL_ROUTER)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("kill-router needs a router container");
  }

  private static RunConfig config(RunConfig.Routers routers, Set<FaultKind> faults) {
    return new RunConfig("test", 1, 3, routers, 4, faults, Duration.ofSeconds(10), MixedWorkload.Config.defaults(),
        DockerImageName.parse("localhost/orchiddb:dev"), Path.of("target/jepsen"));
  }
}
