package org.hms.sync.connector.iis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hms.sync.connector.iis.IisConnectors.completedEvent;
import static org.hms.sync.connector.iis.IisConnectors.connector;
import static org.hms.sync.connector.iis.IisConnectors.push;
import static org.hms.sync.connector.iis.IisConnectors.request;
import static org.hms.sync.connector.iis.IisTestServer.ack;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.hms.sync.connector.iis.IisTestServer.Issue;
import org.hms.sync.delivery.PushResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Answers of real registries that bend the CDC WSDL, served byte for byte by a local HTTP server:
 * the connector must read the registry's verdict from them instead of sending the dose again.
 */
class IisSoapRegistryQuirksTest {
  private static final String SOAP_11 = "http://schemas.xmlsoap.org/soap/envelope/";
  private static final String SOAP_12 = "http://www.w3.org/2003/05/soap-envelope";

  private IisTestServer registry;
  private IisSoapConnector connector;

  @BeforeEach
  void start() {
    registry = IisTestServer.start();
    connector = connector(registry.rawUri());
  }

  @AfterEach
  void stop() {
    registry.close();
  }

  @Test
  void a_soap_1_2_envelope_labelled_text_xml_is_read_and_its_ack_accepted() {
    registry.rawAnswer(
        200, "text/xml; charset=utf-8", envelope(SOAP_12, xmlText(firstAttemptAck("AA"))));

    PushResult result = push(connector, request(completedEvent(), null));

    assertThat(result).isInstanceOf(PushResult.Success.class);
    assertThat(((PushResult.Success) result).note()).contains("MSA-1 AA");
  }

  @Test
  void a_soap_1_1_envelope_labelled_application_soap_xml_is_read_and_its_ack_accepted() {
    registry.rawAnswer(
        200,
        "application/soap+xml; charset=utf-8",
        envelope(SOAP_11, xmlText(firstAttemptAck("AA"))));

    PushResult result = push(connector, request(completedEvent(), null));

    assertThat(result).isInstanceOf(PushResult.Success.class);
  }

  @Test
  void a_security_fault_answered_with_http_200_and_labelled_text_xml_is_still_a_security_fault() {
    registry.rawAnswer(
        200,
        "text/xml",
        "<env:Envelope xmlns:env=\"" + SOAP_12 + "\"><env:Body><env:Fault>"
            + "<env:Code><env:Value>env:Sender</env:Value></env:Code>"
            + "<env:Reason><env:Text xml:lang=\"en\">Security fault</env:Text></env:Reason>"
            + "<env:Detail><SecurityFault xmlns=\"urn:cdc:iisb:2011\"><Code>10</Code>"
            + "<Reason>Security</Reason><Detail>Invalid username or password</Detail>"
            + "</SecurityFault></env:Detail></env:Fault></env:Body></env:Envelope>");

    PushResult result = push(connector, request(completedEvent(), null));

    assertThat(result).isInstanceOf(PushResult.Permanent.class);
    assertThat(((PushResult.Permanent) result).errorClass()).isEqualTo("SecurityFault");
    assertThat(((PushResult.Permanent) result).reason()).contains("Invalid username or password");
  }

  @Test
  void an_ack_pretty_printed_on_indented_lines_inside_return_is_accepted() {
    String indented = "\n      " + firstAttemptAck("AA").replace("\r", "\n      ");
    registry.rawAnswer(
        200,
        "application/soap+xml; charset=utf-8",
        "\n" + envelope(SOAP_12, xmlText(indented)).replace("><", ">\n  <"));

    PushResult result = push(connector, request(completedEvent(), null));

    assertThat(result).isInstanceOf(PushResult.Success.class);
  }

  @Test
  void an_ack_returned_url_encoded_is_decoded_and_judged() {
    IisSoapConnector soap = connector(registry.uri());
    registry.answer(received -> URLEncoder.encode(ack(received, "AA"), StandardCharsets.UTF_8));

    PushResult result = push(soap, request(completedEvent(), null));

    assertThat(result).isInstanceOf(PushResult.Success.class);
    assertThat(registry.received()).hasSize(1);
  }

  @Test
  void an_ack_returned_base64_encoded_is_decoded_and_judged() {
    IisSoapConnector soap = connector(registry.uri());
    registry.answer(
        received ->
            Base64.getMimeEncoder()
                .encodeToString(
                    ack(received, "AE", new Issue("RXA", 5, "103", "x", "E", "Unknown CVX code"))
                        .getBytes(StandardCharsets.UTF_8)));

    PushResult result = push(soap, request(completedEvent(), null));

    assertThat(result).isInstanceOf(PushResult.Permanent.class);
    assertThat(((PushResult.Permanent) result).errorClass()).isEqualTo("AckRejected");
    assertThat(((PushResult.Permanent) result).reason()).contains("RXA-5", "Unknown CVX code");
  }

  /** The ACK an accepting registry sends for the first attempt of the sample delivery. */
  static String firstAttemptAck(String code) {
    return "MSH|^~\\&|MYIIS|MYSTATE|HMS-SYNC|CLINIC-0042|20270301090000-0600||ACK^V04^ACK|A-1|T"
        + "|2.5.1\rMSA|"
        + code
        + "|"
        + IisSoapConnector.controlId("delivery-event-3", 1)
        + "\r";
  }

  /** A submitSingleMessageResponse whose return holds {@code value} (already XML text). */
  static String envelope(String namespace, String value) {
    return "<?xml version=\"1.0\" encoding=\"utf-8\"?><s:Envelope xmlns:s=\""
        + namespace
        + "\"><s:Body><submitSingleMessageResponse xmlns=\"urn:cdc:iisb:2011\"><return>"
        + value
        + "</return></submitSingleMessageResponse></s:Body></s:Envelope>";
  }

  /** Text as XML character data, carriage returns as references (as SOAP stacks write them). */
  static String xmlText(String text) {
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        .replace("\r", "&#13;");
  }
}
