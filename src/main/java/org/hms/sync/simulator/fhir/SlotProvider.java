package org.hms.sync.simulator.fhir;

import ca.uhn.fhir.rest.annotation.ConditionalUrlParam;
import ca.uhn.fhir.rest.annotation.Create;
import ca.uhn.fhir.rest.annotation.IdParam;
import ca.uhn.fhir.rest.annotation.OptionalParam;
import ca.uhn.fhir.rest.annotation.Read;
import ca.uhn.fhir.rest.annotation.ResourceParam;
import ca.uhn.fhir.rest.annotation.Search;
import ca.uhn.fhir.rest.annotation.Update;
import ca.uhn.fhir.rest.api.MethodOutcome;
import ca.uhn.fhir.rest.param.TokenParam;
import ca.uhn.fhir.rest.server.IResourceProvider;
import java.util.List;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Slot;

/**
 * Slot at the portal: conditional create, read, vread, update ({@code If-Match}), search by {@code
 * identifier}. Public because HAPI calls its methods by reflection.
 */
public final class SlotProvider implements IResourceProvider {
  private final VersionedStore<Slot> store;

  SlotProvider(VersionedStore<Slot> store) {
    this.store = store;
  }

  @Override
  public Class<Slot> getResourceType() {
    return Slot.class;
  }

  @Create
  public MethodOutcome create(
      @ResourceParam Slot resource, @ConditionalUrlParam String ifNoneExist) {
    return store.create(resource, ifNoneExist);
  }

  @Read(version = true)
  public Slot read(@IdParam IdType id) {
    return store.read(id);
  }

  @Update
  public MethodOutcome update(@IdParam IdType id, @ResourceParam Slot resource) {
    return store.update(id, resource);
  }

  @Search
  public List<Slot> search(@OptionalParam(name = "identifier") TokenParam identifier) {
    return store.search(identifier, null);
  }
}
