package io.orchiddb.cli;

import io.orchiddb.client.Condition;
import io.orchiddb.client.DeleteResult;
import io.orchiddb.client.GetResult;
import io.orchiddb.client.KeyValue;
import io.orchiddb.client.OrchidClient;
import io.orchiddb.client.OrchidException;
import io.orchiddb.client.ScanSpec;
import io.orchiddb.client.WriteOptions;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * One-shot client commands: {@code get}, {@code put}, {@code delete}, {@code scan},
 * {@code status}. Output goes to stdout; errors are one line on stderr with exit code 1 (2 for
 * usage errors), never a stack trace.
 */
final class KeyCommands {
  private KeyCommands() {}

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** Runs {@code body} with a connected client, turning OrchidDB errors into exit code 1. */
  private static int withClient(ClientOptions options, java.util.function.ToIntFunction<OrchidClient> body) {
    try (OrchidClient client = options.connect()) {
      return body.applyAsInt(client);
    } catch (OrchidException e) {
      System.err.println("orchiddb: " + e.getMessage());
      return 1;
    }
  }

  @Command(name = "get", mixinStandardHelpOptions = true, description = "Print a key's value.")
  static final class Get implements Callable<Integer> {
    @Mixin ClientOptions options;
    @Parameters(paramLabel = "KEY") String key;
    @Option(names = "-v", description = "Also print version and the replica that served the read.") boolean verbose;

    @Override
    public Integer call() {
      return withClient(options, client -> {
        GetResult r = client.get(utf8(key), options.readOptions());
        if (r.keyValue().isEmpty()) {
          System.err.println("[INFO] Key (" + key + ") does not exist in DB");
          return 1;
        }
        KeyValue kv = r.keyValue().get();
        System.out.println(kv.valueUtf8());
        if (verbose) {
          System.out.println("version " + kv.version() + ", created at " + kv.createVersion()
              + ", served by " + r.readInfo().servedBy() + " at applied index " + r.readInfo().appliedIndex()
              + (r.readInfo().cached() ? " (repeated from the router's read cache)" : ""));
        }
        return 0;
      });
    }
  }

  @Command(name = "put", mixinStandardHelpOptions = true, description = "Set a key's value.")
  static final class Put implements Callable<Integer> {
    @Mixin ClientOptions options;
    @Parameters(index = "0", paramLabel = "KEY") String key;
    @Parameters(index = "1", paramLabel = "VALUE") String value;
    @Option(names = "--if-absent", description = "Only if the key does not exist.") boolean ifAbsent;
    @Option(names = "--if-version", paramLabel = "N", description = "Only if the key's version is N.") Long ifVersion;

    @Override
    public Integer call() {
      Condition c = ifAbsent ? Condition.absent() : ifVersion != null ? Condition.versionEquals(ifVersion) : Condition.always();
      return withClient(options, client -> {
        long version = client.put(utf8(key), utf8(value), c, WriteOptions.defaults()).version();
        System.out.println("OK (version " + version + ")");
        return 0;
      });
    }
  }

  @Command(name = "delete", mixinStandardHelpOptions = true, description = "Remove a key.")
  static final class Delete implements Callable<Integer> {
    @Mixin ClientOptions options;
    @Parameters(paramLabel = "KEY") String key;

    @Override
    public Integer call() {
      return withClient(options, client -> {
        DeleteResult r = client.delete(utf8(key));
        if (!r.deleted()) {
          System.err.println("[INFO] Key (" + key + ") does not exist in DB");
          return 1;
        }
        System.out.println("OK");
        return 0;
      });
    }
  }

  @Command(name = "scan", mixinStandardHelpOptions = true, description = "List keys with a prefix, in key order.")
  static final class Scan implements Callable<Integer> {
    @Mixin ClientOptions options;
    @Parameters(paramLabel = "PREFIX", defaultValue = "", description = "Key prefix (default: every key).") String prefix;
    @Option(names = "--limit", defaultValue = "1000", description = "Most keys to print (default: ${DEFAULT-VALUE}).") int limit;
    @Option(names = "--keys-only", description = "Print keys without values.") boolean keysOnly;

    @Override
    public Integer call() {
      return withClient(options, client -> {
        ScanSpec spec = ScanSpec.prefix(utf8(prefix)).withPageSize(Math.min(Math.max(limit, 1), 10_000));
        Iterator<KeyValue> it = client.scan(keysOnly ? spec.keysOnly() : spec, options.readOptions());
        for (int n = 0; n < limit && it.hasNext(); n++) {
          KeyValue kv = it.next();
          System.out.println(keysOnly ? kv.keyUtf8() : kv.keyUtf8() + "\t" + kv.valueUtf8());
        }
        return 0;
      });
    }
  }

  @Command(name = "status", mixinStandardHelpOptions = true, description = "Show nodes, shards, leaders and epochs.")
  static final class Status implements Callable<Integer> {
    @Mixin ClientOptions options;

    @Override
    public Integer call() {
      return withClient(options, client -> {
        System.out.println(Repl.format(client.status()));
        return 0;
      });
    }
  }
}
