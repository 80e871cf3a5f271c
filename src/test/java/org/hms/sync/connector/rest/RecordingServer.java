package org.hms.sync.connector.rest;

import io.javalin.Javalin;
import java.net.URI;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.jetty.http.UriCompliance;

/**
 * A real HTTP server on a free loopback port that records every request it gets and answers each
 * path as told (200 with {@code {}} by default). The RestConnector tests' MockWebServer.
 */
final class RecordingServer implements AutoCloseable {

  /** One request as it arrived; {@code path} is raw, still percent-encoded. */
  record Received(String method, String path, Map<String, List<String>> headers, String body) {
    /** The first value of a header (names ignore case), or null. */
    String header(String name) {
      List<String> values = headers.get(name);
      return values == null || values.isEmpty() ? null : values.get(0);
    }

    List<String> headerValues(String name) {
      return headers.getOrDefault(name, List.of());
    }
  }

  private record Answer(int status, String body, Map<String, String> headers) {}

  private final Javalin server;
  private final List<Received> received = new CopyOnWriteArrayList<>();
  private final Map<String, Answer> answers = new ConcurrentHashMap<>();

  private RecordingServer() {
    this.server =
        Javalin.create(
            config -> {
              config.showJavalinBanner = false;
              config.startupWatcherEnabled = false;
              // accept %2F in a path, so a test can see how the connector encoded it
              config.jetty.modifyHttpConfiguration(
                  http -> http.setUriCompliance(UriCompliance.LEGACY));
            });
    server.before(
        context -> {
          Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
          for (String name : Collections.list(context.req().getHeaderNames())) {
            headers
                .computeIfAbsent(name, ignored -> new ArrayList<>())
                .addAll(Collections.list(context.req().getHeaders(name)));
          }
          String path = context.req().getRequestURI();
          received.add(new Received(context.method().name(), path, headers, context.body()));
          Answer answer = answers.getOrDefault(path, new Answer(200, "{}", Map.of()));
          answer.headers().forEach(context::header);
          context.status(answer.status());
          if (!answer.body().isEmpty()) {
            context.contentType("application/json").result(answer.body());
          }
          context.skipRemainingHandlers();
        });
  }

  static RecordingServer start() {
    RecordingServer recording = new RecordingServer();
    recording.server.start("127.0.0.1", 0);
    return recording;
  }

  /** Answers requests to {@code path} (raw, as sent) with this status, body and headers. */
  RecordingServer answer(String path, int status, String body, String... headerNamesAndValues) {
    Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    for (int index = 0; index + 1 < headerNamesAndValues.length; index += 2) {
      headers.put(headerNamesAndValues[index], headerNamesAndValues[index + 1]);
    }
    answers.put(path, new Answer(status, body, headers));
    return this;
  }

  /** {@code http://127.0.0.1:<port>}, no trailing slash. */
  URI baseUrl() {
    return URI.create("http://127.0.0.1:" + server.port());
  }

  List<Received> received() {
    return List.copyOf(received);
  }

  long requestsTo(String path) {
    return received.stream().filter(request -> request.path().equals(path)).count();
  }

  @Override
  public void close() {
    server.stop();
  }
}
