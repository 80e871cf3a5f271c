package org.hms.sync.connector.iis;

import ca.uhn.hl7v2.DefaultHapiContext;
import ca.uhn.hl7v2.HapiContext;
import ca.uhn.hl7v2.util.idgenerator.InMemoryIDGenerator;
import ca.uhn.hl7v2.parser.ModelClassFactory;
import ca.uhn.hl7v2.parser.PipeParser;
import ca.uhn.hl7v2.validation.impl.ValidationContextFactory;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;

/** The HAPI set-up shared by {@link Vxu} and {@link AckReader}. */
final class Hl7 {
  /** HL7 DTM to the second, with the UTC offset: {@code 20270301083000-0600}. */
  private static final DateTimeFormatter DTM = DateTimeFormatter.ofPattern("yyyyMMddHHmmssxx");

  /**
   * Validation off: we check our own input in the records' constructors, and registries' ACKs are
   * judged by what they say, not by how well they follow the standard. Values are escaped by
   * {@link Hl7Escaping}. The context is only read after construction, so threads may share it.
   */
  private static final HapiContext CONTEXT = noValidationContext();

  private Hl7() {}

  /** A new parser: a {@link PipeParser} caches structure definitions in an unsynchronized map. */
  static PipeParser parser() {
    return CONTEXT.getPipeParser();
  }

  static ModelClassFactory models() {
    return CONTEXT.getModelClassFactory();
  }

  static String dateTime(Instant instant, ZoneId zone) {
    return DTM.format(instant.atZone(zone));
  }

  /** Lives as long as the class; it opens nothing unless used for network connections. */
  private static HapiContext noValidationContext() {
    HapiContext context = new DefaultHapiContext();
    context.setValidationContext(ValidationContextFactory.noValidation());
    // HAPI's default id generator keeps a counter in a file "id_file" in the working directory;
    // our control ids are our own (MSH-10), so nothing may write there.
    context.getParserConfiguration().setIdGenerator(new InMemoryIDGenerator());
    context.getParserConfiguration().setEscaping(new Hl7Escaping());
    return context;
  }
}
