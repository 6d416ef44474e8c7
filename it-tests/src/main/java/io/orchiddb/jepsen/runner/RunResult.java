package io.orchiddb.jepsen.runner;

import io.orchiddb.jepsen.checker.Outcome;
import io.orchiddb.jepsen.checker.Verdict;
import io.orchiddb.jepsen.history.Op;
import io.orchiddb.jepsen.history.OpType;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/** What a run did and what the checkers said; {@link #valid()} when every checker is VALID and the harness had no error. */
public record RunResult(RunConfig config, Path dir, long invocations, long ok, long fail, long info, int faults,
                        List<Verdict> verdicts, List<String> harnessErrors) {
  public RunResult {
    verdicts = List.copyOf(verdicts);
    harnessErrors = List.copyOf(harnessErrors);
  }

  static RunResult of(RunConfig config, Path dir, List<Op> ops, int faults, List<Verdict> verdicts, List<String> errors) {
    long invocations = JepsenRun.count(ops, OpType.INVOKE);
    long ok = JepsenRun.count(ops, OpType.OK);
    long fail = JepsenRun.count(ops, OpType.FAIL);
    long info = JepsenRun.count(ops, OpType.INFO);
    return new RunResult(config, dir, invocations, ok, fail, info, faults, verdicts, errors);
  }

  public boolean valid() {
    return harnessErrors.isEmpty() && verdicts.stream().allMatch(Verdict::valid);
  }

  public String verdict() {
    if (!harnessErrors.isEmpty()) {
      return "ERROR";
    }
    return valid() ? "VALID" : verdicts.stream().anyMatch(v -> v.outcome() == Outcome.INVALID) ? "INVALID" : "UNKNOWN";
  }

  /** The one line a run prints. */
  public String summaryLine() {
    return String.format(Locale.ROOT, "jepsen %s: %s; seed %d; %d ops (ok %d, fail %d, info %d, in flight at end %d); "
            + "%d faults; %s -> %s",
        config.name(), verdict(), config.seed(), invocations, ok, fail, info, invocations - ok - fail - info, faults,
        verdicts.stream().map(v -> v.checker() + " " + v.outcome()).collect(Collectors.joining(", ")), dir);
  }

  /** verdict.txt: the summary, every checker's summary and details, the harness errors. */
  public String report() {
    StringBuilder out = new StringBuilder(summaryLine()).append("\n\n");
    verdicts.forEach(v -> out.append(v.report()).append('\n'));
    if (!harnessErrors.isEmpty()) {
      out.append("\nharness errors (the run did not test what it claims):\n");
      harnessErrors.forEach(e -> out.append("    ").append(e).append('\n'));
    }
    return out.toString();
  }
}
