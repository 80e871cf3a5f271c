package org.hms.sync.http;

import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.hms.sync.json.Json;

/**
 * Errors that Jetty answers itself, before or around our routes (headers too large, a malformed
 * request line or header, conflicting framing, an unusable URI), written as problem+json like
 * every other error instead of Jetty's HTML page.
 */
final class ProblemErrorHandler extends ErrorHandler {
  static final String PROBLEM_JSON = "application/problem+json";

  ProblemErrorHandler() {
    setShowStacks(false);
    setShowServlet(false);
  }

  /** Requests Jetty refused while parsing them: no servlet ran. */
  @Override
  public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
    fields.put(HttpHeader.CONTENT_TYPE, PROBLEM_JSON);
    return ByteBuffer.wrap(body(status, reason, null).getBytes(StandardCharsets.UTF_8));
  }

  /** Errors raised inside the server (e.g. a URI the context refuses). */
  @Override
  public void handle(
      String target,
      Request baseRequest,
      HttpServletRequest request,
      HttpServletResponse response)
      throws IOException {
    baseRequest.setHandled(true);
    if (response.isCommitted()) {
      return;
    }
    int status = response.getStatus();
    Object message = request.getAttribute(RequestDispatcher.ERROR_MESSAGE);
    byte[] body =
        body(status, message == null ? null : message.toString(), baseRequest.getRequestURI())
            .getBytes(StandardCharsets.UTF_8);
    response.setContentType(PROBLEM_JSON);
    response.setContentLength(body.length);
    response.getOutputStream().write(body);
  }

  private static String body(int status, String reason, String instance) {
    Map<String, Object> problem = new LinkedHashMap<>();
    String title = HttpStatus.getMessage(status);
    problem.put("type", "about:blank");
    problem.put("title", title == null ? "HTTP " + status : title);
    problem.put("status", status);
    problem.put("detail", detail(status, reason));
    if (instance != null) {
      problem.put("instance", printable(instance, 200));
    }
    return Json.write(problem);
  }

  private static String detail(int status, String reason) {
    String advice =
        switch (status) {
          case 400 -> "the request is not valid HTTP/1.1; check its request line and headers";
          case 408 -> "the request did not arrive in time (server.requestTimeout)";
          case 413 -> "the request is larger than the server takes";
          case 414 -> "the request URI is too long";
          case 431 -> "the request headers are larger than the server takes (8 KiB)";
          case 505 -> "use HTTP/1.1";
          default -> "the server could not take this request";
        };
    String why = reason == null || reason.isBlank() ? null : printable(reason, 120);
    return why == null || why.equalsIgnoreCase(HttpStatus.getMessage(status))
        ? advice
        : advice + " (" + why + ")";
  }

  /** Text from the request made safe to show: printable ASCII, cut at {@code max} characters. */
  private static String printable(String text, int max) {
    String safe = text.replaceAll("[^\\x20-\\x7e]", "?");
    return safe.length() > max ? safe.substring(0, max) + "..." : safe;
  }
}
