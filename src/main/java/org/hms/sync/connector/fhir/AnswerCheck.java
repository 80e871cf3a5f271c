package org.hms.sync.connector.fhir;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.apache.http.Header;
import org.apache.http.HttpEntity;
import org.apache.http.HttpResponse;
import org.apache.http.HttpResponseInterceptor;
import org.apache.http.conn.EofSensorInputStream;
import org.apache.http.entity.ContentType;
import org.apache.http.entity.HttpEntityWrapper;
import org.apache.http.protocol.HttpContext;
import org.hms.sync.connector.http.AnswerTooLargeException;

/**
 * Checks every answer of a FHIR server while HAPI reads it, as an Apache HttpClient response
 * interceptor placed after decompression: an answer whose {@code Content-Length} declares more than
 * {@code limit} bytes fails at once, one that sends more fails as soon as it passes the limit (both
 * with {@link AnswerTooLargeException}), and a JSON answer that is to be read as UTF-8 fails with
 * {@link NotUtf8Exception} at the first byte that is not UTF-8 (HAPI would read such bytes as
 * U+FFFD without a word). Either way the connection is dropped, not drained. HAPI wraps these in a
 * {@code FhirClientConnectionException}; {@link Outcomes} finds them along the cause chain.
 */
final class AnswerCheck implements HttpResponseInterceptor {
  private final long limit;

  AnswerCheck(long limit) {
    this.limit = limit;
  }

  /** An answer that is not UTF-8 though it is to be read as UTF-8. */
  static final class NotUtf8Exception extends IOException {
    private static final long serialVersionUID = 1L;

    private final int statusCode;

    NotUtf8Exception(int statusCode, long offset) {
      super("the HTTP " + statusCode + " answer is not valid UTF-8 (at byte " + offset + ")");
      this.statusCode = statusCode;
    }

    int statusCode() {
      return statusCode;
    }
  }

  @Override
  public void process(HttpResponse response, HttpContext context) throws IOException {
    HttpEntity entity = response.getEntity();
    if (entity == null) {
      return;
    }
    int status = response.getStatusLine().getStatusCode();
    Header retryAfter = response.getFirstHeader("Retry-After");
    String retry = retryAfter == null ? null : retryAfter.getValue();
    if (entity.getContentLength() > limit) {
      throw new AnswerTooLargeException(limit, entity.getContentLength(), status, retry);
    }
    response.setEntity(new Checked(entity, limit, status, retry, readAsUtf8(entity)));
  }

  /** JSON (FHIR's or plain) with no charset, or with UTF-8: what HAPI decodes as UTF-8. */
  private static boolean readAsUtf8(HttpEntity entity) {
    ContentType type;
    try {
      type = ContentType.get(entity);
    } catch (RuntimeException unreadable) {
      return false; // HAPI cannot read such an answer as FHIR either
    }
    if (type == null || !type.getMimeType().toLowerCase(Locale.ROOT).contains("json")) {
      return false;
    }
    Charset charset = type.getCharset();
    return charset == null || charset.equals(StandardCharsets.UTF_8);
  }

  /** The entity, its content read through a {@link CheckedStream}. */
  private static final class Checked extends HttpEntityWrapper {
    private final long limit;
    private final int status;
    private final String retryAfter;
    private final boolean utf8;

    Checked(HttpEntity entity, long limit, int status, String retryAfter, boolean utf8) {
      super(entity);
      this.limit = limit;
      this.status = status;
      this.retryAfter = retryAfter;
      this.utf8 = utf8;
    }

    @Override
    public InputStream getContent() throws IOException {
      return new CheckedStream(super.getContent(), limit, status, retryAfter, utf8);
    }

    @Override
    public void writeTo(OutputStream out) throws IOException {
      try (InputStream in = getContent()) {
        in.transferTo(out);
      }
    }
  }

  /** Counts bytes and, when asked, follows the UTF-8 byte sequences (Unicode table 3-7). */
  private static final class CheckedStream extends FilterInputStream {
    private final long limit;
    private final int status;
    private final String retryAfter;
    private final boolean utf8;
    private long count;
    private long sequence; // where the current UTF-8 sequence started
    private boolean failed;
    private int continuations; // bytes still expected in the current sequence
    private int lowest = 0x80; // range of the next continuation byte
    private int highest = 0xBF;

    CheckedStream(InputStream in, long limit, int status, String retryAfter, boolean utf8) {
      super(in);
      this.limit = limit;
      this.status = status;
      this.retryAfter = retryAfter;
      this.utf8 = utf8;
    }

    @Override
    public int read() throws IOException {
      int next = super.read();
      if (next < 0) {
        ended();
      } else {
        check(new byte[] {(byte) next}, 0, 1);
      }
      return next;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
      int read = super.read(buffer, offset, length);
      if (read < 0) {
        ended();
      } else {
        check(buffer, offset, read);
      }
      return read;
    }

    @Override
    public long skip(long bytes) throws IOException {
      byte[] skipped = new byte[(int) Math.min(bytes, 8192)];
      int read = read(skipped, 0, skipped.length);
      return Math.max(read, 0);
    }

    /**
     * Closing the connection's stream would read the rest of the answer (to reuse the
     * connection), however long it is: after a failure the connection is dropped instead.
     */
    @Override
    public void close() throws IOException {
      if (!failed) {
        super.close();
      }
    }

    private void ended() throws IOException {
      if (continuations > 0) {
        throw fail(new NotUtf8Exception(status, sequence));
      }
    }

    private void check(byte[] buffer, int offset, int length) throws IOException {
      if (count + length > limit) {
        throw fail(new AnswerTooLargeException(limit, -1, status, retryAfter));
      }
      if (!utf8) {
        count += length;
        return;
      }
      for (int index = offset; index < offset + length; index++) {
        if (continuations == 0) {
          sequence = count;
        }
        if (!accepts(buffer[index] & 0xFF)) {
          throw fail(new NotUtf8Exception(status, sequence));
        }
        count++;
      }
    }

    private IOException fail(IOException failure) throws IOException {
      failed = true;
      try {
        if (in instanceof EofSensorInputStream connection) {
          connection.abortConnection();
        } else {
          in.close();
        }
      } catch (IOException alreadyBroken) {
        // the connection is gone either way; the failure to report is the one found
      }
      return failure;
    }

    private boolean accepts(int current) {
      if (continuations > 0) {
        if (current < lowest || current > highest) {
          return false;
        }
        continuations--;
        lowest = 0x80;
        highest = 0xBF;
        return true;
      }
      if (current < 0x80) {
        return true;
      }
      if (current >= 0xC2 && current <= 0xDF) {
        continuations = 1;
      } else if (current == 0xE0) {
        continuations = 2;
        lowest = 0xA0; // no overlong forms
      } else if (current == 0xED) {
        continuations = 2;
        highest = 0x9F; // no surrogates
      } else if (current >= 0xE1 && current <= 0xEF) {
        continuations = 2;
      } else if (current == 0xF0) {
        continuations = 3;
        lowest = 0x90; // no overlong forms
      } else if (current >= 0xF1 && current <= 0xF3) {
        continuations = 3;
      } else if (current == 0xF4) {
        continuations = 3;
        highest = 0x8F; // nothing above U+10FFFF
      } else {
        return false;
      }
      return true;
    }
  }
}
