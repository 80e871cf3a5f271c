package org.hms.sync.connector.fhir;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A TCP proxy on a loopback port in front of the test server that can lose a response: once armed,
 * it passes the next request on, and when the server's answer starts to arrive (so the server has
 * done its work), it closes the connection instead of forwarding it. The client sees the
 * connection end without a response, as when a network drops an answer.
 */
final class DroppingProxy implements AutoCloseable {
  private final ServerSocket listener;
  private final int upstreamPort;
  private final AtomicBoolean dropNext = new AtomicBoolean();
  private volatile Runnable meanwhile = () -> {};
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private volatile int dropped;

  private DroppingProxy(int upstreamPort) throws IOException {
    this.upstreamPort = upstreamPort;
    this.listener = new ServerSocket();
    listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    Thread acceptor = new Thread(this::accept, "dropping-proxy");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  static DroppingProxy to(int upstreamPort) {
    try {
      return new DroppingProxy(upstreamPort);
    } catch (IOException failure) {
      throw new IllegalStateException("cannot open the proxy's port: " + failure, failure);
    }
  }

  int port() {
    return listener.getLocalPort();
  }

  /** The next response from the server is lost. */
  void dropNextResponse() {
    dropNextResponse(() -> {});
  }

  /**
   * The next response from the server is lost, and {@code meanwhile} runs after the server has
   * answered and before the client sees its connection close (e.g. another client's change).
   */
  void dropNextResponse(Runnable meanwhile) {
    this.meanwhile = meanwhile;
    dropNext.set(true);
  }

  /** Forgets an armed drop. */
  void dropNone() {
    dropNext.set(false);
  }

  /** Counts lost responses from zero again. */
  void forgetDropped() {
    dropped = 0;
  }

  /** How many responses were lost so far. */
  int dropped() {
    return dropped;
  }

  private void accept() {
    while (!listener.isClosed()) {
      try {
        Socket client = listener.accept();
        client.setTcpNoDelay(true);
        Socket upstream = new Socket(InetAddress.getLoopbackAddress(), upstreamPort);
        upstream.setTcpNoDelay(true);
        sockets.add(client);
        sockets.add(upstream);
        pump(client, upstream, false);
        pump(upstream, client, true);
      } catch (IOException closed) {
        return;
      }
    }
  }

  private void pump(Socket from, Socket to, boolean responses) {
    Thread thread =
        new Thread(
            () -> {
              byte[] buffer = new byte[16 * 1024];
              try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int read;
                while ((read = in.read(buffer)) >= 0) {
                  if (responses && dropNext.compareAndSet(true, false)) {
                    dropped++;
                    from.close();
                    meanwhile.run();
                    to.close();
                    return;
                  }
                  out.write(buffer, 0, read);
                  out.flush();
                }
              } catch (IOException closed) {
                // the other side went away: so does this direction
              } finally {
                closeQuietly(from);
                closeQuietly(to);
              }
            },
            "dropping-proxy-pump");
    thread.setDaemon(true);
    thread.start();
  }

  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException ignored) {
      // already closed
    }
  }

  @Override
  public void close() {
    try {
      listener.close();
    } catch (IOException ignored) {
      // already closed
    }
    sockets.forEach(DroppingProxy::closeQuietly);
  }
}
