package io.orchiddb.node.raft;

import io.grpc.MethodDescriptor;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * Messages as their bytes, for calling {@link NodeReads}' methods with gRPC's own API (the router's
 * read channels, a node's term streams): the node serves them on Ratis's shaded copy of gRPC, whose
 * descriptors a plain gRPC channel cannot take, and the bytes are protobuf messages the caller
 * encodes and decodes itself.
 */
public final class GrpcBytes {
  /** Passes a message's bytes through as they are. */
  public static final MethodDescriptor.Marshaller<byte[]> MARSHALLER = new MethodDescriptor.Marshaller<>() {
    @Override
    public InputStream stream(byte[] value) {
      return new ByteArrayInputStream(value);
    }

    @Override
    public byte[] parse(InputStream stream) {
      try {
        return stream.readAllBytes();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  };

  private GrpcBytes() {}
}
