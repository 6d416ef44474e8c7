package io.orchiddb.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.orchiddb.node.config.FreePorts;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end, as a newcomer meets OrchidDB: {@code orchiddb dev} runs as its own process (the CLI's
 * main class on this module's classpath, exactly what the {@code ./orchiddb} launcher runs), and is
 * driven over HTTP (the original curl shortcuts and the JSON API) and through {@code orchiddb repl}
 * and the one-shot commands as further processes, over stdin/stdout. Restarting dev mode keeps the
 * data.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DevModeIT {
  @TempDir
  static Path dir;

  private Process dev;
  private Path devLog;
  private int grpcPort;
  private int httpPort;
  private int nodePort;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  @BeforeAll
  void startDev() throws Exception {
    int[] ports = FreePorts.pick(2);
    grpcPort = ports[0];
    httpPort = ports[1];
    nodePort = freePortRun(3); // dev mode's nodes listen on nodePort, nodePort+1, nodePort+2
    startDevProcess();
  }

  private void startDevProcess() throws Exception {
    devLog = dir.resolve("dev-" + System.nanoTime() + ".log");
    dev = cli("dev", "--data-dir", dir.resolve("data").toString(), "--shards", "4", "--grpc-port",
        String.valueOf(grpcPort), "--http-port", String.valueOf(httpPort), "--node-port", String.valueOf(nodePort))
        .redirectErrorStream(true).redirectOutput(devLog.toFile()).start();
    awaitLog("OrchidDB is running", Duration.ofSeconds(120));
  }

  @AfterAll
  void stopDev() throws Exception {
    if (dev != null && dev.isAlive()) {
      dev.destroy(); // SIGTERM: dev mode shuts down cleanly
      dev.waitFor(60, TimeUnit.SECONDS);
    }
  }

  /**
   * The first of {@code count} consecutive ports that are all free now: {@code dev --node-port P}
   * binds P, P+1, ..., and a free P alone left P+1 taken in one CI run ("Failed to bind").
   */
  static int freePortRun(int count) throws IOException {
    for (int attempt = 0; attempt < 100; attempt++) {
      int first = FreePorts.pick(1)[0];
      if (first + count - 1 > 65535) {
        continue;
      }
      boolean allFree = true;
      for (int p = first + 1; p < first + count && allFree; p++) {
        try (ServerSocket s = new ServerSocket(p)) {
          s.setReuseAddress(true);
        } catch (IOException taken) {
          allFree = false;
        }
      }
      if (allFree) {
        return first;
      }
    }
    throw new IOException("no run of " + count + " free ports found in 100 attempts");
  }

  /** A process running the CLI with {@code args}, on this test's classpath. */
  static ProcessBuilder cli(String... args) {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx512m", "-Djava.util.concurrent.ForkJoinPool.common.parallelism=4",
        "-cp", System.getProperty("java.class.path"), OrchidCli.class.getName()));
    cmd.addAll(List.of(args));
    return new ProcessBuilder(cmd);
  }

  private void awaitLog(String text, Duration timeout) throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!Files.readString(devLog).contains(text)) {
      if (!dev.isAlive() || System.nanoTime() > deadline) {
        throw new AssertionError("dev mode did not print '" + text + "':\n" + Files.readString(devLog));
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
    }
  }

  private HttpResponse<String> get(String pathAndQuery) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + pathAndQuery))
        .timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Runs a CLI command as a process with {@code stdin}; returns exit code and stdout+stderr. */
  private record Run(int exit, String out) {}

  private Run run(String stdin, String... args) throws Exception {
    Process p = cli(args).redirectErrorStream(true).start();
    try (OutputStream in = p.getOutputStream()) {
      in.write(stdin.getBytes(StandardCharsets.UTF_8));
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("process finished").isTrue();
    return new Run(p.exitValue(), out);
  }

  @Test
  void devModePrintsWhatIsListeningAndHowToTryIt() throws IOException {
    String log = Files.readString(devLog);
    assertThat(log).contains("HTTP  http://127.0.0.1:" + httpPort).contains("gRPC  127.0.0.1:" + grpcPort)
        .contains("curl \"127.0.0.1:" + httpPort + "/put?key2=baz\"").contains("curl \"127.0.0.1:" + httpPort + "/metrics\"");
  }

  @Test
  void theOriginalCurlShortcutsWorkExactly() throws Exception {
    HttpResponse<String> put = get("/put?key2=baz");
    assertThat(put.statusCode()).isIn(200, 201);
    HttpResponse<String> got = get("/get/key2");
    assertThat(got.statusCode()).isEqualTo(200);
    assertThat(got.body().strip()).isEqualTo("baz");
    assertThat(get("/delete/key2").statusCode()).isEqualTo(200);
    assertThat(get("/get/key2").statusCode()).isEqualTo(404);
  }

  @Test
  void replSpeaksTheOriginalCommands() throws Exception {
    Run r = run(String.join("\n", "PUT color blue sky", "get color", "Delete color", "GET color",
        "SCAN col", "bogus", "help", "exit", "GET never-reached") + "\n",
        "repl", "--router", "127.0.0.1:" + grpcPort);
    assertThat(r.exit()).isZero();
    assertThat(r.out()).contains("OK (version").contains("blue sky")
        .contains("[INFO] Key (color) does not exist in DB")
        .contains("[ERROR] Unknown command 'bogus'")
        .contains("GET key").contains("Bye")
        .doesNotContain("never-reached").doesNotContain("Exception");
  }

  @Test
  void oneShotCommandsWork() throws Exception {
    String router = "127.0.0.1:" + grpcPort;
    assertThat(run("", "put", "--router", router, "cli-key", "cli value").out()).contains("OK (version");
    Run got = run("", "get", "--router", router, "cli-key");
    assertThat(got.exit()).isZero();
    assertThat(got.out().strip()).isEqualTo("cli value");
    Run missing = run("", "get", "--router", router, "cli-missing");
    assertThat(missing.exit()).isEqualTo(1);
    assertThat(missing.out()).contains("[INFO] Key (cli-missing) does not exist in DB");
    Run bad = run("", "put", "--router", router, "x".repeat(1025), "v");
    assertThat(bad.exit()).isEqualTo(1);
    assertThat(bad.out()).contains("key-bytes-max").doesNotContain("\tat ");
    Run status = run("", "status", "--router", router);
    assertThat(status.out()).contains("shard 0 leader n");
  }

  @Test
  void restartingDevModeKeepsTheData() throws Exception {
    assertThat(get("/put?durable=yes").statusCode()).isIn(200, 201);
    stopDev();
    // SIGTERM ends the JVM with 143 (128 + 15) once the shutdown hook has stopped the cluster.
    assertThat(dev.exitValue()).isIn(0, 143);
    assertThat(Files.readString(devLog)).contains("orchiddb dev: stopping").doesNotContain("error while stopping");
    startDevProcess();
    HttpResponse<String> got = get("/get/durable");
    assertThat(got.statusCode()).isEqualTo(200);
    assertThat(got.body().strip()).isEqualTo("yes");
  }
}
