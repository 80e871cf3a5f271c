package org.hms.sync.http;

import io.javalin.Javalin;
import io.javalin.http.Context;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * A tiny IIS appointment API on a real Jetty server that can be told to refuse requests with 422
 * Unprocessable Entity (a permanent error), and later to accept them again: the "broken, then
 * fixed" external system of the dead-letter tests. POST creates {@code ext-1}, {@code ext-2}, …; PUT and DELETE
 * answer 200. It remembers every request in arrival order.
 */
final class StubIis implements AutoCloseable {

  /** One request as it arrived, with the status it was answered. */
  record Received(String method, String path, String idempotencyKey, String body, int status) {
    boolean accepted() {
      return status < 300;
    }

    /** "POST /api/appointments", for order assertions. */
    String call() {
      return method + " " + path;
    }
  }

  private final Javalin server;
  private final List<Received> received = new CopyOnWriteArrayList<>();
  private final AtomicInteger ids = new AtomicInteger();
  private volatile Predicate<Received> refused = request -> false;

  private StubIis() {
    this.server =
        Javalin.create(
            config -> {
              config.showJavalinBanner = false;
              config.startupWatcherEnabled = false;
            });
    server.post("/api/appointments", ctx -> answer(ctx, 201, () -> "ext-" + ids.incrementAndGet()));
    server.put("/api/appointments/{id}", ctx -> answer(ctx, 200, () -> ctx.pathParam("id")));
    server.delete("/api/appointments/{id}", ctx -> answer(ctx, 200, () -> ctx.pathParam("id")));
  }

  static StubIis start() {
    StubIis stub = new StubIis();
    stub.server.start("127.0.0.1", 0);
    return stub;
  }

  URI baseUrl() {
    return URI.create("http://127.0.0.1:" + server.port() + "/api");
  }

  /** From now on, requests matching {@code rule} are answered 422. */
  void refuse(Predicate<Received> rule) {
    this.refused = rule;
  }

  void refuse(String method) {
    refuse(request -> request.method().equals(method));
  }

  /** The fix is deployed: every request is accepted again. */
  void acceptAll() {
    refuse(request -> false);
  }

  List<Received> received() {
    return List.copyOf(received);
  }

  List<String> acceptedCalls() {
    return received.stream().filter(Received::accepted).map(Received::call).toList();
  }

  List<String> acceptedKeys() {
    return received.stream().filter(Received::accepted).map(Received::idempotencyKey).toList();
  }

  /** Answers 422 when refused; otherwise {@code status} with the id (taken only when accepted). */
  private void answer(Context ctx, int status, Supplier<String> id) {
    Received request =
        new Received(
            ctx.method().name(), ctx.path(), ctx.header("Idempotency-Key"), ctx.body(), status);
    if (refused.test(request)) {
      received.add(
          new Received(request.method(), request.path(), request.idempotencyKey(), request.body(),
              422));
      ctx.status(422)
          .contentType("application/json")
          .result("{\"error\":\"record rejected by the IIS business rules\"}");
      return;
    }
    received.add(request);
    ctx.status(status).contentType("application/json").result("{\"id\":\"" + id.get() + "\"}");
  }

  @Override
  public void close() {
    server.stop();
  }
}
