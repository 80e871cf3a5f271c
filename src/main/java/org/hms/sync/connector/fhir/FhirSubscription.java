package org.hms.sync.connector.fhir;

import ca.uhn.fhir.rest.api.MethodOutcome;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.hl7.fhir.r4.model.StringType;
import org.hl7.fhir.r4.model.Subscription;
import org.hms.sync.config.SubscriptionConfig;

/**
 * The R4 rest-hook {@code Subscription} that makes the FHIR server tell this service when an
 * Appointment changes (configured by {@code inbound.subscription}):
 *
 * <pre>{"resourceType": "Subscription", "status": "requested", "reason": "HMS-EMR Sync: ...",
 *  "criteria": "Appointment?", "channel": {"type": "rest-hook", "endpoint": "&lt;endpoint&gt;",
 *  "header": ["X-HMS-Subscription-Secret: &lt;secret&gt;"]}}</pre>
 *
 * Without {@code channel.payload}, so each notification is an empty {@code POST} to the endpoint:
 * the service learns only that something changed, and its poller reads what. Ours is the one with
 * a rest-hook channel to our endpoint ({@code Subscription?url=<endpoint>}). Messages never
 * contain the secret.
 */
final class FhirSubscription {
  static final String REASON = "HMS-EMR Sync: wakes the change poller of connector ";

  private final FhirEndpoint endpoint;
  private final SubscriptionConfig settings;
  private final String connectorId;

  FhirSubscription(FhirEndpoint endpoint, SubscriptionConfig settings, String connectorId) {
    this.endpoint = endpoint;
    this.settings = settings;
    this.connectorId = connectorId;
  }

  /**
   * Creates ours when the server has none (a conditional create on the endpoint, so two processes
   * starting at once make one), or puts it back as configured when it differs: status not active
   * or requested, other criteria, no secret header or another one, a payload. Idempotent.
   *
   * @return what was done, e.g. {@code created Subscription/12 (status requested)}
   */
  String subscribe() {
    List<Subscription> ours = ours();
    if (ours.isEmpty()) {
      MethodOutcome outcome = endpoint.create(desired(), "url=" + encoded(endpointUrl()));
      String id = outcome.getId() == null ? "?" : outcome.getId().getIdPart();
      return (Boolean.FALSE.equals(outcome.getCreated()) ? "found" : "created") + " Subscription/"
          + id + " (status requested: the server activates it)";
    }
    Subscription current = ours.get(0);
    String id = current.getIdElement().getIdPart();
    List<String> differences = differences(current);
    if (differences.isEmpty()) {
      return "Subscription/" + id + " is in place (status " + current.getStatus().toCode() + ")";
    }
    endpoint.update(desired(), id, current.getMeta().getVersionId());
    return "repaired Subscription/" + id + " (" + String.join(", ", differences) + ")";
  }

  /**
   * Deletes ours (every one, should there be several). Idempotent.
   *
   * @return what was done
   */
  String unsubscribe() {
    List<String> deleted = new ArrayList<>();
    for (Subscription subscription : ours()) {
      String id = subscription.getIdElement().getIdPart();
      try {
        endpoint.delete("Subscription", id);
      } catch (BaseServerResponseException gone) {
        if (gone.getStatusCode() != 404 && gone.getStatusCode() != 410) {
          throw gone;
        }
      }
      deleted.add("Subscription/" + id);
    }
    return deleted.isEmpty() ? "no Subscription to delete" : "deleted " + String.join(", ", deleted);
  }

  /** The text with the secret masked, for a reason that quotes what the server said. */
  String masked(String text) {
    return text == null ? null : text.replace(settings.secret(), "***");
  }

  private List<Subscription> ours() {
    List<Subscription> ours = new ArrayList<>();
    for (Subscription subscription : endpoint.subscriptionsTo(endpointUrl())) {
      Subscription.SubscriptionChannelComponent channel = subscription.getChannel();
      if (channel.getType() == Subscription.SubscriptionChannelType.RESTHOOK
          && endpointUrl().equals(channel.getEndpoint())) {
        ours.add(subscription);
      }
    }
    return ours;
  }

  /** What is not as configured, by name; never a value. */
  private List<String> differences(Subscription current) {
    List<String> differences = new ArrayList<>();
    Subscription.SubscriptionStatus status = current.getStatus();
    if (status != Subscription.SubscriptionStatus.ACTIVE
        && status != Subscription.SubscriptionStatus.REQUESTED) {
      differences.add("status was " + (status == null ? "missing" : status.toCode()));
    }
    if (!settings.criteria().equals(current.getCriteria())) {
      differences.add("other criteria");
    }
    List<String> headers = new ArrayList<>();
    for (StringType header : current.getChannel().getHeader()) {
      headers.add(header.getValue());
    }
    if (!headers.equals(List.of(secretHeader()))) {
      differences.add("another secret header");
    }
    if (current.getChannel().hasPayload()) {
      differences.add("a payload");
    }
    return differences;
  }

  private Subscription desired() {
    Subscription subscription = new Subscription();
    subscription.setStatus(Subscription.SubscriptionStatus.REQUESTED);
    subscription.setReason(REASON + connectorId);
    subscription.setCriteria(settings.criteria());
    subscription
        .getChannel()
        .setType(Subscription.SubscriptionChannelType.RESTHOOK)
        .setEndpoint(endpointUrl())
        .addHeader(secretHeader());
    return subscription;
  }

  private String secretHeader() {
    return SubscriptionConfig.HEADER + ": " + settings.secret();
  }

  private String endpointUrl() {
    return settings.endpoint().toString();
  }

  private static String encoded(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }
}
