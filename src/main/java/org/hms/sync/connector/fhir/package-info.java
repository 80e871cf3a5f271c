/**
 * The {@code fhir} connector type: FHIR R4 Appointments (and Slots) at a FHIR server, with the
 * HAPI FHIR client.
 *
 * <p>{@link org.hms.sync.connector.fhir.FhirConnector} is the connector (push, preview, change
 * feed, listing for reconciliation); {@link org.hms.sync.connector.fhir.FhirExternalId} is the
 * external id it stores. Inside: {@code AppointmentResource} builds the resource, {@code
 * AppointmentPush} runs one attempt's calls, {@code AppointmentListing} reads a date search,
 * {@code FhirEndpoint} wraps the HAPI client, {@code Outcomes} judges failures. Only this
 * package uses HAPI FHIR and Apache HttpClient; {@code FhirArchitectureTest} keeps it so.
 */
package org.hms.sync.connector.fhir;
