package org.hms.sync.simulator.fhir;

import ca.uhn.fhir.rest.annotation.ConditionalUrlParam;
import ca.uhn.fhir.rest.annotation.Count;
import ca.uhn.fhir.rest.annotation.Create;
import ca.uhn.fhir.rest.annotation.IdParam;
import ca.uhn.fhir.rest.annotation.OptionalParam;
import ca.uhn.fhir.rest.annotation.Read;
import ca.uhn.fhir.rest.annotation.ResourceParam;
import ca.uhn.fhir.rest.annotation.Search;
import ca.uhn.fhir.rest.annotation.Sort;
import ca.uhn.fhir.rest.annotation.Update;
import ca.uhn.fhir.rest.api.MethodOutcome;
import ca.uhn.fhir.rest.api.SortSpec;
import ca.uhn.fhir.rest.param.DateRangeParam;
import ca.uhn.fhir.rest.param.TokenParam;
import ca.uhn.fhir.rest.server.IResourceProvider;
import java.util.Date;
import java.util.List;
import org.hl7.fhir.r4.model.Appointment;
import org.hl7.fhir.r4.model.IdType;

/**
 * Appointment at the portal: conditional create ({@code If-None-Exist}), read, vread, update
 * ({@code If-Match}), search by {@code identifier}, {@code _lastUpdated} and {@code date} (which on
 * Appointment is {@code Appointment.start}: an Appointment without start never matches a date
 * criterion), oldest change first; {@code _sort} and {@code _count} are accepted, results are paged
 * by the server. Public because HAPI calls its methods by reflection.
 */
public final class AppointmentProvider implements IResourceProvider {
  private final VersionedStore<Appointment> store;

  AppointmentProvider(VersionedStore<Appointment> store) {
    this.store = store;
  }

  @Override
  public Class<Appointment> getResourceType() {
    return Appointment.class;
  }

  @Create
  public MethodOutcome create(
      @ResourceParam Appointment resource, @ConditionalUrlParam String ifNoneExist) {
    return store.create(resource, ifNoneExist);
  }

  @Read(version = true)
  public Appointment read(@IdParam IdType id) {
    return store.read(id);
  }

  @Update
  public MethodOutcome update(@IdParam IdType id, @ResourceParam Appointment resource) {
    return store.update(id, resource);
  }

  @Search
  public List<Appointment> search(
      @OptionalParam(name = "identifier") TokenParam identifier,
      @OptionalParam(name = "_lastUpdated") DateRangeParam lastUpdated,
      @OptionalParam(name = Appointment.SP_DATE) DateRangeParam date,
      @Sort SortSpec sort,
      @Count Integer count) {
    List<Appointment> found = store.search(identifier, lastUpdated);
    return date == null
        ? found
        : found.stream().filter(appointment -> starts(appointment, date)).toList();
  }

  /** Whether the Appointment's start lies in the range, its bounds taken with their precision. */
  static boolean starts(Appointment appointment, DateRangeParam range) {
    Date start = appointment.getStart();
    if (start == null) {
      return false;
    }
    Date lowest = range.getLowerBoundAsInstant();
    Date highest = range.getUpperBoundAsInstant();
    return (lowest == null || !start.before(lowest)) && (highest == null || !start.after(highest));
  }
}
