package io.orchiddb.router.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** A raw socket as a slow or odd HTTP client, for tests of what the gateway does with connections. */
public final class RawHttp {
  private RawHttp() {}

  /**
   * Sends {@code bytes} on a new connection to {@code port}, then reads until the server closes
   * it; returns what the server sent. A server that keeps the connection open for {@code wait}
   * fails the test instead of hanging it.
   */
  public static String sendAndReadUntilClosed(int port, byte[] bytes, Duration wait) throws IOException {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout((int) wait.toMillis());
      OutputStream out = s.getOutputStream();
      out.write(bytes);
      out.flush();
      InputStream in = s.getInputStream();
      ByteArrayOutputStream received = new ByteArrayOutputStream();
      byte[] buf = new byte[4096];
      try {
        for (int n; (n = in.read(buf)) >= 0; ) {
          received.write(buf, 0, n);
        }
      } catch (SocketTimeoutException e) {
        throw new AssertionError("the server kept the connection open for " + wait + "; got: "
            + received.toString(StandardCharsets.UTF_8), e);
      }
      return received.toString(StandardCharsets.UTF_8);
    }
  }
}
