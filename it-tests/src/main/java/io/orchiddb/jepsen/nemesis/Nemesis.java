package io.orchiddb.jepsen.nemesis;

import io.orchiddb.jepsen.cluster.ClusterControl;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Carries out a {@link Schedule} against a cluster on its own thread and keeps the timeline:
 * every injection and heal with its time since the run's start (the same clock as the history's).
 * {@link #stop()} ends the schedule early and heals whatever is injected at that moment; a fault
 * that could not be injected or healed is on the timeline as an error and fails the run, since
 * the run would not have tested what it claims.
 */
public final class Nemesis implements AutoCloseable {
  /** One line of the timeline. */
  public record Event(long timeNanos, String action, String fault) {
    public String format() {
      return String.format(Locale.ROOT, "%9.3f s  %-6s %s", timeNanos / 1e9, action, fault);
    }
  }

  private final ClusterControl cluster;
  private final Schedule schedule;
  private final LongSupplier clock;
  private final List<Event> timeline = new ArrayList<>();
  private final Deque<Fault> injected = new ArrayDeque<>();
  private final Thread thread;
  private volatile boolean stopping;
  private int injections;

  /** @param clock nanoseconds since the run's start */
  public Nemesis(ClusterControl cluster, Schedule schedule, LongSupplier clock) {
    this.cluster = Objects.requireNonNull(cluster, "cluster");
    this.schedule = Objects.requireNonNull(schedule, "schedule");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.thread = new Thread(this::run, "nemesis");
    thread.setDaemon(true);
  }

  public void start() {
    thread.start();
  }

  private void run() {
    try {
      for (Schedule.Step step : schedule.steps()) {
        if (!sleepUntil(step.at().toNanos())) {
          return;
        }
        for (Fault fault : step.faults()) {
          if (apply("inject", fault, () -> fault.inject(cluster))) {
            synchronized (this) {
              injected.push(fault);
              injections++;
            }
          }
        }
        if (!sleepUntil(step.at().toNanos() + step.hold().toNanos())) {
          return;
        }
        healInjected();
      }
    } finally {
      healInjected();
    }
  }

  /** Sleeps until the run's clock reaches {@code nanos}; false when stopped first. */
  private boolean sleepUntil(long nanos) {
    while (!stopping) {
      long left = nanos - clock.getAsLong();
      if (left <= 0) {
        return true;
      }
      try {
        // The schedule is a timetable, not a wait for a condition; stop() interrupts it.
        TimeUnit.NANOSECONDS.sleep(Math.min(left, TimeUnit.MILLISECONDS.toNanos(200)));
      } catch (InterruptedException e) {
        return false;
      }
    }
    return false;
  }

  private synchronized void healInjected() {
    while (!injected.isEmpty()) {
      Fault fault = injected.pop();
      apply("heal", fault, () -> fault.heal(cluster));
    }
  }

  private boolean apply(String action, Fault fault, Runnable step) {
    try {
      step.run();
      record(action, fault.describe());
      return true;
    } catch (RuntimeException e) {
      record("error", action + " " + fault.describe() + ": " + e.getMessage());
      return false;
    }
  }

  private synchronized void record(String action, String fault) {
    timeline.add(new Event(clock.getAsLong(), action, fault));
  }

  /** Ends the schedule, heals what is injected and waits for the thread; safe to call twice. */
  public void stop() {
    stopping = true;
    thread.interrupt();
    try {
      thread.join(TimeUnit.MINUTES.toMillis(2));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    healInjected();
  }

  @Override
  public void close() {
    stop();
  }

  public synchronized List<Event> timeline() {
    return List.copyOf(timeline);
  }

  /** Faults actually injected. */
  public synchronized int injections() {
    return injections;
  }

  /** Timeline errors: injections or heals that failed. */
  public synchronized List<Event> errors() {
    return timeline.stream().filter(e -> e.action().equals("error")).toList();
  }

  public void writeTimeline(Path file) throws IOException {
    List<String> lines = new ArrayList<>();
    lines.add("# seed " + schedule.seed() + "; planned steps: " + schedule.steps().size()
        + ", planned faults: " + schedule.faultCount());
    timeline().forEach(e -> lines.add(e.format()));
    Files.write(file, lines, StandardCharsets.UTF_8);
  }
}
