package org.hms.sync.simulator;

import jakarta.xml.soap.MessageFactory;
import jakarta.xml.soap.MimeHeaders;
import jakarta.xml.soap.Node;
import jakarta.xml.soap.SOAPBody;
import jakarta.xml.soap.SOAPConstants;
import jakarta.xml.soap.SOAPElement;
import jakarta.xml.soap.SOAPException;
import jakarta.xml.soap.SOAPFault;
import jakarta.xml.soap.SOAPMessage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Iterator;
import java.util.Locale;
import javax.xml.namespace.QName;

/**
 * The CDC IIS 2011 SOAP 1.2 web service ({@code urn:cdc:iisb:2011}) of the stand-in registry, read
 * and written with SAAJ: {@code submitSingleMessage(username, password, facilityID, hl7Message)}
 * answers the HL7 ACK of {@link VxuReceiver} in {@code submitSingleMessageResponse/return}; {@code
 * connectivityTest(echoBack)} answers {@code End-point is ready. Echoing: <echoBack>}.
 *
 * <p>Faults, shaped as the WSDL declares them (a detail entry with Code, Reason and Detail): {@code
 * SecurityFault} for a wrong username or password when the simulator requires them, {@code
 * UnsupportedOperationFault} for any other operation. A body that is no SOAP 1.2 envelope, or a
 * submitSingleMessage without hl7Message, gets a plain {@code env:Sender} fault. Sender faults are
 * sent with HTTP 400, others with 500 (SOAP 1.2 HTTP binding).
 */
final class SoapService {

  static final String NAMESPACE = "urn:cdc:iisb:2011";
  static final String ECHO_PREFIX = "End-point is ready. Echoing: ";

  private static final String PREFIX = "iis";
  private static final String SUBMIT_SINGLE_MESSAGE = "submitSingleMessage";
  private static final String CONNECTIVITY_TEST = "connectivityTest";

  private final VxuReceiver receiver;
  private final byte[] requiredUsername;
  private final byte[] requiredPassword;

  SoapService(VxuReceiver receiver, String requiredUsername, String requiredPassword) {
    this.receiver = receiver;
    this.requiredUsername = bytes(requiredUsername);
    this.requiredPassword = bytes(requiredPassword);
  }

  /** Answers one POST. Never throws on bad input; the reply says what was wrong. */
  SoapReply answer(String contentType, byte[] body) {
    try {
      SOAPElement operation;
      try {
        operation = operation(contentType, body);
      } catch (SOAPException | IOException | RuntimeException notSoap) {
        // SAAJ's message may quote the body; only its size is shown.
        return fault(
            "Sender",
            "The request is not a SOAP 1.2 envelope ("
                + body.length
                + " bytes); POST a SOAP 1.2 envelope with Content-Type application/soap+xml",
            null);
      }
      if (operation == null) {
        return fault(
            "Sender", "The SOAP body is empty; send submitSingleMessage or connectivityTest", null);
      }
      String name = operation.getElementQName().getLocalPart();
      String namespace = operation.getElementQName().getNamespaceURI();
      if (NAMESPACE.equals(namespace) && name.equals(SUBMIT_SINGLE_MESSAGE)) {
        return submitSingleMessage(operation);
      }
      if (NAMESPACE.equals(namespace) && name.equals(CONNECTIVITY_TEST)) {
        return response(CONNECTIVITY_TEST, ECHO_PREFIX + childText(operation, "echoBack"));
      }
      return fault(
          "Sender",
          "Unsupported operation",
          new FaultDetail(
              "UnsupportedOperationFault",
              "30",
              "Unsupported operation",
              "This registry offers submitSingleMessage and connectivityTest in "
                  + NAMESPACE
                  + ", not "
                  + name
                  + (namespace.isEmpty() ? "" : " in " + namespace)));
    } catch (SOAPException | IOException unexpected) {
      // Building an envelope in memory fails only through a broken SAAJ set-up.
      throw new IllegalStateException(
          "IIS simulator could not write a SOAP envelope: " + unexpected.getMessage(), unexpected);
    }
  }

  private SoapReply submitSingleMessage(SOAPElement operation) throws SOAPException, IOException {
    if (requiredUsername != null
        && !(matches(requiredUsername, childText(operation, "username"))
            && matches(requiredPassword, childText(operation, "password")))) {
      return fault(
          "Sender",
          "Security fault",
          new FaultDetail(
              "SecurityFault",
              "10",
              "Security",
              "Invalid username or password; send the credentials the registry assigned"));
    }
    String hl7Message = childText(operation, "hl7Message");
    if (hl7Message.isBlank()) {
      return fault(
          "Sender",
          "submitSingleMessage has no hl7Message; send the VXU^V04 in the hl7Message element",
          null);
    }
    return response(SUBMIT_SINGLE_MESSAGE, receiver.receive(hl7Message));
  }

  /** The operation element: the first element in the body, or null when there is none. */
  private static SOAPElement operation(String contentType, byte[] body)
      throws SOAPException, IOException {
    MimeHeaders headers = new MimeHeaders();
    headers.addHeader("Content-Type", soap12ContentType(contentType));
    SOAPMessage message = factory().createMessage(headers, new ByteArrayInputStream(body));
    SOAPBody soapBody = message.getSOAPBody();
    Iterator<Node> children = soapBody.getChildElements();
    while (children.hasNext()) {
      if (children.next() instanceof SOAPElement element) {
        return element;
      }
    }
    return null;
  }

  /**
   * SAAJ is told SOAP 1.2 whatever was sent; only the request's charset is kept (UTF-8 if none).
   */
  private static String soap12ContentType(String contentType) {
    String charset = "utf-8";
    if (contentType != null) {
      for (String parameter : contentType.split(";")) {
        String trimmed = parameter.trim();
        if (trimmed.toLowerCase(Locale.ROOT).startsWith("charset=")) {
          charset = trimmed.substring("charset=".length()).replace("\"", "").trim();
        }
      }
    }
    return "application/soap+xml; charset=" + charset;
  }

  private static SoapReply response(String operation, String value)
      throws SOAPException, IOException {
    SOAPMessage message = newMessage();
    SOAPElement response =
        message.getSOAPBody().addBodyElement(new QName(NAMESPACE, operation + "Response", PREFIX));
    response.addChildElement(new QName(NAMESPACE, "return", PREFIX)).addTextNode(value);
    return new SoapReply(200, SoapReply.SOAP_12, written(message));
  }

  /** The Code, Reason and Detail of a fault the WSDL declares, under its element name. */
  private record FaultDetail(String element, String code, String reason, String text) {}

  private static SoapReply fault(String code, String reason, FaultDetail detail)
      throws SOAPException, IOException {
    SOAPMessage message = newMessage();
    SOAPFault fault =
        message
            .getSOAPBody()
            .addFault(
                new QName(SOAPConstants.URI_NS_SOAP_1_2_ENVELOPE, code), reason, Locale.ENGLISH);
    if (detail != null) {
      SOAPElement entry =
          fault.addDetail().addDetailEntry(new QName(NAMESPACE, detail.element(), PREFIX));
      entry.addChildElement(new QName(NAMESPACE, "Code", PREFIX)).addTextNode(detail.code());
      entry.addChildElement(new QName(NAMESPACE, "Reason", PREFIX)).addTextNode(detail.reason());
      entry.addChildElement(new QName(NAMESPACE, "Detail", PREFIX)).addTextNode(detail.text());
    }
    return new SoapReply(code.equals("Sender") ? 400 : 500, SoapReply.SOAP_12, written(message));
  }

  private static String childText(SOAPElement parent, String localName) {
    Iterator<Node> children = parent.getChildElements();
    while (children.hasNext()) {
      if (children.next() instanceof SOAPElement element
          && element.getElementQName().getLocalPart().equals(localName)) {
        String text = element.getTextContent();
        return text == null ? "" : text;
      }
    }
    return "";
  }

  private static boolean matches(byte[] expected, String given) {
    return MessageDigest.isEqual(expected, given.getBytes(StandardCharsets.UTF_8));
  }

  private static byte[] bytes(String value) {
    return value == null ? null : value.getBytes(StandardCharsets.UTF_8);
  }

  private static SOAPMessage newMessage() throws SOAPException {
    SOAPMessage message = factory().createMessage();
    message.setProperty(SOAPMessage.WRITE_XML_DECLARATION, "true");
    message.setProperty(SOAPMessage.CHARACTER_SET_ENCODING, "utf-8");
    message.getSOAPHeader().detachNode();
    return message;
  }

  private static byte[] written(SOAPMessage message) throws SOAPException, IOException {
    message.saveChanges();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    message.writeTo(out);
    return out.toByteArray();
  }

  /** A new factory per call: SAAJ does not promise that one may be shared between threads. */
  private static MessageFactory factory() throws SOAPException {
    return MessageFactory.newInstance(SOAPConstants.SOAP_1_2_PROTOCOL);
  }
}
