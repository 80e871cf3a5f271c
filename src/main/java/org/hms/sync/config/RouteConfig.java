package org.hms.sync.config;

import java.nio.file.Path;
import java.util.Objects;

/**
 * How one event type is sent to a connector. Which keys a route takes depends on the connector
 * type: {@code rest} needs method and path; {@code graphql} needs document; {@code fhir} and {@code
 * iis-soap} need none (the route only subscribes the connector to the event type).
 *
 * @param eventType one of appointment.created, appointment.rescheduled, appointment.cancelled,
 *     appointment.completed
 * @param method GET, POST, PUT, PATCH or DELETE; {@code null} for types other than rest
 * @param path starts with {@code /}, appended to the connector's baseUrl; may hold the placeholders
 *     {@code {externalId}} and {@code {appointmentId}}; {@code null} for types other than rest
 * @param mapping the JSONata mapping file as an absolute, normalized path, or {@code null} for none
 * @param externalId a JSON pointer (e.g. {@code /id}) to the external id in the response (for
 *     graphql: in its {@code data}), or {@code null}
 * @param document the GraphQL document file (absolute, normalized), or {@code null}
 */
public record RouteConfig(
    String eventType, String method, String path, Path mapping, String externalId, Path document) {

  public RouteConfig {
    Objects.requireNonNull(eventType, "eventType");
  }

  /** A REST route. */
  public RouteConfig(String eventType, String method, String path, Path mapping, String externalId) {
    this(
        eventType,
        Objects.requireNonNull(method, "method"),
        Objects.requireNonNull(path, "path"),
        mapping,
        externalId,
        null);
  }

  /** A route that only subscribes the connector to the event type. */
  public static RouteConfig subscription(String eventType) {
    return new RouteConfig(eventType, null, null, null, null, null);
  }
}
