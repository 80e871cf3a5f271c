package org.hms.sync.delivery;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * A connector at the engine's seam that answers from a script and remembers every request, so
 * engine tests can check order, keys and classification without a network.
 */
final class ScriptedConnector implements Connector {
  private final String id;
  private final Deque<Function<PushRequest, PushResult>> script = new ArrayDeque<>();
  private final List<PushRequest> received = new ArrayList<>();
  private Function<PushRequest, PushResult> fallback =
      request -> new PushResult.Success(200, "ext-" + request.event().appointmentId(), null);

  ScriptedConnector(String id) {
    this.id = id;
  }

  ScriptedConnector then(PushResult result) {
    script.add(request -> result);
    return this;
  }

  ScriptedConnector always(Function<PushRequest, PushResult> answer) {
    fallback = answer;
    return this;
  }

  synchronized List<PushRequest> received() {
    return List.copyOf(received);
  }

  @Override
  public String id() {
    return id;
  }

  @Override
  public synchronized CompletableFuture<PushResult> push(PushRequest request) {
    received.add(request);
    Function<PushRequest, PushResult> next = script.isEmpty() ? fallback : script.poll();
    return CompletableFuture.completedFuture(next.apply(request));
  }
}
