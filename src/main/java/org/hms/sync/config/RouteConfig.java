package org.hms.sync.config;

import java.nio.file.Path;
import java.util.Objects;

/**
 * How one event type is sent to a connector.
 *
 * @param eventType one of appointment.created, appointment.rescheduled, appointment.cancelled,
 *     appointment.completed
 * @param method GET, POST, PUT, PATCH or DELETE
 * @param path starts with {@code /}, appended to the connector's baseUrl; may hold the placeholders
 *     {@code {externalId}} and {@code {appointmentId}}
 * @param mapping the JSONata mapping file as an absolute, normalized path, or {@code null} for none
 * @param externalId a JSON pointer (e.g. {@code /id}) to the external id in the response, or {@code
 *     null}
 */
public record RouteConfig(
    String eventType, String method, String path, Path mapping, String externalId) {

  public RouteConfig {
    Objects.requireNonNull(eventType, "eventType");
    Objects.requireNonNull(method, "method");
    Objects.requireNonNull(path, "path");
  }
}
