package io.orchiddb.cli.bench;

/** Makes the driver a config asks for. */
final class Drivers {
  private Drivers() {}

  static Driver open(BenchConfig config) {
    return switch (config.target()) {
      case ORCHIDDB -> new OrchidDriver(config.endpoints(), config.consistency(), config.timeout(),
          config.coalesceGets(), config.pipeline());
      case ETCD -> new EtcdDriver(config.endpoints(), config.consistency(), config.timeout());
    };
  }
}
