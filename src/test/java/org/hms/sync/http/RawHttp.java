package org.hms.sync.http;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A plain socket to a running server, for requests no well-behaved HTTP client would send:
 * broken chunking, huge declared lengths, bodies that stall. Reads back one HTTP/1.1 answer.
 */
final class RawHttp implements AutoCloseable {
  /** How long a read may wait before the test gives up on an answer. */
  static final int READ_TIMEOUT_MILLIS = 20_000;

  /** One answer as read off the wire; {@code status} is -1 when the server closed without one. */
  record Answer(int status, Map<String, String> headers, String body) {
    String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }

    JsonNode json() {
      try {
        return ApiClient.MAPPER.readTree(body);
      } catch (IOException notJson) {
        throw new AssertionError("expected a JSON body, got: " + body, notJson);
      }
    }
  }

  private final Socket socket;
  private final OutputStream out;
  private final InputStream in;

  RawHttp(int port) {
    try {
      socket = new Socket("127.0.0.1", port);
      socket.setSoTimeout(READ_TIMEOUT_MILLIS);
      out = socket.getOutputStream();
      in = socket.getInputStream();
    } catch (IOException failure) {
      throw new UncheckedIOException(failure);
    }
  }

  /** Sends text as ISO-8859-1 bytes (CRLFs as written). */
  RawHttp send(String text) {
    return send(text.getBytes(StandardCharsets.ISO_8859_1));
  }

  /**
   * Sends bytes; a server that has already answered and closed may reset the connection, which is
   * not an error here (the answer is still read).
   */
  RawHttp send(byte[] bytes) {
    try {
      out.write(bytes);
      out.flush();
    } catch (IOException closedByServer) {
      // The answer, if any, is waiting in the receive buffer.
    }
    return this;
  }

  /** Reads one answer: status line, headers, and a body framed by length, chunks or close. */
  Answer answer() {
    try {
      String statusLine = line();
      if (statusLine == null) {
        return new Answer(-1, Map.of(), "");
      }
      int status = Integer.parseInt(statusLine.split(" ")[1]);
      Map<String, String> headers = new LinkedHashMap<>();
      for (String header = line(); header != null && !header.isEmpty(); header = line()) {
        int colon = header.indexOf(':');
        headers.put(
            header.substring(0, colon).trim().toLowerCase(Locale.ROOT),
            header.substring(colon + 1).trim());
      }
      return new Answer(status, headers, body(headers));
    } catch (SocketTimeoutException silent) {
      throw new AssertionError("no answer within " + READ_TIMEOUT_MILLIS + " ms", silent);
    } catch (IOException reset) {
      return new Answer(-1, Map.of(), "");
    }
  }

  /** True when the server has closed the connection (reading ends), false if it stays open. */
  boolean closedByServer() {
    try {
      return in.read() == -1;
    } catch (SocketTimeoutException stillOpen) {
      return false;
    } catch (IOException reset) {
      return true;
    }
  }

  private String body(Map<String, String> headers) throws IOException {
    String length = headers.get("content-length");
    if (length != null) {
      return new String(in.readNBytes(Integer.parseInt(length)), StandardCharsets.UTF_8);
    }
    if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
      ByteArrayOutputStream body = new ByteArrayOutputStream();
      for (int size = Integer.parseInt(line().trim(), 16); size > 0;
          size = Integer.parseInt(line().trim(), 16)) {
        body.write(in.readNBytes(size));
        line();
      }
      line();
      return body.toString(StandardCharsets.UTF_8);
    }
    return new String(in.readAllBytes(), StandardCharsets.UTF_8);
  }

  private String line() throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    for (int next = in.read(); next != -1; next = in.read()) {
      if (next == '\n') {
        String text = line.toString(StandardCharsets.ISO_8859_1);
        return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
      }
      line.write(next);
    }
    return line.size() == 0 ? null : line.toString(StandardCharsets.ISO_8859_1);
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException ignored) {
      // closing a test socket
    }
  }
}
