package org.hms.sync.simulator;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends the IIS's own changes as Standard Webhooks v1 POSTs to one target, in the background. A
 * webhook keeps its {@code webhook-id} over retries (the receiver recognises a repeat by it) and
 * is signed anew with the current time on each attempt. A non-2xx answer or a network failure is
 * retried {@value #ATTEMPTS} times in all, waiting 250 ms, 500 ms, 1 s and 2 s; then it is dropped
 * with one warning.
 */
final class WebhookSender {

  static final int ATTEMPTS = 5;
  private static final Duration FIRST_WAIT = Duration.ofMillis(250);
  private static final Logger log = LoggerFactory.getLogger(WebhookSender.class);

  /** Where webhooks go and the signer for them. */
  private record Target(URI url, WebhookSigner signer) {}

  private final Clock clock;
  private final ScheduledExecutorService scheduler;
  private final HttpClient client;
  private volatile Target target;

  WebhookSender(Clock clock, ScheduledExecutorService scheduler) {
    this.clock = clock;
    this.scheduler = scheduler;
    this.client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
  }

  /** {@code null} for both stops sending; checked like {@link SimulatorOptions#webhookUrl()}. */
  void setTarget(URI url, String secret) {
    SimulatorOptions.requireWebhookTarget(url, secret);
    this.target = url == null ? null : new Target(url, new WebhookSigner(secret));
  }

  boolean hasTarget() {
    return target != null;
  }

  /** Queues one webhook with this JSON body; returns at once. Does nothing without a target. */
  void send(String changeId, String body) {
    Target current = target;
    if (current == null) {
      return;
    }
    String webhookId = "msg_" + UUID.randomUUID();
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    scheduler.execute(() -> attempt(current, changeId, webhookId, bytes, 1));
  }

  private void attempt(Target to, String changeId, String webhookId, byte[] body, int attempt) {
    long timestamp = clock.instant().getEpochSecond();
    HttpRequest request =
        HttpRequest.newBuilder(to.url())
            .timeout(Duration.ofSeconds(5))
            .header("Content-Type", "application/json")
            .header("webhook-id", webhookId)
            .header("webhook-timestamp", Long.toString(timestamp))
            .header("webhook-signature", to.signer().sign(webhookId, timestamp, body))
            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
            .build();
    client
        .sendAsync(request, HttpResponse.BodyHandlers.discarding())
        .whenComplete(
            (response, failure) -> {
              if (failure == null && response.statusCode() / 100 == 2) {
                return;
              }
              String problem =
                  failure == null ? "HTTP " + response.statusCode() : failure.toString();
              if (attempt >= ATTEMPTS) {
                log.warn(
                    "IIS simulator gave up sending webhook {} for change {} to {} after {} attempts"
                        + " (last: {}); the change stays in GET /api/changes",
                    webhookId,
                    changeId,
                    to.url(),
                    attempt,
                    problem);
                return;
              }
              long waitMillis = FIRST_WAIT.toMillis() << (attempt - 1);
              try {
                scheduler.schedule(
                    () -> attempt(to, changeId, webhookId, body, attempt + 1),
                    waitMillis,
                    TimeUnit.MILLISECONDS);
              } catch (RejectedExecutionException closed) {
                // the simulator was closed; nothing more to send
              }
            });
  }
}
