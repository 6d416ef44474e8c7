package io.orchiddb.cli;

import io.orchiddb.client.Consistency;
import io.orchiddb.client.OrchidClient;
import io.orchiddb.client.ReadOptions;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import picocli.CommandLine.Option;

/** Options every client command shares: which routers, how long to wait, how fresh to read. */
final class ClientOptions {
  @Option(names = {"-r", "--router"}, paramLabel = "HOST:PORT[,HOST:PORT...]",
      defaultValue = "${env:ORCHIDDB_ROUTER:-127.0.0.1:4207}",
      description = "Router gRPC endpoints, tried in order (default: $ORCHIDDB_ROUTER or ${DEFAULT-VALUE}).")
  String routers;

  @Option(names = "--timeout-ms", defaultValue = "10000", description = "Deadline per request (default: ${DEFAULT-VALUE}).")
  long timeoutMs;

  @Option(names = "--consistency", defaultValue = "strong",
      description = "strong (default), session or eventual, for reads.")
  String consistency;

  OrchidClient connect() {
    return OrchidClient.builder().endpoints(Arrays.asList(routers.split(",")))
        .defaultDeadline(Duration.ofMillis(timeoutMs)).defaultConsistency(consistency()).build();
  }

  Consistency consistency() {
    try {
      return Consistency.valueOf(consistency.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
          "--consistency must be strong, session or eventual, got '" + consistency + "'");
    }
  }

  ReadOptions readOptions() {
    return ReadOptions.of(consistency());
  }
}
