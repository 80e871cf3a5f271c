package org.hms.sync.simulator;

import io.javalin.Javalin;
import io.javalin.http.Context;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Binds {@link SoapService} to {@code POST /iis-soap}, with the simulator's faults: an outage or a
 * drawn failure is decided on arrival and answered HTTP 503 with {@code Retry-After: 1} before the
 * envelope is read; every answer waits out the latency first, on a scheduler, and the VXU is
 * applied only after it.
 */
final class SoapRoutes {

  static final String PATH = "/iis-soap";

  private final SoapService service;
  private final Faults faults;
  private final ScheduledExecutorService delays;

  SoapRoutes(SoapService service, Faults faults, ScheduledExecutorService delays) {
    this.service = service;
    this.faults = faults;
    this.delays = delays;
  }

  void register(Javalin server) {
    server.post(PATH, this::serve);
  }

  private void serve(Context context) {
    Supplier<SoapReply> answer = admit(context.header("Content-Type"), context.bodyAsBytes());
    Duration latency = faults.latency();
    if (latency.isZero()) {
      respond(context, answer.get());
      return;
    }
    CompletableFuture<SoapReply> answered = new CompletableFuture<>();
    delays.schedule(
        () -> {
          try {
            answered.complete(answer.get());
          } catch (RuntimeException failure) {
            // handed to the server's exception handler, which answers 500
            answered.completeExceptionally(failure);
          }
        },
        latency.toNanos(),
        TimeUnit.NANOSECONDS);
    context.future(() -> answered.thenAccept(reply -> respond(context, reply)));
  }

  private Supplier<SoapReply> admit(String contentType, byte[] body) {
    if (faults.isDown()) {
      SoapReply down =
          SoapReply.unavailable(
              "The IIS is down for maintenance (simulated outage until "
                  + faults.downUntil()
                  + "); retry after the Retry-After delay");
      return () -> down;
    }
    if (faults.shouldFail()) {
      SoapReply failed =
          SoapReply.unavailable(
              "The IIS could not process this request (simulated failure);"
                  + " retry after the Retry-After delay");
      return () -> failed;
    }
    return () -> service.answer(contentType, body);
  }

  private static void respond(Context context, SoapReply reply) {
    context.status(reply.status()).contentType(reply.contentType()).result(reply.body());
    if (reply.status() == Outcome.UNAVAILABLE) {
      context.header(ApiRoutes.RETRY_AFTER, "1");
    }
  }
}
