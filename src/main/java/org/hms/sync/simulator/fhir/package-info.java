/**
 * The FHIR portal stand-in: {@link org.hms.sync.simulator.fhir.FhirPortal}, a HAPI FHIR R4 server
 * with in-memory, versioned Appointment and Slot resources, run by {@code hms-sync
 * simulate-portal} and the demo. It uses none of the fhir connector's classes.
 */
package org.hms.sync.simulator.fhir;
