package io.orchiddb.cli;

import io.orchiddb.client.ClusterStatus;
import io.orchiddb.client.GetResult;
import io.orchiddb.client.KeyValue;
import io.orchiddb.client.OrchidClient;
import io.orchiddb.client.OrchidException;
import io.orchiddb.client.ScanSpec;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Locale;

/**
 * The REPL's commands, one line in, text out (the terminal loop is in {@link ReplCommand}):
 * {@code GET key}, {@code PUT key value}, {@code DELETE key}, {@code SCAN prefix},
 * {@code STATUS}, {@code help}, {@code exit}. Commands are case-insensitive; a PUT's value is the
 * rest of the line, spaces included. Errors come back as one line, never a stack trace.
 */
final class Repl {
  static final String HELP = String.join("\n",
      "Commands (case-insensitive):",
      "  GET key            print the value of key",
      "  PUT key value      set key to value (the rest of the line)",
      "  DELETE key         remove key",
      "  SCAN prefix        list keys starting with prefix (at most " + Repl.SCAN_SHOWN_MAX + ")",
      "  STATUS             nodes and shards",
      "  help               this text",
      "  exit               leave");
  static final int SCAN_SHOWN_MAX = 100;

  /** What a line produced, and whether the REPL should stop. */
  record Result(String output, boolean exit) {}

  private final OrchidClient client;

  Repl(OrchidClient client) {
    this.client = client;
  }

  Result execute(String line) {
    String trimmed = line.strip();
    if (trimmed.isEmpty()) {
      return new Result("", false);
    }
    String[] words = trimmed.split("\\s+", 3);
    String command = words[0].toLowerCase(Locale.ROOT);
    try {
      return switch (command) {
        case "exit", "quit" -> new Result("Bye", true);
        case "help" -> new Result(HELP, false);
        case "get" -> new Result(get(arg(words, 1, "GET key")), false);
        case "put" -> new Result(put(arg(words, 1, "PUT key value"), arg(words, 2, "PUT key value")), false);
        case "delete" -> new Result(delete(arg(words, 1, "DELETE key")), false);
        case "scan" -> new Result(scan(words.length > 1 ? trimmed.substring(words[0].length()).strip() : ""), false);
        case "status" -> new Result(status(), false);
        default -> new Result("[ERROR] Unknown command '" + words[0] + "'. Type help for the commands.", false);
      };
    } catch (UsageException e) {
      return new Result("[ERROR] Usage: " + e.getMessage(), false);
    } catch (OrchidException e) {
      return new Result("[ERROR] " + e.getMessage(), false);
    }
  }

  private static final class UsageException extends RuntimeException {
    UsageException(String usage) {
      super(usage, null, false, false);
    }
  }

  private static String arg(String[] words, int i, String usage) {
    if (words.length <= i) {
      throw new UsageException(usage);
    }
    return words[i];
  }

  private String get(String key) {
    GetResult r = client.get(key);
    return r.keyValue().map(KeyValue::valueUtf8).orElse("[INFO] Key (" + key + ") does not exist in DB");
  }

  private String put(String key, String value) {
    long version = client.put(key, value).version();
    return "OK (version " + version + ")";
  }

  private String delete(String key) {
    return client.delete(key).deleted() ? "OK" : "[INFO] Key (" + key + ") does not exist in DB";
  }

  private String scan(String prefix) {
    StringBuilder out = new StringBuilder();
    Iterator<KeyValue> it = client.scan(ScanSpec.prefix(prefix.getBytes(StandardCharsets.UTF_8))
        .withPageSize(SCAN_SHOWN_MAX));
    int shown = 0;
    while (it.hasNext() && shown < SCAN_SHOWN_MAX) {
      KeyValue kv = it.next();
      out.append(kv.keyUtf8()).append(" = ").append(kv.valueUtf8()).append('\n');
      shown++;
    }
    if (shown == 0) {
      return "[INFO] No keys with prefix (" + prefix + ")";
    }
    if (it.hasNext()) {
      out.append("... (more; showing the first ").append(SCAN_SHOWN_MAX).append(")\n");
    }
    return out.toString().stripTrailing();
  }

  private String status() {
    return format(client.status());
  }

  static String format(ClusterStatus s) {
    StringBuilder out = new StringBuilder("map epoch " + s.mapEpoch() + "\n");
    for (ClusterStatus.Node n : s.nodes()) {
      out.append("node ").append(n.id()).append(' ').append(n.address())
          .append(n.reachable() ? " up" : " unreachable").append('\n');
    }
    for (ClusterStatus.Shard sh : s.shards()) {
      out.append("shard ").append(sh.id()).append(" leader ")
          .append(sh.leader().orElse("(none)"))
          .append(" replicas ").append(String.join(",", sh.replicas()))
          .append(" epoch ").append(sh.epoch()).append(" commit ").append(sh.commitIndex()).append('\n');
    }
    return out.toString().stripTrailing();
  }
}
