/**
 * JMH micro-benchmarks of the node's hot paths: shard lookup, state machine apply, Raft command
 * encode/decode, and snapshot write/read. Each benchmark mirrors what the production path does
 * (same classes, same record format) with inputs prepared in {@code @Setup}, so the numbers are the
 * cost of the path itself. Built only with {@code -Pbench}; how to run them is in BENCHMARKS.md.
 */
package io.orchiddb.benchmarks;
