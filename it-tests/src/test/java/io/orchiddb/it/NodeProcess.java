package io.orchiddb.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * An OrchidDB node running as a separate JVM ({@code io.orchiddb.node.NodeMain}) on this test's
 * classpath, with its output in {@code <dataDir>.log}. It can be killed with SIGKILL and started
 * again on the same data directory.
 *
 * <p>It starts with the JVM options a deployed node has: the launchers' {@code jvm.options} and
 * {@code node-jvm.options} (the Serial collector, native-heap trimming, ...) from
 * {@code deploy/image}, which the build passes as {@code orchiddb.jvm-options-dir}, and two glibc
 * malloc arenas, so the kill tests exercise the collector and settings that run in production.
 */
final class NodeProcess implements AutoCloseable {
  private final String id;
  private final List<String> args;
  private final Path log;
  private Process process;

  NodeProcess(String id, Path dataDir, List<String> nodeArgs) {
    this.id = id;
    this.log = dataDir.resolveSibling(dataDir.getFileName() + ".log");
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    Path options = Path.of(System.getProperty("orchiddb.jvm-options-dir", "../deploy/image"));
    cmd.add("@" + options.resolve("jvm.options"));
    cmd.add("@" + options.resolve("node-jvm.options"));
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add("io.orchiddb.node.NodeMain");
    cmd.add("--node-id");
    cmd.add(id);
    cmd.add("--data-dir");
    cmd.add(dataDir.toString());
    cmd.addAll(nodeArgs);
    this.args = List.copyOf(cmd);
  }

  String id() {
    return id;
  }

  /** The last {@code lines} lines of this node's output (all its runs), for a failure's report. */
  String logTail(int lines) throws IOException {
    if (!Files.exists(log)) {
      return "(no output)";
    }
    List<String> all = Files.readAllLines(log);
    return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
  }

  /** Starts the JVM and waits until the node reports it is ready. */
  void start(Duration timeout) throws IOException {
    long logStart = Files.exists(log) ? Files.size(log) : 0;
    ProcessBuilder builder = new ProcessBuilder(args).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    builder.environment().put("MALLOC_ARENA_MAX", "2");
    process = builder.start();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      String out = Files.exists(log) ? Files.readString(log).substring((int) logStart) : "";
      if (out.contains("orchiddb node " + id + " ready")) {
        return;
      }
      if (!process.isAlive()) {
        throw new IOException("node " + id + " exited with " + process.exitValue() + ":\n" + out);
      }
      if (System.nanoTime() > deadline) {
        throw new IOException("node " + id + " not ready after " + timeout + ":\n" + out);
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
    }
  }

  /** SIGKILL: no shutdown hook runs, nothing is flushed. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  boolean alive() {
    return process != null && process.isAlive();
  }

  @Override
  public void close() throws InterruptedException {
    if (alive()) {
      kill();
    }
  }
}
