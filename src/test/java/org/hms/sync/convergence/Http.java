package org.hms.sync.convergence;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** The JDK HttpClient with a bearer token, for the service's API and the stand-in IIS's. */
final class Http {
  static final ObjectMapper MAPPER = new ObjectMapper();

  /** One answer: status and body text, read as JSON on demand. */
  record Reply(int status, String text) {
    JsonNode json() {
      try {
        return MAPPER.readTree(text);
      } catch (JsonProcessingException notJson) {
        throw new AssertionError("expected a JSON body, got HTTP " + status + ": " + text, notJson);
      }
    }

    @Override
    public String toString() {
      return "HTTP " + status + " " + (text.length() > 300 ? text.substring(0, 300) + "..." : text);
    }
  }

  private static final HttpClient CLIENT =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  private final URI root;
  private final String token;

  /** {@code root} ends with a slash; paths are resolved against it. */
  Http(URI root, String token) {
    this.root = root;
    this.token = token;
  }

  Reply get(String path) {
    return send(HttpRequest.newBuilder(root.resolve(path)).GET(), true);
  }

  Reply post(String path, JsonNode body) {
    return send(
        HttpRequest.newBuilder(root.resolve(path))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body.toString())),
        true);
  }

  /** A raw POST with extra headers and no bearer token (a webhook). */
  Reply postSigned(String path, byte[] body, String... headers) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(root.resolve(path))
            .header("Content-Type", "application/json")
            .headers(headers)
            .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    return send(request, false);
  }

  private Reply send(HttpRequest.Builder request, boolean withToken) {
    request.timeout(Duration.ofSeconds(15));
    if (token != null && withToken) {
      request.header("Authorization", "Bearer " + token);
    }
    HttpRequest built = request.build();
    try {
      HttpResponse<String> response = CLIENT.send(built, HttpResponse.BodyHandlers.ofString());
      return new Reply(response.statusCode(), response.body());
    } catch (IOException failure) {
      throw new UncheckedIOException(built.method() + " " + built.uri() + " failed", failure);
    } catch (InterruptedException interrupted) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted during " + built.uri(), interrupted);
    }
  }

  /** A JSON object from alternating field names and values. */
  static ObjectNode json(Object... namesAndValues) {
    ObjectNode object = MAPPER.createObjectNode();
    for (int index = 0; index < namesAndValues.length; index += 2) {
      object.set(
          String.valueOf(namesAndValues[index]), MAPPER.valueToTree(namesAndValues[index + 1]));
    }
    return object;
  }
}
