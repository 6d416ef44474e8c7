package io.orchiddb.node.config;

import io.orchiddb.node.shard.Limits;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Parsing of settings given by name (from flags or a properties file), shared by every process's
 * configuration: unknown names are errors, values are trimmed, and a bad value is a
 * {@link ConfigException} naming the setting.
 */
public final class Settings {
  private Settings() {}

  /** {@code defaults} overridden by {@code given}; fails on a name {@code defaults} does not know. */
  public static Map<String, String> merge(Map<String, String> defaults, Map<String, String> given) {
    for (String name : given.keySet()) {
      if (!defaults.containsKey(name)) {
        throw new ConfigException(name, "unknown setting; known: " + defaults.keySet());
      }
    }
    Map<String, String> s = new TreeMap<>(defaults);
    given.forEach((k, v) -> s.put(k, v.trim()));
    return s;
  }

  /**
   * Settings from {@code configFile} (when given), overridden by every {@code --flag} of
   * {@code command} that was set on the command line; a flag's name without the dashes is the
   * setting's name.
   */
  public static Map<String, String> fromFileAndFlags(Path configFile, CommandSpec command) {
    Map<String, String> s = new LinkedHashMap<>();
    if (configFile != null) {
      s.putAll(NodeConfig.readFile(configFile));
    }
    for (OptionSpec option : command.options()) {
      String name = option.longestName();
      Object value = option.getValue();
      boolean setting = name.startsWith("--") && !name.equals("--config")
          && !option.usageHelp() && !option.versionHelp();
      if (setting && value != null) {
        s.put(name.substring(2), value.toString());
      }
    }
    return s;
  }

  public static int integer(Map<String, String> s, String name) {
    try {
      return Integer.parseInt(s.get(name));
    } catch (NumberFormatException e) {
      throw new ConfigException(name, "not a whole number: '" + s.get(name) + "'");
    }
  }

  /** The request limits from {@code key-bytes-max}, {@code value-bytes-max}, ... */
  public static Limits limits(Map<String, String> s) {
    int key = integer(s, "key-bytes-max");
    int value = integer(s, "value-bytes-max");
    int batch = integer(s, "batch-ops-max");
    int request = integer(s, "request-bytes-max");
    try {
      return new Limits(key, value, batch, request);
    } catch (IllegalArgumentException e) {
      // Limits names the limit first ("key-bytes-max: must be ..."), as settings are named.
      String message = e.getMessage();
      int colon = message.indexOf(':');
      throw new ConfigException(message.substring(0, colon), message.substring(colon + 2));
    }
  }
}
