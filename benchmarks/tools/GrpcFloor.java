// The floor under a request at concurrency 1 on this machine: bare gRPC round trips between JVMs
// on loopback, with the transport, executors and message size OrchidDB uses (grpc-netty-shaded,
// handlers and callbacks on the event loop, 150-byte messages), and no work on either side.
//
//   CP="cli/target/orchiddb-cli.jar:cli/target/lib/*"
//   java -cp "$CP" benchmarks/tools/GrpcFloor.java echo 5601 &                      # answers every message
//   java -cp "$CP" benchmarks/tools/GrpcFloor.java relay 5602 127.0.0.1:5601 own &  # asks the echo before answering
//   java -cp "$CP" benchmarks/tools/GrpcFloor.java relay 5603 127.0.0.1:5601 own stream &  # asks it on one open stream
//   java -cp "$CP" benchmarks/tools/GrpcFloor.java client 127.0.0.1:5601 10 4      # ROUNDS rounds of SECONDS each
//
// The client keeps one request in flight, sending the next from the reply's callback, as
// `orchiddb bench -c 1` does; each round alternates a bidirectional stream (one message each way
// per request, as the SDK's pipeline) and unary calls (a call per request, as a node's term
// request to another node). Against a relay, a request costs the client's hop plus one unary call
// from the relay to the echo, like a strong get at the leader (one round to a follower). With "own"
// the relay's channel to the echo has an event loop of its own, so the reply crosses threads back
// to the loop of the client's connection, as in a node, whose Raft gRPC is Ratis's shaded copy
// with its own loops; with "shared" both use gRPC's default loops. With "stream" the relay asks
// the echo with a message on one bidirectional stream it keeps open, not a unary call each (as a
// node's term requests since the twenty-fifth session).
//
// Used for BENCHMARKS.md, "The floor at concurrency 1" (2026-11-28, twenty-fourth session), and
// for the relay's stream against its unary calls ("Optimisations", twenty-fifth session).
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.MultiThreadIoEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollIoHandler;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollSocketChannel;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;

public class GrpcFloor {
  static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>() {
    public InputStream stream(byte[] v) {
      return new ByteArrayInputStream(v);
    }

    public byte[] parse(InputStream in) {
      try {
        return in.readAllBytes();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  };
  static final MethodDescriptor<byte[], byte[]> STREAM = method("Stream", MethodDescriptor.MethodType.BIDI_STREAMING);
  static final MethodDescriptor<byte[], byte[]> UNARY = method("Unary", MethodDescriptor.MethodType.UNARY);

  static NettyChannelBuilder channel(String target) {
    return NettyChannelBuilder.forTarget(target).usePlaintext().directExecutor();
  }

  static MethodDescriptor<byte[], byte[]> method(String name, MethodDescriptor.MethodType type) {
    return MethodDescriptor.<byte[], byte[]>newBuilder().setType(type).setFullMethodName("floor/" + name)
        .setRequestMarshaller(BYTES).setResponseMarshaller(BYTES).build();
  }

  public static void main(String[] a) throws Exception {
    switch (a[0]) {
      case "echo" -> serve(Integer.parseInt(a[1]), (in, reply) -> reply.accept(in, null));
      case "relay" -> {
        NettyChannelBuilder b = channel(a[2]);
        if (a[3].equals("own")) {
          b.eventLoopGroup(new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory())).channelType(EpollSocketChannel.class);
        }
        ManagedChannel next = b.build();
        if (a.length > 4 && a[4].equals("stream")) {
          BiConsumer<byte[], BiConsumer<byte[], Throwable>> relayed = streamed(next);
          serve(Integer.parseInt(a[1]), relayed);
        } else {
          serve(Integer.parseInt(a[1]), (in, reply) -> unary(next, in, reply));
        }
      }
      case "client" -> client(a[1], Integer.parseInt(a[2]), Integer.parseInt(a[3]));
      default -> throw new IllegalArgumentException("echo PORT | relay PORT NEXT own|shared [unary|stream] | client TARGET SECONDS ROUNDS");
    }
  }

  /** Serves both methods on the event loop; {@code handler} answers each message through its callback. */
  static void serve(int port, BiConsumer<byte[], BiConsumer<byte[], Throwable>> handler) throws Exception {
    ServerServiceDefinition service = ServerServiceDefinition.builder("floor")
        .addMethod(STREAM, ServerCalls.asyncBidiStreamingCall(out -> new StreamObserver<byte[]>() {
          public void onNext(byte[] in) {
            handler.accept(in, (reply, failure) -> {
              if (failure == null) {
                out.onNext(reply);
              } else {
                out.onError(failure);
              }
            });
          }

          public void onError(Throwable t) {
          }

          public void onCompleted() {
            out.onCompleted();
          }
        }))
        .addMethod(UNARY, ServerCalls.asyncUnaryCall((in, out) -> handler.accept(in, (reply, failure) -> {
          if (failure == null) {
            out.onNext(reply);
            out.onCompleted();
          } else {
            out.onError(failure);
          }
        })))
        .build();
    Server server = NettyServerBuilder.forPort(port).directExecutor().addService(service).build().start();
    server.awaitTermination();
  }

  static void unary(ManagedChannel channel, byte[] request, BiConsumer<byte[], Throwable> done) {
    ClientCalls.asyncUnaryCall(channel.newCall(UNARY, CallOptions.DEFAULT), request, new StreamObserver<byte[]>() {
      byte[] reply;

      public void onNext(byte[] v) {
        reply = v;
      }

      public void onError(Throwable t) {
        done.accept(null, t);
      }

      public void onCompleted() {
        done.accept(reply, null);
      }
    });
  }

  /**
   * The relay's calls to the echo as messages of one bidirectional stream, opened once: the echo
   * answers in order, so the callbacks wait in a queue (as a node's term requests could).
   */
  static BiConsumer<byte[], BiConsumer<byte[], Throwable>> streamed(ManagedChannel channel) {
    java.util.Queue<BiConsumer<byte[], Throwable>> waiting = new java.util.concurrent.ConcurrentLinkedQueue<>();
    StreamObserver<byte[]> requests = ClientCalls.asyncBidiStreamingCall(channel.newCall(STREAM, CallOptions.DEFAULT),
        new StreamObserver<byte[]>() {
          public void onNext(byte[] v) {
            waiting.poll().accept(v, null);
          }

          public void onError(Throwable t) {
            t.printStackTrace();
          }

          public void onCompleted() {
          }
        });
    return (in, reply) -> {
      waiting.add(reply);
      synchronized (requests) {
        requests.onNext(in);
      }
    };
  }

  static void client(String target, int seconds, int rounds) throws Exception {
    ManagedChannel channel = channel(target).build();
    byte[] payload = new byte[150];
    for (int round = 0; round < rounds; round++) {
      boolean stream = round % 2 == 0;
      AtomicLong count = new AtomicLong();
      CountDownLatch finished = new CountDownLatch(1);
      long start = System.nanoTime();
      long end = start + TimeUnit.SECONDS.toNanos(seconds);
      if (stream) {
        @SuppressWarnings("unchecked")
        StreamObserver<byte[]>[] requests = new StreamObserver[1];
        requests[0] = ClientCalls.asyncBidiStreamingCall(channel.newCall(STREAM, CallOptions.DEFAULT),
            new StreamObserver<byte[]>() {
              public void onNext(byte[] v) {
                count.incrementAndGet();
                if (System.nanoTime() < end) {
                  requests[0].onNext(payload);
                } else {
                  requests[0].onCompleted();
                  finished.countDown();
                }
              }

              public void onError(Throwable t) {
                t.printStackTrace();
                finished.countDown();
              }

              public void onCompleted() {
              }
            });
        requests[0].onNext(payload);
      } else {
        Runnable[] next = new Runnable[1];
        next[0] = () -> unary(channel, payload, (reply, failure) -> {
          if (failure != null) {
            failure.printStackTrace();
            finished.countDown();
          } else if (count.incrementAndGet() > 0 && System.nanoTime() < end) {
            next[0].run();
          } else {
            finished.countDown();
          }
        });
        next[0].run();
      }
      finished.await();
      double s = (System.nanoTime() - start) / 1e9;
      System.out.printf("round %d, %-6s %,8.0f requests/s  %6.1f us each%n", round + 1, stream ? "stream" : "unary",
          count.get() / s, 1e6 * s / count.get());
    }
    channel.shutdownNow();
  }
}
