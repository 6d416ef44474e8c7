package io.orchiddb.node.config;

/** A bad setting. The message starts with the setting's name, as written in files and flags. */
public final class ConfigException extends IllegalArgumentException {
  private final String setting;

  public ConfigException(String setting, String problem) {
    super(setting + ": " + problem);
    this.setting = setting;
  }

  public String setting() {
    return setting;
  }
}
