package io.orchiddb.jepsen.workload;

/**
 * The key spaces of the mixed workload, one per check: {@code reg/<gen>/<k>} registers (read,
 * write, compare-and-set; linearizability), {@code set/<element>} the set (one key per element,
 * so it spans every shard; lost writes), {@code sess/<slot>/<k>} keys each written by one worker
 * slot only (session guarantees for its own reads, eventual ones for everybody else's).
 */
public final class Keys {
  public static final String REGISTER = "reg/";
  public static final String SET = "set/";
  public static final String SESSION = "sess/";

  private Keys() {}

  public static String register(long generation, int k) {
    return REGISTER + generation + "/" + k;
  }

  public static String setElement(long element) {
    return SET + element;
  }

  public static String session(int slot, int k) {
    return SESSION + slot + "/" + k;
  }

  /** The worker slot that owns a session key, or -1 for other keys. */
  public static int sessionOwner(String key) {
    if (key == null || !key.startsWith(SESSION)) {
      return -1;
    }
    int slash = key.indexOf('/', SESSION.length());
    return Integer.parseInt(key.substring(SESSION.length(), slash));
  }
}
