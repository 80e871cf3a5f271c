package org.hms.sync.connector.iis;

import static org.assertj.core.api.Assertions.assertThat;

import org.hms.sync.connector.iis.IisSoap.FaultKind;
import org.hms.sync.connector.iis.IisSoap.Reply;
import org.junit.jupiter.api.Test;

/** The envelopes the connector writes and the quirks of registries' answers it reads. */
class IisSoapTest {
  private static final String SOAP_12 = "application/soap+xml; charset=utf-8";

  @Test
  void the_content_type_carries_the_wsdl_action() {
    assertThat(IisSoap.contentType(IisSoap.SUBMIT_SINGLE_MESSAGE))
        .isEqualTo(
            "application/soap+xml; charset=utf-8;"
                + " action=\"urn:cdc:iisb:2011:submitSingleMessage\"");
  }

  @Test
  void values_are_escaped_and_segment_separators_survive_as_character_references() {
    String envelope = IisSoap.submitSingleMessage("a<b", "p&q", null, "MSH|^~\\&|X\rPID|1\r");

    assertThat(envelope)
        .contains("<iis:username>a&lt;b</iis:username>")
        .contains("<iis:password>p&amp;q</iis:password>")
        .contains("MSH|^~\\&amp;|X&#13;PID|1&#13;")
        .doesNotContain("facilityID");
  }

  @Test
  void a_returned_value_is_read_from_the_operations_response() {
    String body =
        envelope12(
            "<submitSingleMessageResponse xmlns=\"urn:cdc:iisb:2011\">"
                + "<return>MSH|^~\\&amp;|IIS&#13;MSA|AA|1&#13;</return>"
                + "</submitSingleMessageResponse>");

    Reply reply = IisSoap.read(SOAP_12, body, IisSoap.SUBMIT_SINGLE_MESSAGE);

    assertThat(reply).isEqualTo(new Reply.Returned("MSH|^~\\&|IIS\rMSA|AA|1\r"));
  }

  @Test
  void a_soap_1_2_envelope_labelled_text_xml_is_read_by_its_namespace() {
    String body =
        envelope12(
            "<submitSingleMessageResponse xmlns=\"urn:cdc:iisb:2011\">"
                + "<return>MSH|^~\\&amp;|IIS&#13;MSA|AA|1&#13;</return>"
                + "</submitSingleMessageResponse>");

    Reply reply = IisSoap.read("text/xml; charset=utf-8", body, IisSoap.SUBMIT_SINGLE_MESSAGE);

    assertThat(reply).isEqualTo(new Reply.Returned("MSH|^~\\&|IIS\rMSA|AA|1\r"));
  }

  @Test
  void a_soap_1_1_envelope_labelled_soap_xml_is_read_by_its_namespace() {
    String body =
        "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body>"
            + "<submitSingleMessageResponse xmlns=\"urn:cdc:iisb:2011\">"
            + "<return>MSH|^~\\&amp;|IIS&#13;MSA|AA|1&#13;</return>"
            + "</submitSingleMessageResponse></s:Body></s:Envelope>";

    Reply reply = IisSoap.read(SOAP_12, body, IisSoap.SUBMIT_SINGLE_MESSAGE);

    assertThat(reply).isEqualTo(new Reply.Returned("MSH|^~\\&|IIS\rMSA|AA|1\r"));
  }

  @Test
  void whitespace_before_the_xml_declaration_and_between_the_tags_is_tolerated() {
    String body =
        "\r\n  <?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
            + "<env:Envelope xmlns:env=\"http://www.w3.org/2003/05/soap-envelope\">\n"
            + "  <env:Header/>\n  <env:Body>\n"
            + "    <submitSingleMessageResponse xmlns=\"urn:cdc:iisb:2011\">\n"
            + "      <return>MSH|^~\\&amp;|IIS&#13;MSA|AA|1&#13;</return>\n"
            + "    </submitSingleMessageResponse>\n  </env:Body>\n</env:Envelope>\n";

    Reply reply = IisSoap.read(SOAP_12, body, IisSoap.SUBMIT_SINGLE_MESSAGE);

    assertThat(reply).isEqualTo(new Reply.Returned("MSH|^~\\&|IIS\rMSA|AA|1\r"));
  }

  @Test
  void a_return_in_cdata_or_wrapped_in_an_extra_element_gives_its_text() {
    String cdata =
        envelope12(
            "<submitSingleMessageResponse xmlns=\"urn:cdc:iisb:2011\">"
                + "<return><![CDATA[MSH|^~\\&|IIS\rMSA|AA|1\r]]></return>"
                + "</submitSingleMessageResponse>");
    String wrapped =
        envelope12(
            "<submitSingleMessageResponse xmlns=\"urn:cdc:iisb:2011\">"
                + "<return><ack>MSH|^~\\&amp;|IIS&#13;MSA|AA|1&#13;</ack></return>"
                + "</submitSingleMessageResponse>");

    // XML turns a raw carriage return into a line feed; the ACK reader takes either.
    assertThat(IisSoap.read(SOAP_12, cdata, IisSoap.SUBMIT_SINGLE_MESSAGE))
        .isEqualTo(new Reply.Returned("MSH|^~\\&|IIS\nMSA|AA|1\n"));
    assertThat(IisSoap.read(SOAP_12, wrapped, IisSoap.SUBMIT_SINGLE_MESSAGE))
        .isEqualTo(new Reply.Returned("MSH|^~\\&|IIS\rMSA|AA|1\r"));
  }

  @Test
  void xml_whose_root_is_not_a_soap_envelope_is_not_soap() {
    Reply reply =
        IisSoap.read(
            "text/xml",
            "<Envelope xmlns=\"urn:example:not-soap\"><Body/></Envelope>",
            IisSoap.SUBMIT_SINGLE_MESSAGE);

    assertThat(reply).isInstanceOf(Reply.NotSoap.class);
    assertThat(((Reply.NotSoap) reply).reason()).contains("urn:example:not-soap");
  }

  @Test
  void a_nil_or_missing_return_is_an_empty_value() {
    String nil =
        envelope12(
            "<submitSingleMessageResponse xmlns=\"urn:cdc:iisb:2011\">"
                + "<return xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\""
                + " xsi:nil=\"true\"/>"
                + "</submitSingleMessageResponse>");
    String missing =
        envelope12("<submitSingleMessageResponse xmlns=\"urn:cdc:iisb:2011\"/>");

    assertThat(IisSoap.read(SOAP_12, nil, IisSoap.SUBMIT_SINGLE_MESSAGE))
        .isEqualTo(new Reply.Returned(""));
    assertThat(IisSoap.read(SOAP_12, missing, IisSoap.SUBMIT_SINGLE_MESSAGE))
        .isEqualTo(new Reply.Returned(""));
  }

  @Test
  void a_response_to_another_operation_is_not_taken_for_an_answer() {
    String body =
        envelope12(
            "<connectivityTestResponse xmlns=\"urn:cdc:iisb:2011\"><return>x</return>"
                + "</connectivityTestResponse>");

    Reply reply = IisSoap.read(SOAP_12, body, IisSoap.SUBMIT_SINGLE_MESSAGE);

    assertThat(reply).isInstanceOf(Reply.NotSoap.class);
    assertThat(((Reply.NotSoap) reply).reason()).contains("submitSingleMessageResponse");
  }

  @Test
  void a_soap_1_1_fault_with_the_wsdl_detail_is_read_too() {
    String body =
        "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body><s:Fault>"
            + "<faultcode>s:Client</faultcode><faultstring>Bad login</faultstring><detail>"
            + "<SecurityFault xmlns=\"urn:cdc:iisb:2011\"><Code>10</Code><Reason>Security</Reason>"
            + "<Detail>Password expired</Detail></SecurityFault></detail></s:Fault></s:Body>"
            + "</s:Envelope>";

    Reply reply = IisSoap.read("text/xml; charset=utf-8", body, IisSoap.SUBMIT_SINGLE_MESSAGE);

    assertThat(reply)
        .isEqualTo(
            new Reply.Faulted(
                new IisSoap.Fault(
                    FaultKind.SECURITY, "Client", "Bad login", "10", "Security",
                    "Password expired")));
  }

  @Test
  void a_fault_without_a_declared_detail_is_judged_by_its_code() {
    String sender =
        envelope12(
            "<env:Fault><env:Code><env:Value>env:Sender</env:Value></env:Code>"
                + "<env:Reason><env:Text xml:lang=\"en\">Malformed</env:Text></env:Reason>"
                + "</env:Fault>");

    Reply reply = IisSoap.read(SOAP_12, sender, IisSoap.SUBMIT_SINGLE_MESSAGE);

    IisSoap.Fault fault = ((Reply.Faulted) reply).fault();
    assertThat(fault.kind()).isEqualTo(FaultKind.UNDECLARED);
    assertThat(fault.code()).isEqualTo("Sender");
    assertThat(fault.reason()).isEqualTo("Malformed");
    assertThat(fault.blamesTheRequest()).isTrue();
  }

  @Test
  void a_document_type_declaration_is_refused_not_resolved() {
    String body =
        "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>"
            + envelope12(
                "<submitSingleMessageResponse xmlns=\"urn:cdc:iisb:2011\"><return>&e;</return>"
                    + "</submitSingleMessageResponse>");

    Reply reply = IisSoap.read(SOAP_12, body, IisSoap.SUBMIT_SINGLE_MESSAGE);

    assertThat(reply).isInstanceOf(Reply.NotSoap.class);
    assertThat(((Reply.NotSoap) reply).reason()).contains("not shown");
  }

  @Test
  void an_html_error_page_is_not_soap_and_is_not_quoted() {
    Reply reply =
        IisSoap.read("text/html", "<html>Internal error</html>", IisSoap.SUBMIT_SINGLE_MESSAGE);

    assertThat(reply).isInstanceOf(Reply.NotSoap.class);
    assertThat(((Reply.NotSoap) reply).reason()).doesNotContain("Internal error");
  }

  private static String envelope12(String body) {
    return "<env:Envelope xmlns:env=\"http://www.w3.org/2003/05/soap-envelope\"><env:Body>"
        + body
        + "</env:Body></env:Envelope>";
  }
}
