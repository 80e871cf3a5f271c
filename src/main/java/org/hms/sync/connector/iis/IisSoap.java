package org.hms.sync.connector.iis;

import jakarta.xml.soap.Detail;
import jakarta.xml.soap.DetailEntry;
import jakarta.xml.soap.MessageFactory;
import jakarta.xml.soap.MimeHeaders;
import jakarta.xml.soap.Node;
import jakarta.xml.soap.SOAPBody;
import jakarta.xml.soap.SOAPConstants;
import jakarta.xml.soap.SOAPElement;
import jakarta.xml.soap.SOAPEnvelope;
import jakarta.xml.soap.SOAPException;
import jakarta.xml.soap.SOAPFault;
import jakarta.xml.soap.SOAPMessage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import javax.xml.namespace.QName;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;

/**
 * The SOAP 1.2 envelopes of the CDC IIS 2011 web service ({@code urn:cdc:iisb:2011}), written and
 * read with SAAJ: {@code submitSingleMessage(username, password, facilityID, hl7Message)} and
 * {@code connectivityTest(echoBack)}, their {@code return}, and the WSDL's faults.
 *
 * <p>Values are XML text nodes, so markup in them is escaped; the HL7 segment separator {@code \r}
 * is written as {@code &#13;} and so survives XML line-end normalization at the registry.
 */
final class IisSoap {
  static final String NAMESPACE = "urn:cdc:iisb:2011";
  static final String SUBMIT_SINGLE_MESSAGE = "submitSingleMessage";
  static final String CONNECTIVITY_TEST = "connectivityTest";
  static final String SOAP_11_NAMESPACE = "http://schemas.xmlsoap.org/soap/envelope/";
  static final String SOAP_12_NAMESPACE = "http://www.w3.org/2003/05/soap-envelope";

  private static final String PREFIX = "iis";

  private IisSoap() {}

  /** {@code application/soap+xml; charset=utf-8; action="urn:cdc:iisb:2011:<operation>"}. */
  static String contentType(String operation) {
    return "application/soap+xml; charset=utf-8; action=\"" + NAMESPACE + ":" + operation + "\"";
  }

  /**
   * The request envelope of submitSingleMessage. A {@code null} value leaves its element out (the
   * WSDL makes all four optional).
   */
  static String submitSingleMessage(
      String username, String password, String facilityId, String hl7Message) {
    try {
      SOAPMessage message = newMessage();
      SOAPElement operation = operation(message, SUBMIT_SINGLE_MESSAGE);
      child(operation, "username", username);
      child(operation, "password", password);
      child(operation, "facilityID", facilityId);
      child(operation, "hl7Message", hl7Message);
      return written(message);
    } catch (SOAPException | IOException e) {
      // Building in memory from strings fails only through a broken SAAJ set-up: a bug.
      throw new IllegalStateException("could not build the submitSingleMessage envelope", e);
    }
  }

  /** The request envelope of connectivityTest. */
  static String connectivityTest(String echoBack) {
    try {
      SOAPMessage message = newMessage();
      child(operation(message, CONNECTIVITY_TEST), "echoBack", echoBack);
      return written(message);
    } catch (SOAPException | IOException e) {
      throw new IllegalStateException("could not build the connectivityTest envelope", e);
    }
  }

  /**
   * Reads a response to {@code operation}: its {@code return} text, a fault, or why it is neither.
   * Never throws on bad input.
   *
   * <p>The SOAP version is the envelope's: its namespace says 1.1 ({@value #SOAP_11_NAMESPACE})
   * or 1.2 ({@value #SOAP_12_NAMESPACE}), whatever the Content-Type claims (registries label
   * SOAP 1.2 envelopes {@code text/xml}, and some answer faults in SOAP 1.1). Whitespace or a
   * byte order mark before the XML declaration is tolerated; a document type declaration is
   * refused, never resolved.
   *
   * @param contentType the response's Content-Type header, or {@code null}; named in a reason only
   */
  static Reply read(String contentType, String body, String operation) {
    if (body == null || body.isBlank()) {
      return new Reply.NotSoap("the response body is empty");
    }
    String xml = withoutLeadingWhitespace(body);
    if (!xml.contains("Envelope")) {
      // Not even shaped like SOAP (an HTML error page, plain text): no parser need try.
      return new Reply.NotSoap(notSoap(contentType, body));
    }
    Root root = root(xml);
    String protocol;
    if (root == null) {
      return new Reply.NotSoap(notSoap(contentType, body));
    } else if (root.isEnvelope(SOAP_12_NAMESPACE)) {
      protocol = SOAPConstants.SOAP_1_2_PROTOCOL;
    } else if (root.isEnvelope(SOAP_11_NAMESPACE)) {
      protocol = SOAPConstants.SOAP_1_1_PROTOCOL;
    } else {
      return new Reply.NotSoap(
          "the response is XML but not a SOAP envelope: its root element is "
              + root.shown()
              + ", not an Envelope in "
              + SOAP_12_NAMESPACE
              + " (SOAP 1.2) or "
              + SOAP_11_NAMESPACE
              + " (SOAP 1.1)");
    }
    boolean soap11 = protocol.equals(SOAPConstants.SOAP_1_1_PROTOCOL);
    SOAPBody soapBody;
    try {
      MimeHeaders headers = new MimeHeaders();
      headers.addHeader(
          "Content-Type",
          soap11 ? "text/xml; charset=utf-8" : "application/soap+xml; charset=utf-8");
      soapBody =
          factory(protocol)
              .createMessage(headers, new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)))
              .getSOAPBody();
    } catch (SOAPException | IOException | RuntimeException e) {
      // SAAJ's messages may quote the body; only its size is shown.
      return new Reply.NotSoap(
          "the response is not a readable SOAP "
              + (soap11 ? "1.1" : "1.2")
              + " envelope ("
              + body.length()
              + " characters, not shown)");
    }
    if (soapBody.hasFault()) {
      return new Reply.Faulted(fault(soapBody.getFault()));
    }
    SOAPElement response = firstElement(soapBody, operation + "Response");
    if (response == null) {
      return new Reply.NotSoap(
          "the SOAP body holds no " + operation + "Response element in " + NAMESPACE);
    }
    SOAPElement value = firstElement(response, "return");
    return new Reply.Returned(value == null ? "" : text(value));
  }

  private static String notSoap(String contentType, String body) {
    return "the response"
        + (contentType == null ? "" : " (" + clip(contentType, 80) + ")")
        + " is not a SOAP envelope ("
        + body.length()
        + " characters, not shown)";
  }

  /** The body from its first markup on: no byte order mark or whitespace before the XML. */
  private static String withoutLeadingWhitespace(String body) {
    int start = 0;
    while (start < body.length()
        && (body.charAt(start) == '\uFEFF' || Character.isWhitespace(body.charAt(start)))) {
      start++;
    }
    return body.substring(start);
  }

  /** The root element's name, as far as it matters here. */
  private record Root(String namespace, String localName) {
    boolean isEnvelope(String soapNamespace) {
      return localName.equals("Envelope") && namespace.equals(soapNamespace);
    }

    String shown() {
      return (namespace.isEmpty() ? "" : "{" + clip(namespace, 100) + "}")
          + clip(localName, 40);
    }
  }

  /**
   * The root element of the document, read with StAX up to its start tag; {@code null} when the
   * text is not well-formed that far or declares a document type (refused: never resolved).
   */
  private static Root root(String xml) {
    XMLInputFactory factory = XMLInputFactory.newDefaultFactory();
    factory.setProperty(XMLInputFactory.SUPPORT_DTD, false);
    factory.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
    XMLStreamReader reader = null;
    try {
      reader = factory.createXMLStreamReader(new StringReader(xml));
      while (reader.hasNext()) {
        int event = reader.next();
        if (event == XMLStreamConstants.DTD) {
          return null;
        }
        if (event == XMLStreamConstants.START_ELEMENT) {
          String namespace = reader.getNamespaceURI();
          return new Root(namespace == null ? "" : namespace, reader.getLocalName());
        }
      }
      return null;
    } catch (XMLStreamException | RuntimeException notXml) {
      return null;
    } finally {
      close(reader);
    }
  }

  private static void close(XMLStreamReader reader) {
    if (reader != null) {
      try {
        reader.close();
      } catch (XMLStreamException ignored) {
        // Reading a string: nothing to release.
      }
    }
  }

  private static String clip(String text, int longest) {
    return text.length() > longest ? text.substring(0, longest) + "…" : text;
  }

  /** What a response to one operation held. */
  sealed interface Reply {
    /** The operation's {@code return}; empty when absent or nil. */
    record Returned(String value) implements Reply {}

    record Faulted(Fault fault) implements Reply {}

    /** Not a SOAP response of the operation; the reason quotes nothing of the body. */
    record NotSoap(String reason) implements Reply {}
  }

  /** The faults the CDC WSDL declares, by the element name of their detail entry. */
  enum FaultKind {
    /** Bad username, password or facility: permanent, and an operator must act. */
    SECURITY("SecurityFault"),
    MESSAGE_TOO_LARGE("MessageTooLargeFault"),
    UNSUPPORTED_OPERATION("UnsupportedOperationFault"),
    /** The WSDL's general fault (detail element {@code fault}): retryable. */
    UNKNOWN("UnknownFault"),
    /** A fault without a detail entry the WSDL declares (a server framework's own fault). */
    UNDECLARED("SOAP fault");

    private final String label;

    FaultKind(String label) {
      this.label = label;
    }

    /** As named in the WSDL, e.g. {@code SecurityFault}; used as the error class. */
    String label() {
      return label;
    }

    static FaultKind ofDetailElement(String localName) {
      return switch (localName) {
        case "SecurityFault" -> SECURITY;
        case "MessageTooLargeFault" -> MESSAGE_TOO_LARGE;
        case "UnsupportedOperationFault" -> UNSUPPORTED_OPERATION;
        // The WSDL names the element "fault"; some registries name it after the fault.
        case "fault", "UnknownFault" -> UNKNOWN;
        default -> UNDECLARED;
      };
    }
  }

  /**
   * One SOAP fault.
   *
   * @param code the fault code's local name: {@code Sender}, {@code Receiver}, {@code
   *     VersionMismatch}, ... (SOAP 1.1's {@code Client} and {@code Server} as they are)
   * @param reason the fault's reason text, empty if none
   * @param detailCode the detail entry's {@code Code}, empty if none
   * @param detailReason the detail entry's {@code Reason}, empty if none
   * @param detailText the detail entry's {@code Detail}, empty if none
   */
  record Fault(
      FaultKind kind, String code, String reason, String detailCode, String detailReason,
      String detailText) {

    /** A SOAP fault code that says the request itself is wrong, so sending it again won't help. */
    boolean blamesTheRequest() {
      return switch (code) {
        case "Sender", "Client", "VersionMismatch", "MustUnderstand", "DataEncodingUnknown" ->
            true;
        default -> false;
      };
    }
  }

  private static Fault fault(SOAPFault fault) {
    String code = "";
    try {
      QName faultCode = fault.getFaultCodeAsQName();
      code = faultCode == null ? "" : faultCode.getLocalPart();
    } catch (RuntimeException unreadable) {
      // A fault code SAAJ cannot resolve stays empty: the detail decides.
    }
    String reason = "";
    try {
      reason = fault.getFaultString() == null ? "" : fault.getFaultString().strip();
    } catch (RuntimeException unreadable) {
      // No reason text.
    }
    Detail detail = fault.getDetail();
    if (detail != null) {
      Iterator<DetailEntry> entries = detail.getDetailEntries();
      while (entries.hasNext()) {
        DetailEntry entry = entries.next();
        FaultKind kind = FaultKind.ofDetailElement(entry.getElementQName().getLocalPart());
        if (kind != FaultKind.UNDECLARED) {
          return new Fault(
              kind,
              code,
              reason,
              childText(entry, "Code"),
              childText(entry, "Reason"),
              childText(entry, "Detail"));
        }
      }
    }
    return new Fault(FaultKind.UNDECLARED, code, reason, "", "", "");
  }

  /** The first child element of this local name, in the CDC namespace or in none (lenient). */
  private static SOAPElement firstElement(SOAPElement parent, String localName) {
    Iterator<Node> children = parent.getChildElements();
    while (children.hasNext()) {
      if (children.next() instanceof SOAPElement element
          && element.getElementQName().getLocalPart().equals(localName)) {
        String namespace = element.getElementQName().getNamespaceURI();
        if (namespace.isEmpty() || namespace.equals(NAMESPACE)) {
          return element;
        }
      }
    }
    return null;
  }

  private static String childText(SOAPElement parent, String localName) {
    Iterator<Node> children = parent.getChildElements();
    while (children.hasNext()) {
      if (children.next() instanceof SOAPElement element
          && element.getElementQName().getLocalPart().equals(localName)) {
        return text(element).strip();
      }
    }
    return "";
  }

  private static String text(SOAPElement element) {
    String value = element.getTextContent();
    return value == null ? "" : value;
  }

  private static SOAPMessage newMessage() throws SOAPException {
    SOAPMessage message = factory(SOAPConstants.SOAP_1_2_PROTOCOL).createMessage();
    message.setProperty(SOAPMessage.WRITE_XML_DECLARATION, "true");
    message.setProperty(SOAPMessage.CHARACTER_SET_ENCODING, "utf-8");
    return message;
  }

  private static SOAPElement operation(SOAPMessage message, String name) throws SOAPException {
    SOAPEnvelope envelope = message.getSOAPPart().getEnvelope();
    envelope.getHeader().detachNode();
    return envelope.getBody().addBodyElement(new QName(NAMESPACE, name, PREFIX));
  }

  private static void child(SOAPElement parent, String name, String value) throws SOAPException {
    if (value != null) {
      parent.addChildElement(new QName(NAMESPACE, name, PREFIX)).addTextNode(value);
    }
  }

  private static String written(SOAPMessage message) throws SOAPException, IOException {
    message.saveChanges();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    message.writeTo(out);
    return out.toString(StandardCharsets.UTF_8);
  }

  /**
   * A new factory per call: SAAJ does not promise that one may be shared between threads, and
   * looking it up costs little next to a network round trip.
   */
  private static MessageFactory factory(String protocol) throws SOAPException {
    return MessageFactory.newInstance(protocol);
  }
}
