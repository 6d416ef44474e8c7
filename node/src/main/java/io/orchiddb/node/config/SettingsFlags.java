package io.orchiddb.node.config;

import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The flags every process's command shares (picocli mixin): {@code --config FILE} and the request
 * limits, which nodes and routers must agree on. {@link #settings()} gathers the file and every
 * flag of the command that mixes this in.
 */
public final class SettingsFlags {
  @Option(names = "--config", paramLabel = "FILE", description = "Properties file with settings.")
  Path configFile;

  @Option(names = "--key-bytes-max", description = "Largest key (default: 1024).")
  String keyBytesMax;

  @Option(names = "--value-bytes-max", description = "Largest value (default: 1048576).")
  String valueBytesMax;

  @Option(names = "--batch-ops-max", description = "Most operations in one batch (default: 1024).")
  String batchOpsMax;

  @Option(names = "--request-bytes-max", description = "Largest request (default: 4194304).")
  String requestBytesMax;

  @Spec(Spec.Target.MIXEE)
  CommandSpec command;

  /** Settings from the file, overridden by the flags that were given. */
  public Map<String, String> settings() {
    return Settings.fromFileAndFlags(configFile, command);
  }
}
