/**
 * The {@code iis-soap} connector: doses reported to a state immunization information system (IIS)
 * as HL7 v2.5.1 VXU^V04 over the CDC IIS 2011 SOAP web service, as the CDC IIS implementation
 * guide shapes them.
 *
 * <p>{@link org.hms.sync.connector.iis.IisSoapConnector} is the connector (push, preview,
 * connectivityTest health check); {@code VaccinationInput} reads the dose out of an outbox event
 * and {@code IisSoap} writes and reads the SOAP 1.2 envelopes (SAAJ).
 *
 * <p>The HL7 messages beneath it know nothing of the rest of the project: {@link
 * org.hms.sync.connector.iis.Vxu#build Vxu.build} turns one {@link
 * org.hms.sync.connector.iis.VaccinationRecord} into a VXU^V04; {@link
 * org.hms.sync.connector.iis.AckReader#read AckReader.read} judges the registry's ACK as {@link
 * org.hms.sync.connector.iis.AckResult.Accepted accepted}, {@link
 * org.hms.sync.connector.iis.AckResult.Rejected rejected} (permanent), {@link
 * org.hms.sync.connector.iis.AckResult.Refused refused} (retryable) or {@link
 * org.hms.sync.connector.iis.AckResult.Unreadable unreadable} (the registry may have taken the
 * dose: resent at most {@code iis.unreadableAckRetries} times, then dead-lettered with the answer,
 * patient data masked by {@code MaskedAnswer}). Only this package uses
 * HAPI HL7v2 and SAAJ, and only its connector classes depend on other packages of the project;
 * {@code IisArchitectureTest} keeps it so.
 */
package org.hms.sync.connector.iis;
