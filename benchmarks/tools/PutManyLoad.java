// A throwaway closed-loop load for many-put requests, beside `orchiddb bench put` (which sends one
// put per request). Keeps REQUESTS requests of PUTS puts each in flight against the router on
// 127.0.0.1:4207 (keys bench/0..99999, 100-byte values), and prints puts/s over SECONDS after WARMUP.
//
//   java -Dmode=many  -cp "cli/target/orchiddb-cli.jar:cli/target/lib/*" benchmarks/tools/PutManyLoad.java REQUESTS PUTS WARMUP SECONDS
//   java -Dmode=batch ...   (the same puts as one Batch: atomic per shard)
//
// Used for BENCHMARKS.md, "PutMany" (2026-11-26, session 8).
import io.orchiddb.client.BatchOp;
import io.orchiddb.client.OrchidClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

public class PutManyLoad {
  public static void main(String[] a) throws Exception {
    int requests = Integer.parseInt(a[0]);
    int puts = Integer.parseInt(a[1]);
    int warmup = Integer.parseInt(a[2]);
    int seconds = Integer.parseInt(a[3]);
    boolean many = !"batch".equals(System.getProperty("mode", "many"));
    OrchidClient client = OrchidClient.builder().endpoints("127.0.0.1:4207").build();
    AtomicLong done = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    AtomicBoolean stop = new AtomicBoolean();
    Semaphore stopped = new Semaphore(0);
    byte[] value = new byte[100];
    new Random(1).nextBytes(value);
    for (int i = 0; i < requests; i++) {
      loop(client, many, puts, value, done, failed, stop, stopped);
    }
    Thread.sleep(warmup * 1000L);
    long d0 = done.get();
    long t0 = System.nanoTime();
    Thread.sleep(seconds * 1000L);
    long d1 = done.get();
    long t1 = System.nanoTime();
    stop.set(true);
    stopped.acquire(requests);
    client.close();
    System.out.printf("%s: %d requests x %d puts in flight: %.0f puts/s (%d failed requests)%n",
        many ? "putMany" : "batch", requests, puts, (d1 - d0) * 1e9 / (t1 - t0), failed.get());
  }

  private static void loop(OrchidClient client, boolean many, int puts, byte[] value, AtomicLong done,
      AtomicLong failed, AtomicBoolean stop, Semaphore stopped) {
    if (stop.get()) {
      stopped.release();
      return;
    }
    List<BatchOp> ops = new ArrayList<>(puts);
    for (int i = 0; i < puts; i++) {
      ops.add(BatchOp.put(("bench/" + ThreadLocalRandom.current().nextInt(100_000)).getBytes(), value));
    }
    CompletableFuture<?> call = many
        ? client.putManyAsync(ops).thenAccept(outcomes -> outcomes.forEach(o -> o.orThrow()))
        : client.batchAsync(ops);
    call.whenComplete((r, e) -> {
      if (e == null) {
        done.addAndGet(puts);
      } else {
        failed.incrementAndGet();
      }
      loop(client, many, puts, value, done, failed, stop, stopped);
    });
  }
}
