package org.hms.sync.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A real HTTP/1.1 server on a free loopback port, written on plain sockets so that it can answer
 * what no well-behaved server library would: bytes that are not UTF-8, a {@code Content-Length}
 * far larger than the body, a chunked body that never ends. Each answer closes its connection.
 * Answers are set per path (the request path without its query), with a default for all others.
 */
public final class AnswerServer implements AutoCloseable {
  /** The default answer: {@code 200 {}}. */
  private static final Answer OK = Answer.json(200, "{}");

  /**
   * What the server sends.
   *
   * @param declaredLength the Content-Length to declare, or -1 for the body's own length
   * @param endless a chunked body of {@code body} repeated until the client goes away
   */
  public record Answer(
      int status,
      String contentType,
      byte[] body,
      Map<String, String> headers,
      long declaredLength,
      boolean endless) {

    /** This status and JSON text (UTF-8). */
    public static Answer json(int status, String text) {
      return bytes(status, "application/json", text.getBytes(StandardCharsets.UTF_8));
    }

    /** This status, content type and body, exactly these bytes. */
    public static Answer bytes(int status, String contentType, byte[] body) {
      return new Answer(status, contentType, body, Map.of(), -1, false);
    }

    /** Headers {@code Content-Length: length} and no body: the client must not wait for it. */
    public static Answer declaring(int status, String contentType, long length) {
      return new Answer(status, contentType, new byte[0], Map.of(), length, false);
    }

    /** A chunked body that repeats {@code filler} until the client closes the connection. */
    public static Answer endless(int status, String contentType, String filler) {
      return new Answer(
          status, contentType, filler.getBytes(StandardCharsets.UTF_8), Map.of(), -1, true);
    }

    /** The same answer with one more header. */
    public Answer with(String name, String value) {
      Map<String, String> more = new java.util.LinkedHashMap<>(headers);
      more.put(name, value);
      return new Answer(status, contentType, body, Map.copyOf(more), declaredLength, endless);
    }
  }

  private final ServerSocket socket;
  private final ExecutorService connections;
  private final Map<String, Answer> answers = new ConcurrentHashMap<>();
  private final List<String> requests = new CopyOnWriteArrayList<>();
  private final List<Socket> open = new CopyOnWriteArrayList<>();
  private volatile Answer fallback = OK;

  private AnswerServer(ServerSocket socket) {
    this.socket = socket;
    this.connections =
        Executors.newCachedThreadPool(
            task -> {
              Thread thread = new Thread(task, "answer-server");
              thread.setDaemon(true);
              return thread;
            });
    connections.execute(this::accept);
  }

  public static AnswerServer start() {
    try {
      return new AnswerServer(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()));
    } catch (IOException failure) {
      throw new IllegalStateException("cannot open a loopback port", failure);
    }
  }

  /** {@code http://127.0.0.1:<port>}, no trailing slash. */
  public URI baseUrl() {
    return URI.create("http://127.0.0.1:" + socket.getLocalPort());
  }

  /** Answers every path without an answer of its own like this. */
  public AnswerServer answer(Answer answer) {
    fallback = answer;
    return this;
  }

  /** Answers requests to this path (without query) like this. */
  public AnswerServer answer(String path, Answer answer) {
    answers.put(path, answer);
    return this;
  }

  /** {@code METHOD /path?query} of every request received so far. */
  public List<String> requests() {
    return List.copyOf(requests);
  }

  private void accept() {
    while (!socket.isClosed()) {
      try {
        Socket connection = socket.accept();
        open.add(connection);
        connections.execute(() -> serve(connection));
      } catch (IOException closed) {
        return;
      }
    }
  }

  private void serve(Socket connection) {
    try (connection) {
      connection.setTcpNoDelay(true);
      InputStream in = connection.getInputStream();
      String head = readHead(in);
      if (head == null) {
        return;
      }
      String[] lines = head.split("\r\n");
      String target = lines[0].split(" ")[1];
      requests.add(lines[0].split(" ")[0] + " " + target);
      readBody(in, lines);
      String path = target.contains("?") ? target.substring(0, target.indexOf('?')) : target;
      write(connection.getOutputStream(), answers.getOrDefault(path, fallback));
      connection.shutdownOutput();
      in.transferTo(OutputStream.nullOutputStream()); // until the client closes its side
    } catch (IOException clientWentAway) {
      // expected when a client stops reading an answer it finds too large
    } finally {
      open.remove(connection);
    }
  }

  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    byte[] end = {'\r', '\n', '\r', '\n'};
    while (matched < 4) {
      int next = in.read();
      if (next < 0) {
        return null;
      }
      head.write(next);
      matched = next == end[matched] ? matched + 1 : next == '\r' ? 1 : 0;
    }
    return head.toString(StandardCharsets.ISO_8859_1);
  }

  private static void readBody(InputStream in, String[] lines) throws IOException {
    long length = 0;
    boolean chunked = false;
    for (String line : Arrays.asList(lines).subList(1, lines.length)) {
      String lower = line.toLowerCase(Locale.ROOT);
      if (lower.startsWith("content-length:")) {
        length = Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
      } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
        chunked = true;
      }
    }
    if (!chunked) {
      in.readNBytes((int) length);
      return;
    }
    while (true) {
      String size = readLine(in);
      int chunk = Integer.parseInt(size.split(";")[0].trim(), 16);
      in.readNBytes(chunk);
      readLine(in);
      if (chunk == 0) {
        return;
      }
    }
  }

  private static String readLine(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    for (int next = in.read(); next >= 0 && next != '\n'; next = in.read()) {
      if (next != '\r') {
        line.write(next);
      }
    }
    return line.toString(StandardCharsets.ISO_8859_1);
  }

  private static void write(OutputStream out, Answer answer) throws IOException {
    StringBuilder head =
        new StringBuilder("HTTP/1.1 ").append(answer.status()).append(" Answer\r\n");
    head.append("Connection: close\r\n");
    if (answer.contentType() != null) {
      head.append("Content-Type: ").append(answer.contentType()).append("\r\n");
    }
    answer.headers().forEach((name, value) -> head.append(name).append(": ").append(value)
        .append("\r\n"));
    if (answer.endless()) {
      head.append("Transfer-Encoding: chunked\r\n\r\n");
      out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
      byte[] chunk = filled(answer.body(), 64 * 1024);
      byte[] size = (Integer.toHexString(chunk.length) + "\r\n").getBytes(StandardCharsets.US_ASCII);
      byte[] crlf = {'\r', '\n'};
      while (true) { // ends when the client closes the connection
        out.write(size);
        out.write(chunk);
        out.write(crlf);
        out.flush();
      }
    }
    long length = answer.declaredLength() >= 0 ? answer.declaredLength() : answer.body().length;
    head.append("Content-Length: ").append(length).append("\r\n\r\n");
    out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
    out.write(answer.body());
    out.flush();
  }

  private static byte[] filled(byte[] filler, int size) {
    byte[] chunk = new byte[Math.max(size / filler.length, 1) * filler.length];
    for (int offset = 0; offset < chunk.length; offset += filler.length) {
      System.arraycopy(filler, 0, chunk, offset, filler.length);
    }
    return chunk;
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException ignored) {
      // closing the listening socket; nothing to do about a failure here
    }
    for (Socket connection : open) {
      try {
        connection.close();
      } catch (IOException ignored) {
        // the connection is going away anyway
      }
    }
    connections.shutdownNow();
  }
}
