package org.hms.sync.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.hl7v2.DefaultHapiContext;
import ca.uhn.hl7v2.HL7Exception;
import ca.uhn.hl7v2.HapiContext;
import ca.uhn.hl7v2.util.Terser;
import ca.uhn.hl7v2.validation.impl.ValidationContextFactory;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.xml.soap.DetailEntry;
import jakarta.xml.soap.MessageFactory;
import jakarta.xml.soap.MimeHeaders;
import jakarta.xml.soap.Node;
import jakarta.xml.soap.SOAPBody;
import jakarta.xml.soap.SOAPConstants;
import jakarta.xml.soap.SOAPElement;
import jakarta.xml.soap.SOAPFault;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The simulator's CDC IIS SOAP service, spoken to with hand-written envelopes and VXUs, and its
 * ACKs read back with HAPI: what it takes, what it rejects and how.
 */
class IisSimulatorSoapTest {

  private static final String NAMESPACE = "urn:cdc:iisb:2011";
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final HapiContext HAPI = hapi();

  private final IisSimulator simulator = IisSimulator.start(SimulatorOptions.defaults());

  @AfterEach
  void stop() {
    simulator.close();
  }

  /** An HTTP answer: status, Content-Type, Retry-After, body. */
  record Answer(int status, String contentType, String retryAfter, String body) {}

  // ---- accepted ----

  @Test
  void a_vxu_is_acknowledged_aa_with_msa_2_echoing_msh_10_and_held_as_added() throws Exception {
    Answer answer = submit(vxu("CTRL-1", order("V-1", "208", "LOT-1", "A")));

    assertThat(answer.status()).isEqualTo(200);
    assertThat(answer.contentType()).startsWith("application/soap+xml");
    Terser ack = ack(answer);
    assertThat(ack.get("/MSH-9-1")).isEqualTo("ACK");
    assertThat(ack.get("/MSA-1")).isEqualTo("AA");
    assertThat(ack.get("/MSA-2")).isEqualTo("CTRL-1");
    assertThat(simulator.vaccinations())
        .containsExactly(new Vaccination("V-1", "208", "LOT-1", "A", 1, false));
  }

  @Test
  void segments_separated_by_line_feeds_are_read_as_well() throws Exception {
    Answer answer = submit(vxu("CTRL-2", order("V-2", "208", null, "")).replace('\r', '\n'));

    assertThat(ack(answer).get("/MSA-1")).isEqualTo("AA");
    assertThat(simulator.vaccinations())
        .as("an empty RXA-21 is an add, as HL7 says")
        .containsExactly(new Vaccination("V-2", "208", null, "A", 1, false));
  }

  @Test
  void the_vaccinations_are_listed_under_sim_and_counted_in_the_stats() throws Exception {
    submit(vxu("CTRL-1", order("V-1", "208", "LOT-1", "A")));
    submit(vxu("CTRL-2", order("V-1", "208", "LOT-1", "D")));

    JsonNode listed = getJson("/sim/vaccinations").path("vaccinations");

    assertThat(listed).hasSize(1);
    assertThat(listed.get(0).path("vaccinationId").asText()).isEqualTo("V-1");
    assertThat(listed.get(0).path("cvxCode").asText()).isEqualTo("208");
    assertThat(listed.get(0).path("lotNumber").asText()).isEqualTo("LOT-1");
    assertThat(listed.get(0).path("lastAction").asText()).isEqualTo("D");
    assertThat(listed.get(0).path("messages").asInt()).isEqualTo(2);
    assertThat(listed.get(0).path("deleted").asBoolean()).isTrue();
    assertThat(getJson("/sim/stats").path("vaccinations").asInt()).isEqualTo(1);
  }

  @Test
  void reset_forgets_the_vaccinations() throws Exception {
    submit(vxu("CTRL-1", order("V-1", "208", "LOT-1", "A")));

    simulator.reset();

    assertThat(simulator.vaccinations()).isEmpty();
    assertThat(ack(submit(vxu("CTRL-2", order("V-1", "208", "LOT-1", "U")))).get("/MSA-1"))
        .as("an update of a forgotten record")
        .isEqualTo("AE");
  }

  // ---- rejected with AE ----

  @Test
  void a_vxu_without_a_cvx_code_is_rejected_with_an_err_at_rxa_5() throws Exception {
    Terser ack = ack(submit(vxu("CTRL-3", order("V-3", "", "LOT-3", "A"))));

    assertThat(ack.get("/MSA-1")).isEqualTo("AE");
    assertThat(ack.get("/MSA-2")).isEqualTo("CTRL-3");
    assertThat(ack.get("/ERR-2-1")).isEqualTo("RXA");
    assertThat(ack.get("/ERR-2-2")).isEqualTo("1");
    assertThat(ack.get("/ERR-2-3")).isEqualTo("5");
    assertThat(ack.get("/ERR-3-1")).isEqualTo("101");
    assertThat(ack.get("/ERR-3-3")).isEqualTo("HL70357");
    assertThat(ack.get("/ERR-4")).isEqualTo("E");
    assertThat(ack.get("/ERR-8")).contains("CVX");
    assertThat(simulator.vaccinations()).isEmpty();
  }

  @Test
  void an_update_or_a_delete_of_an_orc_3_never_added_is_rejected_as_an_unknown_key()
      throws Exception {
    for (String action : List.of("U", "D")) {
      Terser ack = ack(submit(vxu("CTRL-" + action, order("V-9", "208", "LOT-9", action))));

      assertThat(ack.get("/MSA-1")).as(action).isEqualTo("AE");
      assertThat(ack.get("/ERR-2-1")).isEqualTo("ORC");
      assertThat(ack.get("/ERR-2-3")).isEqualTo("3");
      assertThat(ack.get("/ERR-3-1")).isEqualTo("204");
      assertThat(ack.get("/ERR-8")).contains("RXA-21 is " + action).contains("'V-9'");
    }
    assertThat(simulator.vaccinations()).isEmpty();
  }

  @Test
  void an_action_code_other_than_a_u_or_d_is_rejected() throws Exception {
    Terser ack = ack(submit(vxu("CTRL-4", order("V-4", "208", "LOT-4", "X"))));

    assertThat(ack.get("/MSA-1")).isEqualTo("AE");
    assertThat(ack.get("/ERR-2-1")).isEqualTo("RXA");
    assertThat(ack.get("/ERR-2-3")).isEqualTo("21");
    assertThat(ack.get("/ERR-3-1")).isEqualTo("103");
  }

  @Test
  void a_vxu_without_orc_3_is_rejected() throws Exception {
    Terser ack = ack(submit(vxu("CTRL-5", order("", "208", "LOT-5", "A"))));

    assertThat(ack.get("/MSA-1")).isEqualTo("AE");
    assertThat(ack.get("/ERR-2-1")).isEqualTo("ORC");
    assertThat(ack.get("/ERR-2-3")).isEqualTo("3");
    assertThat(ack.get("/ERR-3-1")).isEqualTo("101");
  }

  @Test
  void another_message_type_is_rejected_at_msh_9() throws Exception {
    String adt =
        vxu("CTRL-6", order("V-6", "208", "LOT-6", "A"))
            .replace("VXU^V04^VXU_V04", "ADT^A01^ADT_A01");

    Terser ack = ack(submit(adt));

    assertThat(ack.get("/MSA-1")).isEqualTo("AE");
    assertThat(ack.get("/MSA-2")).isEqualTo("CTRL-6");
    assertThat(ack.get("/ERR-2-1")).isEqualTo("MSH");
    assertThat(ack.get("/ERR-2-3")).isEqualTo("9");
    assertThat(ack.get("/ERR-3-1")).isEqualTo("200");
    assertThat(simulator.vaccinations()).isEmpty();
  }

  @Test
  void one_bad_order_rejects_the_whole_vxu_and_changes_nothing() throws Exception {
    String twoOrders =
        vxu("CTRL-7", order("V-7", "208", "LOT-7", "A"), order("V-8", "", "LOT-8", "A"));

    Terser ack = ack(submit(twoOrders));

    assertThat(ack.get("/MSA-1")).isEqualTo("AE");
    assertThat(ack.get("/ERR-2-1")).isEqualTo("RXA");
    assertThat(ack.get("/ERR-2-2")).as("the second ORDER's RXA").isEqualTo("2");
    assertThat(simulator.vaccinations()).isEmpty();
  }

  @Test
  void text_that_is_no_hl7_message_is_answered_ae() throws Exception {
    Terser ack = ack(submit("Dear registry, please record a dose for Jane Doe."));

    assertThat(ack.get("/MSA-1")).isEqualTo("AE");
    assertThat(ack.get("/ERR-3-1")).isEqualTo("100");
    assertThat(ack.get("/ERR-8")).contains("not a readable HL7 v2 message").doesNotContain("Jane");
  }

  // ---- SOAP ----

  @Test
  void connectivity_test_echoes_what_it_was_sent() throws Exception {
    Answer answer =
        post(
            envelope(
                "<iis:connectivityTest><iis:echoBack>ping-42</iis:echoBack>"
                    + "</iis:connectivityTest>"));

    assertThat(answer.status()).isEqualTo(200);
    assertThat(returned(answer, "connectivityTestResponse"))
        .isEqualTo("End-point is ready. Echoing: ping-42");
  }

  @Test
  void wrong_or_missing_credentials_get_a_security_fault_when_credentials_are_required()
      throws Exception {
    try (IisSimulator guarded =
        IisSimulator.start(
            SimulatorOptions.defaults().withRequiredCredentials("clinic-user", "s3cret"))) {
      String vxu = vxu("CTRL-8", order("V-8", "208", "LOT-8", "A"));

      Answer wrong = post(guarded, submitEnvelope("clinic-user", "guess", vxu));
      Answer missing = post(guarded, submitEnvelope(null, null, vxu));
      Answer right = post(guarded, submitEnvelope("clinic-user", "s3cret", vxu));

      for (Answer refused : List.of(wrong, missing)) {
        assertThat(refused.status()).isEqualTo(400);
        SOAPFault fault = fault(refused);
        assertThat(fault.getFaultCodeAsQName().getLocalPart()).isEqualTo("Sender");
        assertThat(detailEntry(fault).getElementQName().getLocalPart()).isEqualTo("SecurityFault");
        assertThat(detailEntry(fault).getElementQName().getNamespaceURI()).isEqualTo(NAMESPACE);
        assertThat(refused.body()).doesNotContain("s3cret");
      }
      assertThat(ack(right).get("/MSA-1")).isEqualTo("AA");
      assertThat(guarded.vaccinations()).hasSize(1);
    }
  }

  @Test
  void an_operation_the_service_lacks_gets_an_unsupported_operation_fault() throws Exception {
    Answer answer =
        post(envelope("<iis:submitBatch><iis:hl7Batch>x</iis:hl7Batch></iis:submitBatch>"));

    assertThat(answer.status()).isEqualTo(400);
    SOAPFault fault = fault(answer);
    assertThat(detailEntry(fault).getElementQName().getLocalPart())
        .isEqualTo("UnsupportedOperationFault");
  }

  @Test
  void a_body_that_is_no_soap_envelope_gets_a_sender_fault() throws Exception {
    Answer answer = post("{\"not\": \"soap\"}");

    assertThat(answer.status()).isEqualTo(400);
    assertThat(fault(answer).getFaultCodeAsQName().getLocalPart()).isEqualTo("Sender");
    assertThat(fault(answer).getFaultString()).contains("not a SOAP 1.2 envelope");
  }

  @Test
  void submit_single_message_without_hl7_message_gets_a_sender_fault() throws Exception {
    Answer answer = post(submitEnvelope("u", "p", null));

    assertThat(answer.status()).isEqualTo(400);
    assertThat(fault(answer).getFaultString()).contains("no hl7Message");
  }

  // ---- faults ----

  @Test
  void while_down_soap_requests_are_answered_503_with_retry_after_and_nothing_is_applied()
      throws Exception {
    simulator.goDown(Duration.ofHours(1));

    Answer answer = submit(vxu("CTRL-9", order("V-9", "208", "LOT-9", "A")));

    assertThat(answer.status()).isEqualTo(503);
    assertThat(answer.retryAfter()).isEqualTo("1");
    assertThat(simulator.vaccinations()).isEmpty();
  }

  @Test
  void a_fail_rate_of_one_fails_every_soap_request_with_503() throws Exception {
    simulator.setFailRate(1.0);

    Answer answer = submit(vxu("CTRL-10", order("V-10", "208", "LOT-10", "A")));

    assertThat(answer.status()).isEqualTo(503);
    assertThat(simulator.vaccinations()).isEmpty();
  }

  // ---------------------------------------------------------------------------------------------

  /** MSH, PID and the orders, segments separated by {@code \r}. */
  private static String vxu(String controlId, String... orders) {
    String msh =
        "MSH|^~\\&|HMS-SYNC|CLINIC-0042|MYIIS|MYSTATE|20270301150000+0000||VXU^V04^VXU_V04|"
            + controlId
            + "|T|2.5.1|||ER|AL|||||Z22^CDCPHINVS";
    String pid = "PID|1||MRN-7^^^HMS^MR||Doe^Jane^^^^^L||19900101|F";
    return String.join("\r", msh, pid, String.join("\r", orders));
  }

  /** ORC and RXA of one vaccination; an empty value leaves its field empty. */
  private static String order(String orc3, String cvx, String lot, String action) {
    String orc = "ORC|RE||" + (orc3.isEmpty() ? "" : orc3 + "^HMS-SYNC");
    String rxa =
        String.join(
            "|",
            "RXA",
            "0",
            "1",
            "20270301090700",
            "20270301090700",
            cvx.isEmpty() ? "" : cvx + "^COVID-19 vaccine^CVX",
            "0.3",
            "mL^^UCUM",
            "",
            "00^New immunization record^NIP001",
            "",
            "",
            "",
            "",
            "",
            lot == null ? "" : lot,
            "",
            "",
            "",
            "",
            "CP",
            action);
    return orc + "\r" + rxa;
  }

  private Answer submit(String hl7) throws Exception {
    return post(submitEnvelope("clinic-user", "pw", hl7));
  }

  private static String submitEnvelope(String username, String password, String hl7) {
    StringBuilder operation = new StringBuilder("<iis:submitSingleMessage>");
    if (username != null) {
      operation.append("<iis:username>").append(username).append("</iis:username>");
    }
    if (password != null) {
      operation.append("<iis:password>").append(password).append("</iis:password>");
    }
    operation.append("<iis:facilityID>FAC-12</iis:facilityID>");
    if (hl7 != null) {
      operation.append("<iis:hl7Message>").append(xmlText(hl7)).append("</iis:hl7Message>");
    }
    return envelope(operation.append("</iis:submitSingleMessage>").toString());
  }

  private static String envelope(String operation) {
    return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
        + "<soap:Envelope xmlns:soap=\"http://www.w3.org/2003/05/soap-envelope\""
        + " xmlns:iis=\""
        + NAMESPACE
        + "\"><soap:Body>"
        + operation
        + "</soap:Body></soap:Envelope>";
  }

  /** Escaped for XML text; {@code \r} as a character reference, so it survives parsing. */
  private static String xmlText(String text) {
    return text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\r", "&#13;");
  }

  private Answer post(String body) throws Exception {
    return post(simulator, body);
  }

  private static Answer post(IisSimulator target, String body) throws Exception {
    HttpResponse<String> response =
        HTTP.send(
            HttpRequest.newBuilder(target.soapUrl())
                .timeout(Duration.ofSeconds(10))
                .header(
                    "Content-Type",
                    "application/soap+xml; charset=utf-8;"
                        + " action=\"urn:cdc:iisb:2011:submitSingleMessage\"")
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
                .build(),
            HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    return new Answer(
        response.statusCode(),
        response.headers().firstValue("Content-Type").orElse(""),
        response.headers().firstValue("Retry-After").orElse(null),
        response.body());
  }

  private JsonNode getJson(String path) throws Exception {
    HttpResponse<String> response =
        HTTP.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + simulator.port() + path))
                .timeout(Duration.ofSeconds(10))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    return new ObjectMapper().readTree(response.body());
  }

  /** The ACK in submitSingleMessageResponse/return, read with HAPI. */
  private static Terser ack(Answer answer) throws Exception {
    assertThat(answer.status()).as(answer.body()).isEqualTo(200);
    String ack = returned(answer, "submitSingleMessageResponse");
    try {
      synchronized (HAPI) {
        return new Terser(HAPI.getPipeParser().parse(ack));
      }
    } catch (HL7Exception unreadable) {
      throw new AssertionError(
          "the simulator answered an ACK HAPI cannot read: " + ack, unreadable);
    }
  }

  private static String returned(Answer answer, String responseElement) throws Exception {
    SOAPBody body = soapBody(answer);
    SOAPElement response = child(body, responseElement);
    assertThat(response.getElementQName().getNamespaceURI()).isEqualTo(NAMESPACE);
    SOAPElement value = child(response, "return");
    assertThat(value.getElementQName().getNamespaceURI()).isEqualTo(NAMESPACE);
    return value.getTextContent();
  }

  private static SOAPFault fault(Answer answer) throws Exception {
    SOAPBody body = soapBody(answer);
    assertThat(body.hasFault()).as(answer.body()).isTrue();
    return body.getFault();
  }

  private static DetailEntry detailEntry(SOAPFault fault) {
    Iterator<DetailEntry> entries = fault.getDetail().getDetailEntries();
    assertThat(entries.hasNext()).as("the fault has a detail entry").isTrue();
    return entries.next();
  }

  private static SOAPBody soapBody(Answer answer) throws Exception {
    MimeHeaders headers = new MimeHeaders();
    headers.addHeader("Content-Type", answer.contentType());
    return MessageFactory.newInstance(SOAPConstants.SOAP_1_2_PROTOCOL)
        .createMessage(
            headers, new ByteArrayInputStream(answer.body().getBytes(StandardCharsets.UTF_8)))
        .getSOAPBody();
  }

  private static SOAPElement child(SOAPElement parent, String localName) {
    Iterator<Node> children = parent.getChildElements();
    while (children.hasNext()) {
      if (children.next() instanceof SOAPElement element
          && element.getElementQName().getLocalPart().equals(localName)) {
        return element;
      }
    }
    throw new AssertionError("no " + localName + " element in " + parent.getElementQName());
  }

  private static HapiContext hapi() {
    HapiContext context = new DefaultHapiContext();
    context.setValidationContext(ValidationContextFactory.noValidation());
    return context;
  }
}
