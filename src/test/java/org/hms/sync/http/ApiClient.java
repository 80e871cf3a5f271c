package org.hms.sync.http;

import com.fasterxml.jackson.core.JsonProcessingException;
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

/** The JDK HttpClient pointed at a running service's HTTP API, sending one bearer token (or none). */
final class ApiClient {
  static final ObjectMapper MAPPER = new ObjectMapper();

  /** One answer: status, headers and the body as text (read as JSON on demand). */
  record Reply(int status, HttpHeaders headers, String text) {
    JsonNode json() {
      try {
        return MAPPER.readTree(text);
      } catch (JsonProcessingException notJson) {
        throw new AssertionError("expected a JSON body, got: " + text, notJson);
      }
    }

    String field(String name) {
      return json().path(name).asText();
    }

    Optional<String> header(String name) {
      return headers.firstValue(name);
    }

    String contentType() {
      return header("Content-Type").orElse("");
    }
  }

  private final HttpClient client;
  private final URI root;
  private final String token;

  ApiClient(int port, String token) {
    this(
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build(),
        URI.create("http://127.0.0.1:" + port + "/"),
        token);
  }

  private ApiClient(HttpClient client, URI root, String token) {
    this.client = client;
    this.root = root;
    this.token = token;
  }

  /** The same service with another token; null sends no Authorization header at all. */
  ApiClient withToken(String otherToken) {
    return new ApiClient(client, root, otherToken);
  }

  Reply get(String path, String... headers) {
    return send("GET", path, null, headers);
  }

  Reply post(String path, String body, String... headers) {
    return send("POST", path, body, headers);
  }

  Reply send(String method, String path, String body, String... headers) {
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
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    if (headers.length > 0) {
      request.headers(headers);
    }
    try {
      HttpResponse<String> response =
          client.send(request.build(), HttpResponse.BodyHandlers.ofString());
      return new Reply(response.statusCode(), response.headers(), response.body());
    } catch (IOException failure) {
      throw new UncheckedIOException(method + " " + path + " failed", failure);
    } catch (InterruptedException interrupted) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted during " + method + " " + path, interrupted);
    }
  }

  /** Writes a request body; the arguments are alternating field names and values. */
  static String json(Object... namesAndValues) {
    var object = MAPPER.createObjectNode();
    for (int index = 0; index < namesAndValues.length; index += 2) {
      object.set(String.valueOf(namesAndValues[index]), MAPPER.valueToTree(namesAndValues[index + 1]));
    }
    return object.toString();
  }
}
