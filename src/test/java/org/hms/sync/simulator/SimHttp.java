package org.hms.sync.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/** A JDK HttpClient pointed at one simulator, for tests. */
final class SimHttp {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  record Reply(int status, JsonNode body, HttpHeaders headers) {
    Optional<String> header(String name) {
      return headers.firstValue(name);
    }

    String text(String field) {
      return body.path(field).asText();
    }
  }

  private final HttpClient client;
  private final URI root;

  SimHttp(IisSimulator simulator) {
    this.client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    this.root = simulator.baseUrl().resolve("/");
  }

  Reply send(String method, String path, String body, String... headers) {
    try {
      return sendAsync(method, path, body, headers).join();
    } catch (java.util.concurrent.CompletionException failure) {
      if (failure.getCause() instanceof IOException io) {
        throw new UncheckedIOException(io);
      }
      throw failure;
    }
  }

  CompletableFuture<Reply> sendAsync(String method, String path, String body, String... headers) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(root.resolve(path))
            .timeout(Duration.ofSeconds(10))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) {
      request.header("Content-Type", "application/json");
    }
    if (headers.length > 0) {
      request.headers(headers);
    }
    return client
        .sendAsync(request.build(), HttpResponse.BodyHandlers.ofString())
        .thenApply(response -> new Reply(response.statusCode(), parse(response.body()), response.headers()));
  }

  Reply post(String path, String body, String... headers) {
    return send("POST", path, body, headers);
  }

  Reply put(String path, String body, String... headers) {
    return send("PUT", path, body, headers);
  }

  Reply get(String path, String... headers) {
    return send("GET", path, null, headers);
  }

  Reply delete(String path, String... headers) {
    return send("DELETE", path, null, headers);
  }

  private static JsonNode parse(String text) {
    if (text == null || text.isBlank()) {
      return MAPPER.missingNode();
    }
    try {
      return MAPPER.readTree(text);
    } catch (IOException notJson) {
      return MAPPER.getNodeFactory().textNode(text);
    }
  }
}
