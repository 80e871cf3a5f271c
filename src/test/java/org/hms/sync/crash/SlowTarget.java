package org.hms.sync.crash;

import io.javalin.Javalin;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A real HTTP server (Jetty, through Javalin) on a free loopback port. Requests under {@code
 * /fast} are answered 200 after a delay; requests under {@code /stuck} are held without an answer
 * until {@link #releaseStuck()}, and answered at once after it. Every request is recorded with its
 * {@code Idempotency-Key}, when it arrived and when it was answered. Waiting is asynchronous: no
 * server thread sleeps.
 */
final class SlowTarget implements AutoCloseable {

  /** One request; {@code answeredNanos} is 0 while it has no answer. */
  static final class Received {
    final String path;
    final String idempotencyKey;
    final long arrivedNanos;
    volatile long answeredNanos;

    Received(String path, String idempotencyKey, long arrivedNanos) {
      this.path = path;
      this.idempotencyKey = idempotencyKey;
      this.arrivedNanos = arrivedNanos;
    }

    boolean fast() {
      return path.startsWith("/fast/");
    }

    boolean answered() {
      return answeredNanos != 0;
    }

    /** Arrived before {@code nanos} and answered after it. */
    boolean inFlightAt(long nanos) {
      return arrivedNanos < nanos && (answeredNanos == 0 || answeredNanos > nanos);
    }
  }

  private final Javalin server;
  private final List<Received> received = new CopyOnWriteArrayList<>();
  private final CompletableFuture<Void> stuckReleased = new CompletableFuture<>();

  private SlowTarget(Duration fastDelay) {
    this.server =
        Javalin.create(
            config -> {
              config.showJavalinBanner = false;
              config.startupWatcherEnabled = false;
              config.http.asyncTimeout = 0; // no timeout: stuck requests wait for release
            });
    server.before(
        context -> {
          Received request =
              new Received(
                  context.path(), context.header("Idempotency-Key"), System.nanoTime());
          received.add(request);
          CompletableFuture<Void> answerable =
              request.fast()
                  ? CompletableFuture.runAsync(
                      () -> {},
                      CompletableFuture.delayedExecutor(
                          fastDelay.toMillis(), TimeUnit.MILLISECONDS))
                  : stuckReleased.thenRun(() -> {});
          context.future(
              () ->
                  answerable.thenRun(
                      () -> {
                        context.status(200).contentType("application/json").result("{}");
                        request.answeredNanos = System.nanoTime();
                      }));
          context.skipRemainingHandlers();
        });
  }

  static SlowTarget start(Duration fastDelay) {
    SlowTarget target = new SlowTarget(fastDelay);
    target.server.start("127.0.0.1", 0);
    return target;
  }

  URI baseUrl() {
    return URI.create("http://127.0.0.1:" + server.port());
  }

  List<Received> received() {
    return List.copyOf(received);
  }

  /** Answers the held requests, and every later one at once. */
  void releaseStuck() {
    stuckReleased.complete(null);
  }

  @Override
  public void close() {
    releaseStuck();
    server.stop();
  }
}
