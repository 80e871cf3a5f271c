package org.hms.sync.connector.iis;

import ca.uhn.hl7v2.DefaultHapiContext;
import ca.uhn.hl7v2.HL7Exception;
import ca.uhn.hl7v2.HapiContext;
import ca.uhn.hl7v2.model.Message;
import ca.uhn.hl7v2.model.v251.message.ACK;
import ca.uhn.hl7v2.model.v251.segment.ERR;
import ca.uhn.hl7v2.util.Terser;
import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import jakarta.jws.WebService;
import jakarta.xml.soap.Detail;
import jakarta.xml.soap.SOAPConstants;
import jakarta.xml.soap.SOAPElement;
import jakarta.xml.soap.SOAPException;
import jakarta.xml.soap.SOAPFactory;
import jakarta.xml.soap.SOAPFault;
import jakarta.xml.ws.BindingType;
import jakarta.xml.ws.Endpoint;
import jakarta.xml.ws.soap.SOAPBinding;
import jakarta.xml.ws.soap.SOAPFaultException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import javax.xml.namespace.QName;
import org.hms.sync.connector.iis.wsdl.IISPortType;
import org.hms.sync.connector.iis.wsdl.MessageTooLargeFault2011Type;
import org.hms.sync.connector.iis.wsdl.MessageTooLargeFaultMessage;
import org.hms.sync.connector.iis.wsdl.ObjectFactory;
import org.hms.sync.connector.iis.wsdl.SecurityFault2011Type;
import org.hms.sync.connector.iis.wsdl.SecurityFaultMessage;
import org.hms.sync.connector.iis.wsdl.SoapFaultType;
import org.hms.sync.connector.iis.wsdl.UnknownFaultMessage;

/**
 * A stand-in state registry: the CDC IIS 2011 SOAP service, generated from {@code
 * wsdl/cdc-iis-2011.wsdl} (JAX-WS RI, SOAP 1.2) and published on a free loopback port with the
 * JDK's HTTP server. It records every submitSingleMessage and answers as the test tells it: an
 * ACK built with HAPI from the VXU it received, one of the WSDL's faults, an answer held back past
 * the client's timeout, or any text.
 *
 * <p>Beside the service, {@link #rawUri()} answers plain HTTP as told, for what no SOAP stack
 * would send (a 503 page, an empty 200).
 */
final class IisTestServer implements AutoCloseable {

  /** HAPI with its default validation: the registry reads our VXU independently of our code. */
  private static final HapiContext HAPI = inMemoryIds(new DefaultHapiContext());

  /** HAPI's default id generator keeps a counter in a file "id_file" in the working directory. */
  private static HapiContext inMemoryIds(HapiContext context) {
    context.getParserConfiguration().setIdGenerator(new ca.uhn.hl7v2.util.idgenerator.InMemoryIDGenerator());
    return context;
  }

  /** One submitSingleMessage as it arrived. */
  record Received(String username, String password, String facilityId, String hl7Message) {
    /** The VXU read back by HAPI (default validation), to assert on with Terser paths. */
    Terser vxu() {
      try {
        return new Terser(parsed());
      } catch (HL7Exception e) {
        throw new AssertionError("the registry could not read the VXU it received", e);
      }
    }

    Message parsed() throws HL7Exception {
      synchronized (HAPI) {
        return HAPI.getPipeParser().parse(hl7Message);
      }
    }
  }

  /** How the registry answers one submitSingleMessage: the text of {@code return}, or a fault. */
  @FunctionalInterface
  interface Answer {
    String answer(Received received) throws Exception;
  }

  /** A plain HTTP answer on {@link #rawUri()}. */
  record RawAnswer(int status, String contentType, String body) {}

  /** A request to {@link #rawUri()}, byte for byte as sent. */
  record RawRequest(String method, String contentType, String authorization, String body) {}

  private final HttpServer http;
  private final ExecutorService executor = Executors.newCachedThreadPool();
  private final Endpoint endpoint;
  private final Registry registry = new Registry();
  private final CountDownLatch release = new CountDownLatch(1);
  private final List<RawRequest> rawRequests = new CopyOnWriteArrayList<>();
  private volatile RawAnswer raw = new RawAnswer(503, "text/html", "<h1>Service Unavailable</h1>");

  private IisTestServer() throws IOException {
    http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    http.setExecutor(executor);
    endpoint = Endpoint.create(SOAPBinding.SOAP12HTTP_BINDING, registry);
    endpoint.setExecutor(executor);
    HttpContext service = http.createContext("/IISService");
    endpoint.publish(service);
    http.createContext("/raw", this::raw);
    http.start();
  }

  static IisTestServer start() {
    try {
      return new IisTestServer();
    } catch (IOException e) {
      throw new AssertionError("could not start the stand-in registry", e);
    }
  }

  /** The SOAP endpoint: the connector's baseUrl. */
  URI uri() {
    return URI.create("http://127.0.0.1:" + http.getAddress().getPort() + "/IISService");
  }

  /** A plain HTTP endpoint that answers {@link #rawAnswer}. */
  URI rawUri() {
    return URI.create("http://127.0.0.1:" + http.getAddress().getPort() + "/raw");
  }

  /** The service's WSDL as the JAX-WS runtime publishes it. */
  URI wsdlUri() {
    return URI.create(uri() + "?wsdl");
  }

  IisTestServer answer(Answer answer) {
    registry.answer = answer;
    return this;
  }

  IisTestServer rawAnswer(int status, String contentType, String body) {
    raw = new RawAnswer(status, contentType, body);
    return this;
  }

  List<Received> received() {
    return List.copyOf(registry.received);
  }

  Received lastReceived() {
    List<Received> all = received();
    if (all.isEmpty()) {
      throw new AssertionError("the registry received no submitSingleMessage");
    }
    return all.get(all.size() - 1);
  }

  List<RawRequest> rawRequests() {
    return List.copyOf(rawRequests);
  }

  List<String> connectivityTests() {
    return List.copyOf(registry.connectivityTests);
  }

  /** Answers with nothing until the server closes: longer than any client timeout in a test. */
  Answer holdBack() {
    return received -> {
      release.await(30, TimeUnit.SECONDS);
      return ack(received, "AA");
    };
  }

  @Override
  public void close() {
    release.countDown();
    endpoint.stop();
    http.stop(0);
    executor.shutdownNow();
  }

  // ---------------------------------------------------------------------------------------------
  // ACKs, built with HAPI from the VXU received

  /** An ACK of the received VXU: MSA-1 {@code code}, MSA-2 its MSH-10. */
  static String ack(Received received, String code, Issue... issues) throws Exception {
    return ack(received, code, null, issues);
  }

  /** The same with MSA-2 replaced (null keeps the echo). */
  static String ack(Received received, String code, String msa2, Issue... issues)
      throws Exception {
    ACK ack = (ACK) received.parsed().generateACK();
    ack.getMSA().getMsa1_AcknowledgmentCode().setValue(code);
    if (msa2 != null) {
      ack.getMSA().getMsa2_MessageControlID().setValue(msa2);
    }
    for (int index = 0; index < issues.length; index++) {
      issues[index].writeTo(ack.getERR(index));
    }
    return ack.encode();
  }

  /**
   * One ERR segment: ERR-2 location, ERR-3 HL7 code and text, ERR-4 severity, ERR-8 message.
   *
   * @param field the field number within the segment, e.g. 5 for RXA-5
   */
  record Issue(
      String segment, int field, String code, String text, String severity, String message) {
    void writeTo(ERR err) throws HL7Exception {
      err.getErr2_ErrorLocation(0).getSegmentID().setValue(segment);
      err.getErr2_ErrorLocation(0).getSegmentSequence().setValue("1");
      err.getErr2_ErrorLocation(0).getFieldPosition().setValue(String.valueOf(field));
      err.getErr3_HL7ErrorCode().getIdentifier().setValue(code);
      err.getErr3_HL7ErrorCode().getText().setValue(text);
      err.getErr3_HL7ErrorCode().getNameOfCodingSystem().setValue("HL70357");
      err.getErr4_Severity().setValue(severity);
      err.getErr8_UserMessage().setValue(message);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // the WSDL's faults

  private static final ObjectFactory TYPES = new ObjectFactory();

  static Answer securityFault() {
    return received -> {
      SecurityFault2011Type detail = new SecurityFault2011Type();
      detail.setCode(TYPES.createSecurityFault2011TypeCode(BigInteger.valueOf(10)));
      detail.setReason(TYPES.createSecurityFault2011TypeReason("Security"));
      detail.setDetail(TYPES.createSecurityFault2011TypeDetail("Invalid username or password"));
      throw new SecurityFaultMessage("Security fault", detail);
    };
  }

  static Answer messageTooLargeFault() {
    return received -> {
      MessageTooLargeFault2011Type detail = new MessageTooLargeFault2011Type();
      detail.setCode(TYPES.createMessageTooLargeFault2011TypeCode(BigInteger.valueOf(20)));
      detail.setReason(TYPES.createMessageTooLargeFault2011TypeReason("Message too large"));
      detail.setDetail(TYPES.createMessageTooLargeFault2011TypeDetail("Limit is 64 bytes"));
      throw new MessageTooLargeFaultMessage("Message too large", detail);
    };
  }

  static Answer unknownFault() {
    return received -> {
      SoapFaultType detail = new SoapFaultType();
      detail.setCode(TYPES.createSoapFaultTypeCode(BigInteger.valueOf(99)));
      detail.setReason(TYPES.createSoapFaultTypeReason("Unknown"));
      detail.setDetail(TYPES.createSoapFaultTypeDetail("Database connection lost"));
      throw new UnknownFaultMessage("Unknown fault", detail);
    };
  }

  /**
   * The WSDL declares UnsupportedOperationFault only for connectivityTest, so JAX-WS cannot throw
   * it from submitSingleMessage; registries send it anyway. Built by hand with SAAJ, same shape.
   */
  static Answer unsupportedOperationFault() {
    return received -> {
      throw wsdlShapedFault(
          "UnsupportedOperationFault", "30", "Unsupported operation", "Not implemented");
    };
  }

  private static SOAPFaultException wsdlShapedFault(
      String element, String code, String reason, String text) throws SOAPException {
    SOAPFactory factory = SOAPFactory.newInstance(SOAPConstants.SOAP_1_2_PROTOCOL);
    SOAPFault fault =
        factory.createFault(reason, new QName(SOAPConstants.URI_NS_SOAP_1_2_ENVELOPE, "Sender"));
    Detail detail = fault.addDetail();
    SOAPElement entry = detail.addDetailEntry(new QName(IisSoap.NAMESPACE, element, "iis"));
    entry.addChildElement(new QName(IisSoap.NAMESPACE, "Code", "iis")).addTextNode(code);
    entry.addChildElement(new QName(IisSoap.NAMESPACE, "Reason", "iis")).addTextNode(reason);
    entry.addChildElement(new QName(IisSoap.NAMESPACE, "Detail", "iis")).addTextNode(text);
    return new SOAPFaultException(fault);
  }

  // ---------------------------------------------------------------------------------------------

  private void raw(HttpExchange exchange) throws IOException {
    try (InputStream body = exchange.getRequestBody()) {
      rawRequests.add(
          new RawRequest(
              exchange.getRequestMethod(),
              exchange.getRequestHeaders().getFirst("Content-Type"),
              exchange.getRequestHeaders().getFirst("Authorization"),
              new String(body.readAllBytes(), StandardCharsets.UTF_8)));
    }
    RawAnswer answer = raw;
    byte[] bytes = answer.body().getBytes(StandardCharsets.UTF_8);
    if (answer.contentType() != null) {
      exchange.getResponseHeaders().add("Content-Type", answer.contentType());
    }
    exchange.sendResponseHeaders(answer.status(), bytes.length == 0 ? -1 : bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  /** The service implementation, bound to the interface wsimport generated from the WSDL. */
  @WebService(
      endpointInterface = "org.hms.sync.connector.iis.wsdl.IISPortType",
      targetNamespace = "urn:cdc:iisb:2011",
      serviceName = "client_Service",
      portName = "client_Port_Soap12",
      wsdlLocation = "wsdl/cdc-iis-2011.wsdl")
  @BindingType(SOAPBinding.SOAP12HTTP_BINDING)
  public static class Registry implements IISPortType {
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final List<String> connectivityTests = new CopyOnWriteArrayList<>();
    private volatile Answer answer = received -> ack(received, "AA");

    @Override
    public String connectivityTest(String echoBack) {
      connectivityTests.add(echoBack);
      return "End-point is ready. Echoing: " + echoBack;
    }

    @Override
    public String submitSingleMessage(
        String username, String password, String facilityID, String hl7Message)
        throws MessageTooLargeFaultMessage, SecurityFaultMessage, UnknownFaultMessage {
      Received message = new Received(username, password, facilityID, hl7Message);
      received.add(message);
      try {
        return answer.answer(message);
      } catch (MessageTooLargeFaultMessage | SecurityFaultMessage | UnknownFaultMessage fault) {
        throw fault;
      } catch (RuntimeException declaredByHand) {
        throw declaredByHand;
      } catch (Exception broken) {
        throw new IllegalStateException("the test's answer failed", broken);
      }
    }
  }
}
