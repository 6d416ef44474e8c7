package io.orchiddb.jepsen.nemesis;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/** The kinds of fault a schedule draws from; named on the command line in lower case with dashes. */
public enum FaultKind {
  KILL, PAUSE, PARTITION_ISOLATE, PARTITION_HALVES, PARTITION_BRIDGE, KILL_ROUTER;

  public static final Set<FaultKind> PARTITIONS = EnumSet.of(PARTITION_ISOLATE, PARTITION_HALVES, PARTITION_BRIDGE);

  public String flagName() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /** Parses {@code kill,pause,partition-bridge} (or {@code all}). */
  public static Set<FaultKind> parse(String list) {
    if (list.isBlank() || list.trim().equals("all")) {
      return EnumSet.allOf(FaultKind.class);
    }
    Set<FaultKind> kinds = EnumSet.noneOf(FaultKind.class);
    for (String name : list.split(",")) {
      String wanted = name.trim();
      kinds.add(Arrays.stream(values()).filter(k -> k.flagName().equals(wanted)).findFirst()
          .orElseThrow(() -> new IllegalArgumentException("unknown fault '" + wanted + "'; known: all, "
              + Arrays.stream(values()).map(FaultKind::flagName).collect(Collectors.joining(", ")))));
    }
    return kinds;
  }
}
