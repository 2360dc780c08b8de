package io.selfstream.ops.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** Port helpers for the embedded stack. */
final class Ports {

  private Ports() {}

  /** {@code port} itself, or a currently free loopback port when it is 0. */
  static int resolve(int port) {
    if (port != 0) {
      return port;
    }
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free port", e);
    }
  }

  /** Fails fast, naming the port, when something already listens on it. */
  static void requireFree(int port, String what) {
    try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
      socket.setReuseAddress(true);
    } catch (IOException e) {
      throw new IllegalStateException(
          what
              + " port "
              + port
              + " is in use (is another stack running? set a different port or stop it)",
          e);
    }
  }
}
