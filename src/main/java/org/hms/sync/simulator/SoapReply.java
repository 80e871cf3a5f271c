package org.hms.sync.simulator;

import java.nio.charset.StandardCharsets;

/**
 * One HTTP answer of the SOAP endpoint.
 *
 * @param status HTTP status: 200, 400 for a Sender fault, 500 for a Receiver fault, 503 for an
 *     injected outage or failure
 * @param contentType the Content-Type header
 * @param body the response body
 */
record SoapReply(int status, String contentType, byte[] body) {

  static final String SOAP_12 = "application/soap+xml; charset=utf-8";

  static SoapReply unavailable(String text) {
    return new SoapReply(
        Outcome.UNAVAILABLE, "text/plain; charset=utf-8", text.getBytes(StandardCharsets.UTF_8));
  }
}
