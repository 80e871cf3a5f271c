package org.hms.sync.connector.fhir;

import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.hl7.fhir.r4.model.Appointment;
import org.hl7.fhir.r4.model.Bundle;
import org.hms.sync.SyncException;
import org.hms.sync.config.ConnectorConfig;
import org.hms.sync.connector.ChangeFeed.ChangePage;
import org.hms.sync.delivery.PushResult;
import org.hms.sync.json.JsonInputException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Appointments changed at the FHIR server, for polling, one page per call: {@code GET
 * Appointment?_lastUpdated=ge<after - 1s>&_sort=_lastUpdated&_count=100} with {@code
 * Cache-Control: no-cache}, then the search's {@code next} links (on the origin of {@code baseUrl}
 * only). The cursor ({@link FeedCursor}) keeps the newest lastUpdated passed on, the versions in the
 * last second before it (the search returns them again: they are not passed on twice) and the next
 * link while a long result is being read, so no change is skipped when several share an instant or
 * a transaction commits late, and none is passed on twice.
 *
 * <p>When the server dates its search (Bundle {@code meta.lastUpdated}, as HAPI does) on the clock
 * of its resources, an Appointment changed after the search began, and so read with a newer
 * lastUpdated from a later page, does not move the cursor: changes committed meanwhile with older
 * dates are still found by the next search. Reads only: safe to run any number of times. Calls
 * block; the connector runs them on its own threads.
 */
final class FhirChangeFeed {
  private static final Logger log = LoggerFactory.getLogger(FhirChangeFeed.class);

  private final FhirEndpoint endpoint;
  private final AppointmentResource resources;
  private final ConnectorConfig config;
  private final Clock clock;
  private final int pageSize;

  FhirChangeFeed(
      FhirEndpoint endpoint,
      AppointmentResource resources,
      ConnectorConfig config,
      Clock clock,
      int pageSize) {
    this.endpoint = endpoint;
    this.resources = resources;
    this.config = config;
    this.clock = clock;
    this.pageSize = pageSize;
  }

  /**
   * The next page of changes after {@code cursorText} (see {@link FeedCursor}).
   *
   * @throws SyncException when the server cannot be read, answers something unusable, or the
   *     cursor cannot be read
   */
  ChangePage fetch(String cursorText) {
    FeedCursor cursor = FeedCursor.parse(cursorText);
    Bundle page;
    try {
      page = read(cursor);
    } catch (RuntimeException failure) {
      PushResult verdict =
          Outcomes.classify(
              failure, "GET Appointment?_lastUpdated", Redactor.none(), clock.instant(), null);
      if (verdict.httpStatus() != null && verdict.httpStatus() == 401) {
        endpoint.invalidateCredentials();
      }
      String reason =
          verdict instanceof PushResult.Retryable retryable
              ? retryable.reason()
              : ((PushResult.Permanent) verdict).reason();
      throw new SyncException(
          "connector '" + config.id() + "' cannot fetch changes: " + reason, failure);
    }
    String next = nextLink(page);
    Instant searchedAt =
        page.getMeta().hasLastUpdated() ? page.getMeta().getLastUpdated().toInstant() : null;
    List<Appointment> appointments = new ArrayList<>();
    for (Bundle.BundleEntryComponent entry : page.getEntry()) {
      if (entry.getResource() instanceof Appointment appointment) {
        appointments.add(appointment);
      }
    }
    boolean datedSearch = searchedAt != null && onOurClock(searchedAt, cursor, appointments);
    List<JsonNode> items = new ArrayList<>();
    List<FeedCursor.Seen> read = new ArrayList<>();
    Instant newest = null;
    for (Appointment appointment : appointments) {
      String logicalId = appointment.getIdElement().getIdPart();
      Instant lastUpdated = lastUpdated(appointment);
      String key = logicalId + "/" + version(appointment, lastUpdated);
      if (!cursor.hasSeen(key)) {
        items.add(tree(appointment));
      }
      read.add(new FeedCursor.Seen(key, lastUpdated));
      if (!datedSearch || !lastUpdated.isAfter(searchedAt)) {
        newest = newest == null || lastUpdated.isAfter(newest) ? lastUpdated : newest;
      }
    }
    FeedCursor advanced = cursor.advance(read, newest, next);
    boolean more = next != null && (advanced.next() != null || !items.isEmpty());
    return new ChangePage(List.copyOf(items), advanced.write(), more);
  }

  /**
   * {@code Appointment/<id>/_history/<versionId>} of an item this feed passed on; {@code null}
   * when it has no id or no version.
   */
  static String itemId(JsonNode item) {
    String id = item.path("id").asText("");
    String version = item.path("meta").path("versionId").asText("");
    return id.isEmpty() || version.isEmpty() ? null : "Appointment/" + id + "/_history/" + version;
  }

  /**
   * The kept next link when it is still on our origin and the server still has that search, else
   * a new search from the cursor.
   */
  private Bundle read(FeedCursor cursor) {
    if (cursor.next() != null && SameOrigin.as(config.baseUrl(), cursor.next())) {
      try {
        return endpoint.page(cursor.next());
      } catch (BaseServerResponseException gone) {
        if (gone.getStatusCode() != 404 && gone.getStatusCode() != 410) {
          throw gone;
        }
        log.info(
            "connector '{}': the server no longer has the search being read (HTTP {}); searching"
                + " again from the cursor",
            config.id(), gone.getStatusCode());
      }
    }
    return endpoint.changedAppointments(cursor.criterion(), pageSize);
  }

  /** The page's next link, or null; one to another origin fails the fetch. */
  private String nextLink(Bundle page) {
    Bundle.BundleLinkComponent link = page.getLink(Bundle.LINK_NEXT);
    if (link == null || link.getUrl() == null || link.getUrl().isBlank()) {
      return null;
    }
    if (!SameOrigin.as(config.baseUrl(), link.getUrl())) {
      throw new SyncException(
          "connector '" + config.id() + "': the change search's next link points to another"
              + " origin than baseUrl; the feed follows links on the connector's own origin only,"
              + " so that its credentials go nowhere else");
    }
    return link.getUrl().trim();
  }

  /**
   * Whether the search's date is on the clock of the resources' lastUpdated: not before where the
   * cursor stands, or (at the start) not before some Appointment on the page. A server whose
   * search date is not (a stand-in with a clock of its own) is read without it.
   */
  private boolean onOurClock(
      Instant searchedAt, FeedCursor cursor, List<Appointment> appointments) {
    Instant after = cursor.after();
    if (after != null) {
      return !searchedAt.isBefore(after);
    }
    return appointments.stream()
        .anyMatch(appointment -> !lastUpdated(appointment).isAfter(searchedAt));
  }

  private JsonNode tree(Appointment appointment) {
    try {
      return resources.tree(appointment);
    } catch (JsonInputException beyondLimits) {
      throw new SyncException(
          "connector '" + config.id() + "': Appointment/" + appointment.getIdElement().getIdPart()
              + " cannot be passed on as JSON (" + beyondLimits.problem() + ")",
          beyondLimits);
    }
  }

  private Instant lastUpdated(Appointment appointment) {
    if (!appointment.getMeta().hasLastUpdated()) {
      throw new SyncException(
          "connector '" + config.id() + "': Appointment/" + appointment.getIdElement().getIdPart()
              + " has no meta.lastUpdated, which the change feed needs; poll another way");
    }
    return appointment.getMeta().getLastUpdated().toInstant();
  }

  /** The versionId, or (a server without versions) the lastUpdated instead. */
  private static String version(Appointment appointment, Instant lastUpdated) {
    String version = appointment.getMeta().getVersionId();
    if (version == null || version.isBlank()) {
      version = appointment.getIdElement().getVersionIdPart();
    }
    return version == null || version.isBlank() ? lastUpdated.toString() : version;
  }
}
