/**
 * {@code orchiddb bench}: a load generator modelled on etcd's {@code benchmark} tool.
 *
 * <p>The pieces, from the outside in: {@link io.orchiddb.cli.bench.BenchCommand} parses and checks
 * the flags into a {@link io.orchiddb.cli.bench.BenchConfig}; a {@link io.orchiddb.cli.bench.Driver}
 * (OrchidDB through the Java SDK, or etcd) turns puts and gets into async requests; {@link
 * io.orchiddb.cli.bench.LoadRun} keeps a bounded number of them in flight, either as fast as they
 * complete (closed loop) or on a fixed schedule ({@link io.orchiddb.cli.bench.RateSchedule}, open
 * loop), and records latencies in HdrHistograms; {@link io.orchiddb.cli.bench.Report} prints the
 * result and writes it as one JSON line.
 *
 * <p>The pure parts (key distributions, the schedule, the report's format, flag checks) have unit
 * tests; nothing here asserts on timing.
 */
package io.orchiddb.cli.bench;
