package org.hms.sync.connector.rest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.hms.sync.Failures;
import org.hms.sync.config.ConnectorConfig;
import org.hms.sync.config.ListRouteConfig;
import org.hms.sync.connector.AppointmentLister.ListingException;
import org.hms.sync.connector.AppointmentLister.Listing;
import org.hms.sync.connector.ListedAppointment;
import org.hms.sync.connector.auth.Credentials;
import org.hms.sync.connector.http.AnswerTooLargeException;
import org.hms.sync.connector.http.Http;
import org.hms.sync.json.Json;
import org.hms.sync.json.JsonInputException;
import org.hms.sync.mapping.Mapping;
import org.hms.sync.mapping.MappingException;

/**
 * Reads a rest connector's {@code routes.list}: pages of items, each read by the list mapping into
 * a {@link ListedAppointment}. Next-page links are followed on the connector's own origin only.
 */
final class RestListing {
  private final ConnectorConfig config;
  private final ListRouteConfig route;
  private final Mapping mapping;
  private final HttpClient client;
  private final Credentials credentials;

  RestListing(
      ConnectorConfig config, ListRouteConfig route, HttpClient client, Credentials credentials) {
    this.config = config;
    this.route = route;
    this.mapping = Mapping.compile(route.mapping());
    this.client = client;
    this.credentials = credentials;
  }

  Listing list(Instant from, Instant to) {
    URI uri = first(from, to);
    List<ListedAppointment> appointments = new ArrayList<>();
    List<String> unreadable = new ArrayList<>();
    int position = 0;
    for (int page = 1; ; page++) {
      JsonNode body = fetch(uri);
      JsonNode array = route.items().isEmpty() ? body : body.at(route.items());
      if (!array.isArray()) {
        throw new ListingException(
            route.method() + " " + uri.getPath() + " answered without an items array at '"
                + route.items() + "'; set routes.list.items to the JSON pointer of the array (\"\""
                + " when the body is the array)");
      }
      for (JsonNode item : array) {
        read(item, position++, appointments, unreadable);
      }
      JsonNode link = route.next() == null ? null : body.at(route.next());
      if (link == null || !link.isTextual() || link.textValue().isBlank()) {
        return new Listing(appointments, unreadable);
      }
      if (page >= route.maxPages()) {
        throw new ListingException(
            "the listing has more than " + route.maxPages() + " pages; raise routes.list.maxPages"
                + " or reconcile a shorter range");
      }
      uri = sameOrigin(uri.resolve(link.textValue().trim()));
    }
  }

  private void read(
      JsonNode item, int position, List<ListedAppointment> appointments, List<String> unreadable) {
    ObjectNode input = JsonNodeFactory.instance.objectNode();
    input.set("payload", item);
    input.put("connector", config.id());
    JsonNode result;
    try {
      result = mapping.evaluate(input);
    } catch (MappingException failed) {
      unreadable.add("item " + position + ": the list mapping failed: " + failed.getMessage());
      return;
    }
    if (result == null || result.isNull() || result.isMissingNode()) {
      return; // the mapping chose to skip it
    }
    try {
      appointments.add(listed(result));
    } catch (IllegalArgumentException wrong) {
      unreadable.add("item " + position + ": " + wrong.getMessage());
    }
  }

  /** The mapping's result as a listed appointment; messages name keys, never values. */
  static ListedAppointment listed(JsonNode result) {
    if (!result.isObject()) {
      throw new IllegalArgumentException(
          "the list mapping returned " + result.getNodeType().name().toLowerCase() + ", not an"
              + " object with externalId and status (or null to skip the item)");
    }
    result.fieldNames().forEachRemaining(name -> {
      if (!List.of("externalId", "appointmentId", "status", "start", "locationCode", "patientMrn")
          .contains(name)) {
        throw new IllegalArgumentException("the list mapping's result has the unknown key '"
            + (name.length() > 40 ? name.substring(0, 40) + "…" : name) + "'; allowed keys:"
            + " externalId, appointmentId, status, start, locationCode, patientMrn");
      }
    });
    String externalId = text(result, "externalId");
    if (externalId == null || externalId.isBlank()) {
      throw new IllegalArgumentException("the list mapping's result has no externalId");
    }
    String status = text(result, "status");
    if (status == null) {
      throw new IllegalArgumentException("the list mapping's result has no status");
    }
    Instant start = null;
    String startText = text(result, "start");
    if (startText != null) {
      try {
        start = Instant.parse(startText);
      } catch (DateTimeParseException notInstant) {
        throw new IllegalArgumentException(
            "start is not an ISO-8601 instant (e.g. 2027-03-01T09:00:00Z)");
      }
    }
    return new ListedAppointment(
        externalId, text(result, "appointmentId"), status, start, text(result, "locationCode"),
        text(result, "patientMrn"));
  }

  private static String text(JsonNode node, String key) {
    JsonNode value = node.get(key);
    if (value == null || value.isNull()) {
      return null;
    }
    if (!value.isValueNode()) {
      throw new IllegalArgumentException(key + " is not a string");
    }
    return value.asText();
  }

  private URI first(Instant from, Instant to) {
    String base = config.baseUrl().toString();
    String path =
        route
            .path()
            .replace("{from}", URLEncoder.encode(from.toString(), StandardCharsets.UTF_8))
            .replace("{to}", URLEncoder.encode(to.toString(), StandardCharsets.UTF_8));
    return URI.create((base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + path);
  }

  private URI sameOrigin(URI link) {
    URI base = config.baseUrl();
    if (!Objects.equals(base.getScheme(), link.getScheme())
        || !Objects.equals(base.getHost(), link.getHost())
        || base.getPort() != link.getPort()) {
      throw new ListingException(
          "the next-page link points to another origin than baseUrl; the listing follows links on"
              + " the connector's own origin only, so that its credentials go nowhere else");
    }
    return link;
  }

  private JsonNode fetch(URI uri) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(uri)
            .timeout(config.timeouts().request())
            .header("User-Agent", Http.USER_AGENT)
            .header("Accept", "application/json");
    if (route.method().equals("POST")) {
      request.POST(HttpRequest.BodyPublishers.noBody());
    } else {
      request.GET();
    }
    config.headers().forEach(request::header);
    String what = route.method() + " " + uri.getPath();
    try {
      credentials
          .authorization()
          .get(config.timeouts().request().toMillis(), TimeUnit.MILLISECONDS)
          .ifPresent(value -> request.header("Authorization", value));
    } catch (ExecutionException | TimeoutException noToken) {
      throw new ListingException(
          "no credentials for " + what + " ("
              + Failures.describe(noToken.getCause() == null ? noToken : noToken.getCause())
              + "); check the connector's auth section", noToken);
    } catch (InterruptedException interrupted) {
      Thread.currentThread().interrupt();
      throw new ListingException("interrupted while getting credentials", interrupted);
    }
    HttpResponse<byte[]> response;
    try {
      response = client.send(request.build(), Http.bounded(Http.MAX_PAGE_ANSWER_BYTES));
    } catch (IOException failed) {
      AnswerTooLargeException tooLarge = AnswerTooLargeException.in(failed);
      if (tooLarge == null) {
        throw new ListingException(
            what + " failed: " + failed.getClass().getSimpleName()
                + "; check that baseUrl is reachable", failed);
      }
      checkStatus(tooLarge.statusCode(), what);
      throw new ListingException(
          what + " answered more than " + Http.size(Http.MAX_PAGE_ANSWER_BYTES) + " in one page ("
              + tooLarge.getMessage() + "); page the listing (routes.list.next) or reconcile a"
              + " shorter range", tooLarge);
    } catch (InterruptedException interrupted) {
      Thread.currentThread().interrupt();
      throw new ListingException("interrupted during " + what, interrupted);
    }
    checkStatus(response.statusCode(), what);
    try {
      return Json.read(response.body());
    } catch (JsonInputException notJson) {
      throw new ListingException(
          what + " answered with a body that is not JSON (" + notJson.problem() + ")", notJson);
    }
  }

  private void checkStatus(int status, String what) {
    if (status == 401) {
      credentials.invalidate();
    }
    if (status < 200 || status > 299) {
      throw new ListingException(what + " answered HTTP " + status);
    }
  }
}
