package org.hms.sync.simulator.fhir;

import ca.uhn.fhir.rest.api.MethodOutcome;
import ca.uhn.fhir.rest.param.DateParam;
import ca.uhn.fhir.rest.param.DateRangeParam;
import ca.uhn.fhir.rest.param.ParamPrefixEnum;
import ca.uhn.fhir.rest.param.TokenParam;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import ca.uhn.fhir.rest.server.exceptions.PreconditionFailedException;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import ca.uhn.fhir.rest.server.exceptions.ResourceVersionConflictException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import org.hl7.fhir.r4.model.DomainResource;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.InstantType;

/**
 * The in-memory, versioned resources of one type behind a {@link FhirPortal}: conditional create by
 * identifier, read and vread, update with a version check (409 on mismatch, as the HAPI FHIR JPA
 * server answers, or 412 if asked), search by identifier and by {@code _lastUpdated}. Logical ids
 * count up from 1; versions from 1 per resource; {@code meta.lastUpdated} is the portal clock's
 * instant of the write.
 *
 * <p>Every method is synchronized, so parallel conditional creates of one identifier make one
 * resource. Values handed out are copies.
 *
 * @param <T> the resource type, e.g. Appointment
 */
public final class VersionedStore<T extends DomainResource> {
  private final String type;
  private final Function<T, List<Identifier>> identifiers;
  private final Clock clock;
  private final Map<String, List<T>> versions = new LinkedHashMap<>();
  private final List<T> writes = new ArrayList<>();
  private int nextId = 1;
  private volatile int staleVersionStatus = 409;

  VersionedStore(String type, Function<T, List<Identifier>> identifiers, Clock clock) {
    this.type = type;
    this.identifiers = identifiers;
    this.clock = clock;
  }

  /**
   * Create, or with {@code ifNoneExist} ({@code identifier=system|value}, optionally after {@code
   * Type?}) the one match: not created, so HAPI answers 200 instead of 201.
   */
  synchronized MethodOutcome create(T resource, String ifNoneExist) {
    if (ifNoneExist != null) {
      List<T> matches = matching(ifNoneExist);
      if (matches.size() > 1) {
        throw new PreconditionFailedException(
            matches.size()
                + " "
                + type
                + " resources match If-None-Exist "
                + ifNoneExist
                + "; make the identifier unique");
      }
      if (matches.size() == 1) {
        return new MethodOutcome(matches.get(0).getIdElement(), false);
      }
    }
    T stored = store(String.valueOf(nextId++), resource, 1);
    return new MethodOutcome(stored.getIdElement(), true);
  }

  /**
   * Update of an existing resource. With a version in {@code id} (HAPI puts {@code If-Match} there)
   * the update is refused unless it is the current version: with 409 and the HAPI FHIR JPA
   * server's diagnostics ({@code HAPI-0989}), or with 412 (see {@link #answerStaleVersionsWith}).
   */
  synchronized MethodOutcome update(IdType id, T resource) {
    T existing = current(id.getIdPart());
    if (existing == null) {
      throw new ResourceNotFoundException(id);
    }
    String version = existing.getIdElement().getVersionIdPart();
    if (id.hasVersionIdPart() && !id.getVersionIdPart().equals(version)) {
      throw staleVersion(type + "/" + id.getIdPart() + "/_history/" + id.getVersionIdPart());
    }
    T stored = store(id.getIdPart(), resource, Integer.parseInt(version) + 1);
    return new MethodOutcome(stored.getIdElement(), false);
  }

  /**
   * How an update of a version that is not the current one is refused: {@code 409} (the default,
   * as the HAPI FHIR JPA server: an OperationOutcome with code {@code processing} and diagnostics
   * {@code HAPI-0550: HAPI-0989: Trying to update Appointment/1/_history/1 but this is not the
   * current version}) or {@code 412} (Precondition Failed, as the FHIR specification describes).
   */
  public void answerStaleVersionsWith(int status) {
    if (status != 409 && status != 412) {
      throw new IllegalArgumentException(
          "a stale version is answered with 409 (as HAPI's JPA server) or 412, not " + status);
    }
    staleVersionStatus = status;
  }

  private BaseServerResponseException staleVersion(String versionedId) {
    if (staleVersionStatus == 412) {
      return new PreconditionFailedException(
          versionedId + " is not the current version; read it again and apply the change to the"
              + " current version");
    }
    return new ResourceVersionConflictException(
        "HAPI-0550: HAPI-0989: Trying to update " + versionedId
            + " but this is not the current version");
  }

  /** The current version, or with a version in {@code id} that version (vread). */
  synchronized T read(IdType id) {
    List<T> history = versions.get(id.getIdPart());
    if (history == null) {
      throw new ResourceNotFoundException(id);
    }
    if (!id.hasVersionIdPart()) {
      return copyOf(history.get(history.size() - 1));
    }
    int version;
    try {
      version = Integer.parseInt(id.getVersionIdPart());
    } catch (NumberFormatException notANumber) {
      throw new ResourceNotFoundException(id);
    }
    if (version < 1 || version > history.size()) {
      throw new ResourceNotFoundException(id);
    }
    return copyOf(history.get(version - 1));
  }

  /** Current versions with this identifier (any when null), changed in this range, oldest first. */
  synchronized List<T> search(TokenParam identifier, DateRangeParam lastUpdated) {
    List<T> found = new ArrayList<>();
    for (List<T> history : versions.values()) {
      T resource = history.get(history.size() - 1);
      if (identifier != null && !hasIdentifier(resource, identifier)) {
        continue;
      }
      if (lastUpdated != null && !within(resource.getMeta().getLastUpdated(), lastUpdated)) {
        continue;
      }
      found.add(copyOf(resource));
    }
    found.sort(Comparator.comparing((T resource) -> resource.getMeta().getLastUpdated()));
    return found;
  }

  /** Forgets every resource; logical ids start at 1 again; stale versions get 409 again. */
  public synchronized void clear() {
    versions.clear();
    writes.clear();
    nextId = 1;
    staleVersionStatus = 409;
  }

  /** Adds a resource directly, as if another client had created it: version 1. */
  public synchronized T seed(T resource) {
    return store(String.valueOf(nextId++), resource, 1);
  }

  /** Changes a resource as another client at the server would: a new version. */
  public synchronized T change(String logicalId, Consumer<T> change) {
    T existing = current(logicalId);
    if (existing == null) {
      throw new IllegalArgumentException(
          "no " + type + "/" + logicalId + " to change; " + type + " ids are " + versions.keySet());
    }
    T copy = copyOf(existing);
    change.accept(copy);
    int version = Integer.parseInt(existing.getIdElement().getVersionIdPart());
    return store(logicalId, copy, version + 1);
  }

  /**
   * Forgets a resource and its history, as if another client had deleted it: reads answer 404 and
   * searches no longer find it. Returns whether there was one.
   */
  public synchronized boolean remove(String logicalId) {
    return versions.remove(logicalId) != null;
  }

  /** The current version of every resource, in the order they were created. */
  public synchronized List<T> all() {
    return versions.values().stream()
        .map(history -> copyOf(history.get(history.size() - 1)))
        .toList();
  }

  /** The current version of one resource, or null. */
  public synchronized T get(String logicalId) {
    T found = current(logicalId);
    return found == null ? null : copyOf(found);
  }

  /** Every version ever written, in order. */
  public synchronized List<T> writes() {
    return writes.stream().map(this::copyOf).toList();
  }

  private T current(String logicalId) {
    List<T> history = versions.get(logicalId);
    return history == null ? null : history.get(history.size() - 1);
  }

  private T store(String logicalId, T resource, int version) {
    T stored = copyOf(resource);
    IdType id = new IdType(type, logicalId, String.valueOf(version));
    stored.setId(id);
    stored.getMeta().setVersionId(String.valueOf(version));
    stored.getMeta().setLastUpdatedElement(new InstantType(Date.from(clock.instant())));
    versions.computeIfAbsent(logicalId, ignored -> new ArrayList<>()).add(stored);
    writes.add(copyOf(stored));
    return copyOf(stored);
  }

  private T copyOf(T resource) {
    @SuppressWarnings("unchecked")
    T copy = (T) resource.copy();
    copy.setId(resource.getIdElement().copy());
    return copy;
  }

  private List<T> matching(String ifNoneExist) {
    String query = ifNoneExist.substring(ifNoneExist.indexOf('?') + 1);
    if (!query.startsWith("identifier=") || query.contains("&")) {
      throw new InvalidRequestException(
          "this portal matches If-None-Exist by one identifier only (identifier=system|value), got"
              + " '"
              + query
              + "'");
    }
    String value =
        URLDecoder.decode(query.substring("identifier=".length()), StandardCharsets.UTF_8);
    int bar = value.indexOf('|');
    TokenParam token =
        bar < 0
            ? new TokenParam(null, value)
            : new TokenParam(value.substring(0, bar), value.substring(bar + 1));
    List<T> matches = new ArrayList<>();
    for (List<T> history : versions.values()) {
      T resource = history.get(history.size() - 1);
      if (hasIdentifier(resource, token)) {
        matches.add(resource);
      }
    }
    return matches;
  }

  private boolean hasIdentifier(T resource, TokenParam token) {
    for (Identifier identifier : identifiers.apply(resource)) {
      boolean system =
          token.getSystem() == null
              || token.getSystem().isEmpty()
              || token.getSystem().equals(identifier.getSystem());
      if (system && token.getValue() != null && token.getValue().equals(identifier.getValue())) {
        return true;
      }
    }
    return false;
  }

  private static boolean within(Date value, DateRangeParam range) {
    DateParam lower = range.getLowerBound();
    if (lower != null && lower.getValue() != null) {
      boolean exclusive = lower.getPrefix() == ParamPrefixEnum.GREATERTHAN;
      int compared = value.compareTo(lower.getValue());
      if (exclusive ? compared <= 0 : compared < 0) {
        return false;
      }
    }
    DateParam upper = range.getUpperBound();
    if (upper != null && upper.getValue() != null) {
      boolean exclusive = upper.getPrefix() == ParamPrefixEnum.LESSTHAN;
      int compared = value.compareTo(upper.getValue());
      return exclusive ? compared < 0 : compared <= 0;
    }
    return true;
  }
}
