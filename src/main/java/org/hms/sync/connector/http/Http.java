package org.hms.sync.connector.http;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import org.hms.sync.SyncException;
import org.hms.sync.config.ConnectorConfig;

/** The HTTP client every connector type shares the rules of. */
public final class Http {
  /** {@code hms-sync/<version>}. */
  public static final String USER_AGENT = "hms-sync/" + version();

  /** Largest answer read to a push (a REST request, a GraphQL mutation). */
  public static final int MAX_PUSH_ANSWER_BYTES = 4 * 1024 * 1024;

  /** Largest answer read to a listing or change-feed page, and to any FHIR call. */
  public static final int MAX_PAGE_ANSWER_BYTES = 16 * 1024 * 1024;

  /** Largest answer read from an OAuth 2.0 token endpoint. */
  public static final int MAX_TOKEN_ANSWER_BYTES = 64 * 1024;

  private Http() {}

  /**
   * HTTP/1.1, redirects never followed (outbound URLs come only from the config file), the
   * connector's connect timeout and TLS material.
   */
  public static HttpClient client(ConnectorConfig config) {
    return HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .followRedirects(HttpClient.Redirect.NEVER)
        .connectTimeout(config.timeouts().connect())
        .sslContext(Tls.context(config.tls()))
        .build();
  }

  /**
   * Checks at start-up that the JDK HTTP client lets every configured header be set (it refuses
   * the ones it manages itself, such as {@code Host} or {@code Content-Length}).
   *
   * @throws SyncException naming the connector and the header
   */
  public static void checkHeaders(ConnectorConfig config) {
    for (Map.Entry<String, String> header : config.headers().entrySet()) {
      try {
        HttpRequest.newBuilder(config.baseUrl()).header(header.getKey(), header.getValue());
      } catch (IllegalArgumentException refused) {
        throw new SyncException(
            "connector '" + config.id() + "': header '" + header.getKey()
                + "' cannot be set (the HTTP client manages it); remove it from headers");
      }
    }
  }

  /**
   * Reads the body as bytes, at most {@code maxBytes} of them: an answer whose Content-Length
   * declares more is not read at all, and one that sends more is cut off as soon as it passes the
   * limit (the subscription is cancelled, which drops the connection). Either way the response
   * fails with an {@link AnswerTooLargeException} that carries the status and Retry-After.
   */
  public static HttpResponse.BodyHandler<byte[]> bounded(int maxBytes) {
    if (maxBytes < 0) {
      throw new IllegalArgumentException("maxBytes is " + maxBytes + "; give a number >= 0");
    }
    return info -> {
      String retryAfter = info.headers().firstValue("Retry-After").orElse(null);
      long declared = declaredLength(info.headers().firstValue("Content-Length").orElse(null));
      AnswerTooLargeException refusal =
          declared > maxBytes
              ? new AnswerTooLargeException(maxBytes, declared, info.statusCode(), retryAfter)
              : null;
      return new BoundedBody(maxBytes, info.statusCode(), retryAfter, refusal);
    };
  }

  /** "4 MiB", "64 KiB" or "512 bytes". */
  public static String size(long bytes) {
    if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) == 0) {
      return bytes / (1024 * 1024) + " MiB";
    }
    if (bytes >= 1024 && bytes % 1024 == 0) {
      return bytes / 1024 + " KiB";
    }
    return bytes + " bytes";
  }

  private static long declaredLength(String header) {
    if (header == null) {
      return -1;
    }
    try {
      return Long.parseLong(header.trim());
    } catch (NumberFormatException unreadable) {
      return -1; // the client refuses such an answer itself
    }
  }

  /** Collects at most {@code limit} bytes; more (or a refusal up front) fails the body. */
  private static final class BoundedBody implements HttpResponse.BodySubscriber<byte[]> {
    private final CompletableFuture<byte[]> body = new CompletableFuture<>();
    private final List<ByteBuffer> received = new ArrayList<>();
    private final int limit;
    private final int statusCode;
    private final String retryAfter;
    private final AnswerTooLargeException refusal;
    private Flow.Subscription subscription;
    private long size;

    BoundedBody(int limit, int statusCode, String retryAfter, AnswerTooLargeException refusal) {
      this.limit = limit;
      this.statusCode = statusCode;
      this.retryAfter = retryAfter;
      this.refusal = refusal;
    }

    @Override
    public CompletionStage<byte[]> getBody() {
      return body;
    }

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
      this.subscription = subscription;
      if (refusal != null) {
        subscription.cancel();
        body.completeExceptionally(refusal);
        return;
      }
      subscription.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(List<ByteBuffer> buffers) {
      if (body.isDone()) {
        return;
      }
      for (ByteBuffer buffer : buffers) {
        size += buffer.remaining();
      }
      if (size > limit) {
        received.clear();
        subscription.cancel();
        body.completeExceptionally(
            new AnswerTooLargeException(limit, -1, statusCode, retryAfter));
        return;
      }
      received.addAll(buffers);
    }

    @Override
    public void onError(Throwable failure) {
      received.clear();
      body.completeExceptionally(failure);
    }

    @Override
    public void onComplete() {
      if (body.isDone()) {
        return;
      }
      byte[] bytes = new byte[(int) size];
      int offset = 0;
      for (ByteBuffer buffer : received) {
        int length = buffer.remaining();
        buffer.get(bytes, offset, length);
        offset += length;
      }
      received.clear();
      body.complete(bytes);
    }
  }

  private static String version() {
    String version = Http.class.getPackage().getImplementationVersion();
    return version == null ? "dev" : version;
  }
}
