/**
 * HL7 v2.5.1 messages for a state immunization information system (IIS), as the CDC IIS
 * implementation guide shapes them.
 *
 * <p>{@link org.hms.sync.connector.iis.Vxu#build Vxu.build} turns one {@link
 * org.hms.sync.connector.iis.VaccinationRecord} into a VXU^V04; {@link
 * org.hms.sync.connector.iis.AckReader#read AckReader.read} judges the registry's ACK as {@link
 * org.hms.sync.connector.iis.AckResult.Accepted accepted}, {@link
 * org.hms.sync.connector.iis.AckResult.Rejected rejected} (permanent), {@link
 * org.hms.sync.connector.iis.AckResult.Refused refused} (retryable) or {@link
 * org.hms.sync.connector.iis.AckResult.Unreadable unreadable} (retryable). Transport (the CDC SOAP
 * web service) is not here. Only this package uses HAPI HL7v2, and it depends on no other package
 * of the project; {@code IisArchitectureTest} keeps it so.
 */
package org.hms.sync.connector.iis;
