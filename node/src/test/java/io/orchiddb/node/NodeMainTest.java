package io.orchiddb.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Proves that {@code orchiddb node} refuses a bad configuration at start, with exit code 2 and a
 * one-line message naming the setting (never a stack trace), from flags and from a file.
 */
class NodeMainTest {
  @TempDir
  Path dir;

  private record Run(int exitCode, String err) {}

  private Run run(String... args) {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream original = System.err;
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    try {
      int code = new CommandLine(new NodeMain()).execute(args);
      return new Run(code, err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setErr(original);
    }
  }

  @Test
  void badFlagValueNamesTheSetting() {
    Run r = run("--node-id", "n1", "--peers", "n1=127.0.0.1:7001", "--shard-count", "0");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).startsWith("orchiddb node: bad configuration: shard-count: must be between 1 and 1024, got 0")
        .doesNotContain("Exception").doesNotContain("\tat ");
  }

  @Test
  void missingRequiredSettingNamesIt() {
    Run r = run("--node-id", "n1");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("peers: required");
  }

  @Test
  void badValueInConfigFileNamesTheSetting() throws Exception {
    Path file = dir.resolve("node.properties");
    Files.writeString(file, "node-id=n1\npeers=n1=127.0.0.1:7001\nstorage=tape\n");
    Run r = run("--config", file.toString());
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("storage: must be durable or memory, got 'tape'");
  }

  @Test
  void flagsOverrideTheFile() throws Exception {
    Path file = dir.resolve("node.properties");
    Files.writeString(file, "node-id=n1\npeers=n1=127.0.0.1:7001\nshard-count=0\n");
    NodeMain main = new NodeMain();
    new CommandLine(main).parseArgs("--config", file.toString(), "--shard-count", "4");
    assertThat(main.settings()).containsEntry("shard-count", "4").containsEntry("node-id", "n1");
  }
}
