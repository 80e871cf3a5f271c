package org.hms.sync.connector.fhir;

import ca.uhn.fhir.rest.api.MethodOutcome;
import ca.uhn.fhir.rest.param.DateParam;
import ca.uhn.fhir.rest.param.DateRangeParam;
import ca.uhn.fhir.rest.param.ParamPrefixEnum;
import ca.uhn.fhir.rest.param.TokenParam;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import ca.uhn.fhir.rest.server.exceptions.PreconditionFailedException;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;
import org.hl7.fhir.r4.model.DomainResource;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.InstantType;

/**
 * The in-memory, versioned resources of one type behind the test FHIR server: conditional create
 * by identifier, update with a version check (412 on mismatch), search by identifier and by
 * {@code _lastUpdated}. Keeps every write, so tests can count creates.
 */
final class VersionedStore<T extends DomainResource> {
  private final String type;
  private final Function<T, List<Identifier>> identifiers;
  private final Supplier<Instant> clock;
  private final Map<String, T> current = new LinkedHashMap<>();
  private final List<T> writes = new ArrayList<>();
  private int nextId = 1;

  VersionedStore(String type, Function<T, List<Identifier>> identifiers, Supplier<Instant> clock) {
    this.type = type;
    this.identifiers = identifiers;
    this.clock = clock;
  }

  /** Create, or (with {@code ifNoneExist}) the match: 200 instead of 201. */
  synchronized MethodOutcome create(T resource, String ifNoneExist) {
    if (ifNoneExist != null) {
      List<T> matches = matching(ifNoneExist);
      if (matches.size() > 1) {
        throw new PreconditionFailedException(
            "multiple matches for If-None-Exist " + ifNoneExist);
      }
      if (matches.size() == 1) {
        return new MethodOutcome(matches.get(0).getIdElement(), false);
      }
    }
    T stored = store(String.valueOf(nextId++), resource, 1);
    return new MethodOutcome(stored.getIdElement(), true);
  }

  synchronized void clear() {
    current.clear();
    writes.clear();
    nextId = 1;
  }

  /** Adds a resource directly, as if someone else had created it. */
  synchronized T seed(T resource) {
    return store(String.valueOf(nextId++), resource, 1);
  }

  synchronized MethodOutcome update(IdType id, T resource) {
    T existing = current.get(id.getIdPart());
    if (existing == null) {
      throw new ResourceNotFoundException(id);
    }
    String version = existing.getIdElement().getVersionIdPart();
    if (id.hasVersionIdPart() && !id.getVersionIdPart().equals(version)) {
      throw new PreconditionFailedException(
          type + "/" + id.getIdPart() + " is at version " + version + ", not "
              + id.getVersionIdPart());
    }
    T stored = store(id.getIdPart(), resource, Integer.parseInt(version) + 1);
    return new MethodOutcome(stored.getIdElement(), false);
  }

  /** Changes a resource as someone else at the server would: a new version. */
  synchronized T change(String logicalId, java.util.function.Consumer<T> change) {
    @SuppressWarnings("unchecked")
    T copy = (T) current.get(logicalId).copy();
    change.accept(copy);
    int version = Integer.parseInt(current.get(logicalId).getIdElement().getVersionIdPart());
    return store(logicalId, copy, version + 1);
  }

  synchronized T read(IdType id) {
    T found = current.get(id.getIdPart());
    if (found == null) {
      throw new ResourceNotFoundException(id);
    }
    return copyOf(found);
  }

  synchronized List<T> search(TokenParam identifier, DateRangeParam lastUpdated) {
    List<T> found = new ArrayList<>();
    for (T resource : current.values()) {
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

  synchronized List<T> all() {
    return current.values().stream().map(this::copyOf).toList();
  }

  synchronized T get(String logicalId) {
    return copyOf(current.get(logicalId));
  }

  /** Every version ever written, in order. */
  synchronized List<T> writes() {
    return List.copyOf(writes);
  }

  private T store(String logicalId, T resource, int version) {
    @SuppressWarnings("unchecked")
    T stored = (T) resource.copy();
    IdType id = new IdType(type, logicalId, String.valueOf(version));
    stored.setId(id);
    stored.getMeta().setVersionId(String.valueOf(version));
    stored.getMeta().setLastUpdatedElement(new InstantType(Date.from(clock.get())));
    current.put(logicalId, stored);
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
    if (!query.startsWith("identifier=")) {
      throw new InvalidRequestException("the test server matches If-None-Exist by identifier only");
    }
    String value = java.net.URLDecoder.decode(
        query.substring("identifier=".length()), java.nio.charset.StandardCharsets.UTF_8);
    int bar = value.indexOf('|');
    TokenParam token = new TokenParam(value.substring(0, bar), value.substring(bar + 1));
    return current.values().stream().filter(resource -> hasIdentifier(resource, token)).toList();
  }

  private boolean hasIdentifier(T resource, TokenParam token) {
    for (Identifier identifier : identifiers.apply(resource)) {
      boolean system = token.getSystem() == null || token.getSystem().equals(identifier.getSystem());
      if (system && token.getValue().equals(identifier.getValue())) {
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
