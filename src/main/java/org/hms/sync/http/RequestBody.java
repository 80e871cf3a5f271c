package org.hms.sync.http;

import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.http.BadMessageException;

/**
 * Every request body, read once before any handler runs, through one capped stream whatever the
 * framing (Content-Length, chunked, or none): more than {@link #MAX_BYTES} is refused with 413 as
 * soon as the limit is passed, without reading further; broken chunking is a 400; a body that
 * stalls or arrives too slowly is a 408. Handlers take the bytes from {@link #bytes(Context)}.
 */
final class RequestBody {
  /** The largest body any route takes. */
  static final int MAX_BYTES = 256 * 1024;

  private static final String ATTRIBUTE = "hms.body";
  private static final byte[] NONE = new byte[0];

  private final Duration timeout;

  /**
   * @param timeout the longest a client may take to send its body, counted from the start of the
   *     request ({@code server.requestTimeout})
   */
  RequestBody(Duration timeout) {
    this.timeout = timeout;
  }

  /** Reads the body into the request, or throws the {@link Problem} that refuses it. */
  void readAhead(Context ctx) {
    long declared = ctx.req().getContentLengthLong();
    if (declared > MAX_BYTES) {
      throw tooLarge(ctx);
    }
    boolean chunked = ctx.header("Transfer-Encoding") != null;
    if (declared <= 0 && !chunked) {
      ctx.attribute(ATTRIBUTE, NONE);
      return;
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    byte[] buffer = new byte[declared > 0 ? (int) declared : 8192];
    int length = 0;
    try (InputStream in = ctx.req().getInputStream()) {
      while (true) {
        if (length == buffer.length) {
          if (length > MAX_BYTES) {
            throw tooLarge(ctx);
          }
          buffer = Arrays.copyOf(buffer, Math.min(MAX_BYTES + 1, length * 2));
        }
        int read = in.read(buffer, length, buffer.length - length);
        if (read == -1) {
          break;
        }
        length += read;
        if (length > MAX_BYTES) {
          throw tooLarge(ctx);
        }
        if (System.nanoTime() - deadline > 0) {
          throw timedOut(ctx);
        }
      }
    } catch (IOException | BadMessageException failure) {
      throw unreadable(ctx, failure);
    }
    ctx.attribute(ATTRIBUTE, length == buffer.length ? buffer : Arrays.copyOf(buffer, length));
  }

  /** The body read by {@link #readAhead}; empty when the request had none. */
  static byte[] bytes(Context ctx) {
    byte[] body = ctx.attribute(ATTRIBUTE);
    return body == null ? NONE : body;
  }

  private Problem unreadable(Context ctx, Exception failure) {
    if (failure instanceof BadMessageException bad && bad.getCode() == 408
        || causedByTimeout(failure)) {
      return timedOut(ctx);
    }
    if (failure instanceof BadMessageException bad && bad.getCode() == 413) {
      return tooLarge(ctx);
    }
    closeAfterwards(ctx);
    return Problem.badRequest(
        "the request body could not be read: its framing is broken (malformed chunked encoding,"
            + " or fewer bytes than Content-Length); send a well-formed HTTP/1.1 body");
  }

  private Problem timedOut(Context ctx) {
    closeAfterwards(ctx);
    return new Problem(
        408, "Request Timeout",
        "the request body arrived too slowly or stopped arriving; send the whole body within "
            + org.hms.sync.config.Durations.format(timeout) + " (server.requestTimeout)");
  }

  private static Problem tooLarge(Context ctx) {
    closeAfterwards(ctx);
    return new Problem(
        413, "Content Too Large",
        "the request body is larger than " + MAX_BYTES / 1024 + " KiB; send a smaller body");
  }

  /** The rest of the body is not read, so the connection cannot carry another request. */
  private static void closeAfterwards(Context ctx) {
    ctx.header("Connection", "close");
  }

  private static boolean causedByTimeout(Throwable failure) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause instanceof TimeoutException) {
        return true;
      }
    }
    return false;
  }
}
