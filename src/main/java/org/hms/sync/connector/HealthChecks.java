package org.hms.sync.connector;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.hms.sync.connector.HealthCheck.Health;
import org.hms.sync.delivery.Connector;

/**
 * Asks connectors that can (e.g. the CDC WSDL's connectivityTest) whether their system answers,
 * for the connector overview ({@code GET /api/connectors}). Answers are kept for {@link #FRESH} so that a polling dashboard
 * does not become load on a registry; all connectors are asked at once and waited for at most
 * {@link #WAIT}.
 */
public final class HealthChecks {
  static final Duration FRESH = Duration.ofSeconds(15);
  static final Duration WAIT = Duration.ofSeconds(3);

  /** @param checkedAt when the answer came */
  public record Checked(Health health, Instant checkedAt) {}

  private final Clock clock;
  private final Map<String, Checked> cache = new ConcurrentHashMap<>();

  public HealthChecks(Clock clock) {
    this.clock = clock;
  }

  /** The health of every connector that can tell, by id; fresh from cache or asked now. */
  public Map<String, Checked> check(Map<String, Connector> connectors) {
    Instant now = clock.instant();
    Map<String, CompletableFuture<Health>> asked = new HashMap<>();
    Map<String, Checked> answers = new HashMap<>();
    connectors.forEach(
        (id, connector) -> {
          if (!(connector instanceof HealthCheck check)) {
            return;
          }
          Checked cached = cache.get(id);
          if (cached != null && cached.checkedAt().plus(FRESH).isAfter(now)) {
            answers.put(id, cached);
          } else {
            asked.put(
                id,
                check
                    .checkHealth()
                    .completeOnTimeout(
                        new Health(false, "no answer within " + WAIT.toSeconds() + "s"),
                        WAIT.toMillis(),
                        TimeUnit.MILLISECONDS)
                    .exceptionally(failure -> new Health(false, failure.getClass().getSimpleName())));
          }
        });
    asked.forEach(
        (id, future) -> {
          Checked checked = new Checked(future.join(), clock.instant());
          cache.put(id, checked);
          answers.put(id, checked);
        });
    return answers;
  }
}
