package org.hms.sync.connector;

/**
 * What {@code hms-sync mapping test} prints for one event: the request exactly as it would be sent
 * (credentials masked) and, where the body is hard to read, the same content laid out for a reader.
 *
 * @param request method, URL, headers and body as sent
 * @param detail e.g. the HL7 message of a SOAP envelope one segment per line, or {@code null}
 */
public record Preview(OutboundRequest request, String detail) {}
