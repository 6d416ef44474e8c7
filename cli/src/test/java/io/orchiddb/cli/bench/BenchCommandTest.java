package io.orchiddb.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.orchiddb.cli.OrchidCli;
import io.orchiddb.client.Consistency;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

/**
 * Flags become a {@link BenchConfig} or a one-line error naming the flag, checked by parsing the
 * real command line (no cluster involved; a bad flag never connects). Through {@code orchiddb
 * bench} itself, a bad flag exits with code 2 and the message on stderr.
 */
class BenchCommandTest {
  private static BenchConfig parse(String... args) {
    BenchCommand command = new BenchCommand();
    new CommandLine(command).parseArgs(args);
    return command.toConfig();
  }

  @Test
  void defaultsFollowTheIssue() {
    BenchConfig c = parse("put", "--seed", "7", "--router", "127.0.0.1:4207");
    assertThat(c.target()).isEqualTo(BenchConfig.Target.ORCHIDDB);
    assertThat(c.endpoints()).containsExactly("127.0.0.1:4207");
    assertThat(c.workload()).isEqualTo(BenchConfig.Workload.PUT);
    assertThat(c.readPercent()).isZero();
    assertThat(c.keys()).isEqualTo(100_000);
    assertThat(c.valueBytes()).isEqualTo(100);
    assertThat(c.keyDist()).isEqualTo(BenchConfig.KeyDist.UNIFORM);
    assertThat(c.concurrency()).isEqualTo(16);
    assertThat(c.consistency()).isEqualTo(Consistency.STRONG);
    assertThat(c.duration()).isEqualTo(Duration.ofSeconds(30));
    assertThat(c.ops()).isZero();
    assertThat(c.warmup()).isEqualTo(Duration.ofSeconds(5));
    assertThat(c.rateOpsPerSec()).isZero();
    assertThat(c.closedLoop()).isTrue();
    assertThat(c.prefill()).isFalse();
    assertThat(c.seed()).isEqualTo(7);
    assertThat(c.timeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(c.json()).isNull();
  }

  @Test
  void everyFlagIsTakenIn() {
    BenchConfig c = parse("mixed", "--read-percent", "90", "--keys", "1000", "--value-bytes", "256",
        "--key-dist", "zipfian", "--zipf-theta", "0.8", "-c", "64", "--consistency", "EVENTUAL", "--ops", "5000",
        "--warmup", "0s", "--rate", "2000", "--prefill", "--timeout", "1500ms", "--key-prefix", "k/",
        "--json", "runs.jsonl", "-r", "a:1,b:2");
    assertThat(c.workload()).isEqualTo(BenchConfig.Workload.MIXED);
    assertThat(c.readPercent()).isEqualTo(90);
    assertThat(c.keyDistribution()).isInstanceOf(ZipfianGenerator.class);
    assertThat(((ZipfianGenerator) c.keyDistribution()).theta()).isEqualTo(0.8);
    assertThat(c.concurrency()).isEqualTo(64);
    assertThat(c.consistency()).isEqualTo(Consistency.EVENTUAL);
    assertThat(c.duration()).isNull();
    assertThat(c.ops()).isEqualTo(5000);
    assertThat(c.warmup()).isZero();
    assertThat(c.rateOpsPerSec()).isEqualTo(2000);
    assertThat(c.prefill()).isTrue();
    assertThat(c.timeout()).isEqualTo(Duration.ofMillis(1500));
    assertThat(c.keyPrefix()).isEqualTo("k/");
    assertThat(c.endpoints()).isEqualTo(List.of("a:1", "b:2"));
    assertThat(parse("mixed").readPercent()).isEqualTo(50);
    assertThat(parse("get").readPercent()).isEqualTo(100);
  }

  @Test
  void etcdTakesEndpoints() {
    BenchConfig c = parse("get", "--target", "etcd", "--endpoints", "http://127.0.0.1:2379,http://127.0.0.1:22379");
    assertThat(c.target()).isEqualTo(BenchConfig.Target.ETCD);
    assertThat(c.endpoints()).containsExactly("http://127.0.0.1:2379", "http://127.0.0.1:22379");
    assertThat(parse("get", "--target", "etcd").endpoints()).containsExactly("http://127.0.0.1:2379");
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '|', value = {
      "scan                                     | WORKLOAD: must be put, get or mixed, got 'scan'",
      "put --concurrency 0                      | --concurrency: must be between 1 and 10000, got 0",
      "put --concurrency 10001                  | --concurrency: must be between 1 and 10000, got 10001",
      "put --read-percent 50                    | --read-percent: only applies to the mixed workload",
      "mixed --read-percent 101                 | --read-percent: must be between 0 and 100, got 101",
      "put --keys 0                             | --keys: must be between 1 and 100000000, got 0",
      "put --value-bytes 0                      | --value-bytes: must be between 1 and 16777216, got 0",
      "put --key-dist pareto                    | --key-dist: must be uniform or zipfian, got 'pareto'",
      "put --zipf-theta 1.0                     | --zipf-theta: must be in (0, 1), got 1.0",
      "get --consistency linearizable           | --consistency: must be strong, session or eventual, got 'linearizable'",
      "put --duration 10                        | --duration: give a unit (ms, s, m or h), e.g. 10s",
      "put --duration soon                      | --duration: expected a duration such as 30s, 500ms, 2m or 1h, got 'soon'",
      "put --duration 0s                        | --duration: must be positive and at most 24h, got 0s",
      "put --duration 25h                       | --duration: must be positive and at most 24h, got 25h",
      "put --duration 5s --ops 10               | --duration: give either --duration or --ops, not both",
      "put --ops 0                              | --ops: must be between 1 and 1000000000000, got 0",
      "put --warmup -1s                         | --warmup: expected a duration such as 30s, 500ms, 2m or 1h, got '-1s'",
      "put --rate -1                            | --rate: must be between 0 (closed loop) and 10000000, got -1",
      "put --timeout 0s                         | --timeout: must be positive and at most 1h, got 0s",
      "put --target mysql                       | --target: must be orchiddb or etcd, got 'mysql'",
      "put --target etcd --router 1.2.3.4:4207  | --router: is for OrchidDB; give etcd's client URLs with --endpoints",
      "put --endpoints http://127.0.0.1:2379    | --endpoints: is for --target etcd; give OrchidDB routers with --router",
      "put --router ,                           | --router: at least one endpoint is required",
      "put --puts-per-request 0                 | --puts-per-request: must be between 1 and 128, got 0",
      "put --puts-per-request 129               | --puts-per-request: must be between 1 and 128, got 129",
      "get --puts-per-request 16                | --puts-per-request: only applies to the put and mixed workloads",
      "put --puts-per-request 16 --ops 100      | --puts-per-request: --ops counts requests; measure a --duration instead",
      "put --puts-per-request 16 --rate 100     | --puts-per-request: closed loop only (--rate counts requests)",
      "put --puts-per-request 16 --keys 15      | --puts-per-request: a request's puts have distinct keys, so at most --keys (15)",
      "put --metrics 127.0.0.1:4206/metrics                        | --metrics: expected the router's metrics URL, such as http://127.0.0.1:4206/metrics, got '127.0.0.1:4206/metrics'",
      "put --metrics ftp://127.0.0.1/metrics                       | --metrics: expected the router's metrics URL, such as http://127.0.0.1:4206/metrics, got 'ftp://127.0.0.1/metrics'",
      "put --metrics http://                                       | --metrics: expected the router's metrics URL, such as http://127.0.0.1:4206/metrics, got 'http://'",
      "put --target etcd --metrics http://127.0.0.1:4206/metrics   | --metrics: reads an OrchidDB router's metrics; not for --target etcd",
      "put --target etcd --no-pipeline          | --[no-]pipeline: is for OrchidDB's SDK, not --target etcd",
      "get --target etcd --coalesce-gets        | --[no-]coalesce-gets: is for OrchidDB's SDK, not --target etcd",
  })
  void badFlagsNameTheFlag(String args, String message) {
    BenchCommand command = new BenchCommand();
    new CommandLine(command).parseArgs(args.trim().split("\\s+"));
    assertThatThrownBy(() -> command.metricsUrl(command.toConfig().target()))
        .isInstanceOf(IllegalArgumentException.class).hasMessage(message);
  }

  @Test
  void thePipelineIsOnUnlessTurnedOff() {
    assertThat(parse("put").pipeline()).isTrue();
    assertThat(parse("put", "--no-pipeline").pipeline()).isFalse();
  }

  @Test
  void aMetricsUrlIsTakenAsGivenAndIsOptional() {
    BenchCommand given = new BenchCommand();
    new CommandLine(given).parseArgs("put", "--metrics", "http://10.0.0.5:4206/metrics");
    assertThat(given.metricsUrl(given.toConfig().target())).hasToString("http://10.0.0.5:4206/metrics");
    BenchCommand none = new BenchCommand();
    new CommandLine(none).parseArgs("put");
    assertThat(none.metricsUrl(none.toConfig().target())).isNull();
  }

  @Test
  void badFlagExitsWithUsageErrorThroughTheCli() {
    StringWriter err = new StringWriter();
    CommandLine cli = OrchidCli.commandLine();
    cli.setErr(new PrintWriter(err));
    int code = cli.execute("bench", "put", "--concurrency", "0");
    assertThat(code).isEqualTo(2);
    assertThat(err.toString()).contains("--concurrency: must be between 1 and 10000, got 0");
  }

  @Test
  void badRouterAddressIsAUsageError() {
    StringWriter err = new StringWriter();
    CommandLine cli = OrchidCli.commandLine();
    cli.setErr(new PrintWriter(err));
    assertThat(cli.execute("bench", "put", "--router", "no-port-here", "--ops", "1")).isEqualTo(2);
    assertThat(err.toString()).contains("--router: endpoint \"no-port-here\" has no port");
  }

  @Test
  void durationsParseAndPrintBack() {
    assertThat(BenchConfig.parseDuration("--d", "30s")).isEqualTo(Duration.ofSeconds(30));
    assertThat(BenchConfig.parseDuration("--d", "500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(BenchConfig.parseDuration("--d", "2m")).isEqualTo(Duration.ofMinutes(2));
    assertThat(BenchConfig.parseDuration("--d", "1H")).isEqualTo(Duration.ofHours(1));
    assertThat(BenchConfig.parseDuration("--d", "0")).isZero();
    for (String s : new String[] {"30s", "1500ms", "2m", "1h", "0s"}) {
      assertThat(BenchConfig.format(BenchConfig.parseDuration("--d", s))).isEqualTo(s);
    }
  }
}
