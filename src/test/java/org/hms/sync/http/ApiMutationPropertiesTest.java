package org.hms.sync.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.statistics.Statistics;
import org.hms.sync.simulator.IisSimulator;
import org.hms.sync.simulator.SimulatorOptions;

/**
 * Hostile variations of valid requests, for every writing endpoint, on H2 and on PostgreSQL:
 * whatever is changed (a field removed, given twice or replaced by a value of the wrong type, a
 * control character, a lone surrogate, an absurd time or length, deep nesting, a broken byte,
 * invalid UTF-8, a cut body), the service never answers 5xx, every refusal is problem+json, and a
 * refused request changes no row.
 *
 * <p>One service per database serves every try; each try makes the patient, slots and
 * appointment it needs. A failure prints the endpoint, the mutation and the body sent.
 */
class ApiMutationPropertiesTest {
  private static RunningSync onH2;
  private static RunningSync onPostgres;
  private static IisSimulator iis;
  private static final HttpClient CLIENT =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  /** Tables a request could change, with the columns that matter, in a stable order. */
  private static final List<String> FINGERPRINT =
      List.of(
          "SELECT id, mrn, given_name, family_name, birth_date FROM patient ORDER BY id",
          "SELECT id, code, name FROM location ORDER BY id",
          "SELECT id, location_id, start_at, end_at, capacity, booked FROM slot ORDER BY id",
          "SELECT id, slot_id, status, version, cancel_reason, imm_cvx_code, imm_lot_number"
              + " FROM appointment ORDER BY id",
          "SELECT id, appointment_id, sequence, type FROM outbox_event ORDER BY id",
          "SELECT principal, idem_key, response_status FROM idempotency_key"
              + " ORDER BY principal, idem_key",
          "SELECT COUNT(*) FROM reconciliation");

  enum Endpoint {
    PATIENT, LOCATION, SLOT, BOOK, RESCHEDULE, CANCEL, COMPLETE, REPLAY, DISCARD, REPLAY_ALL,
    RESOLVE, RECONCILE
  }

  enum Kind {
    REMOVE_FIELD, REPLACE_VALUE, ADD_FIELD, DUPLICATE_FIELD, TRUNCATE, INSERT_BYTE, FLIP_BYTE,
    INVALID_UTF8, NOT_AN_OBJECT, DEEP_NESTING, BOM
  }

  /** One change to a valid body: what, where (a field index or byte position), with what. */
  record Mutation(Kind kind, int where, String value, int size) {}

  @Provide
  Arbitrary<Mutation> mutations() {
    Arbitrary<String> hostile =
        Arbitraries.oneOf(
            Arbitraries.of(
                "4242", "-0", "1e400", "true", "null", "[]", "{}", "\"\"", "\" \"",
                "\"\\u0000\"", "\"a\\u0001b\"", "\"tab\\there\"", "\"line\\nbreak\"",
                "\"\\u007f\"", "\"\\u0085\"", "\"\\ud800\"", "\"\\udfff x\"", "\"\\uffff\"",
                "\"+1000000000-01-01T00:00:00Z\"", "\"0000-01-01T00:00:00Z\"",
                "\"1899-12-31T23:59:59Z\"", "\"2027-02-30T09:00:00Z\"", "\"1850-01-01\"",
                "\"2027-13-01\"", "\"\\u00e9\\u00e8 \\ud83d\\ude00\"", "1" + "0".repeat(100),
                "\"%00\"", "\"../../etc/passwd\"", "\"<script>\"", "\"' OR 1=1 --\"",
                "\"dead\"", "\"emr\"", "\"external\"", "\"state-iis\""),
            Arbitraries.integers().between(1, 700).map(length -> "\"" + "x".repeat(length) + "\""),
            Arbitraries.integers().map(String::valueOf),
            Arbitraries.strings().ofMaxLength(12).map(text -> ApiClient.MAPPER.valueToTree(text)
                .toString()));
    return Combinators.combine(
            Arbitraries.of(Kind.class),
            Arbitraries.integers().between(0, 10_000),
            hostile,
            Arbitraries.integers().between(1, 5_000))
        .as(Mutation::new);
  }

  @Property(tries = 250, shrinking = ShrinkingMode.BOUNDED)
  void on_h2_no_mutation_answers_5xx_and_a_refused_one_changes_nothing(
      @ForAll Endpoint endpoint, @ForAll("mutations") Mutation mutation) {
    check(h2(), endpoint, mutation);
  }

  @Property(tries = 250, shrinking = ShrinkingMode.BOUNDED)
  void on_postgres_no_mutation_answers_5xx_and_a_refused_one_changes_nothing(
      @ForAll Endpoint endpoint, @ForAll("mutations") Mutation mutation) {
    check(postgres(), endpoint, mutation);
  }

  @AfterContainer
  static void stop() {
    if (onH2 != null) {
      onH2.close();
    }
    if (onPostgres != null) {
      onPostgres.close();
    }
    if (iis != null) {
      iis.close();
    }
  }

  private static void check(RunningSync sync, Endpoint endpoint, Mutation mutation) {
    Request valid = valid(sync, endpoint);
    byte[] body = mutate(valid.body(), mutation);
    String before = fingerprint(sync);

    HttpResponse<String> answer = send(sync, valid.path(), body, mutation);

    String shown =
        endpoint + " " + mutation + " sent " + new String(body, StandardCharsets.UTF_8)
            + " answered " + answer.statusCode() + " " + answer.body();
    Statistics.label("answers").collect(answer.statusCode());
    assertThat(answer.statusCode()).as(shown).isLessThan(500);
    if (answer.statusCode() >= 400) {
      assertThat(answer.headers().firstValue("Content-Type").orElse(""))
          .as(shown)
          .startsWith("application/problem+json");
      JsonNode problem = json(answer.body(), shown);
      assertThat(problem.path("status").asInt()).as(shown).isEqualTo(answer.statusCode());
      assertThat(problem.path("title").asText()).as(shown).isNotBlank();
      assertThat(problem.path("detail").asText()).as(shown).isNotBlank();
      assertThat(fingerprint(sync)).as("rows after " + shown).isEqualTo(before);
    }
  }

  /** A valid request for the endpoint, with what it needs made first through the API. */
  record Request(String path, ObjectNode body) {}

  private static Request valid(RunningSync sync, Endpoint endpoint) {
    ObjectNode body = ApiClient.MAPPER.createObjectNode();
    switch (endpoint) {
      case PATIENT -> {
        body.put("mrn", "MRN-M" + System.nanoTime()).put("givenName", "Given")
            .put("familyName", "Family").put("birthDate", "1980-05-17");
        return new Request("/api/patients", body);
      }
      case LOCATION -> {
        body.put("code", "L-" + System.nanoTime()).put("name", "County clinic");
        return new Request("/api/locations", body);
      }
      case SLOT -> {
        body.put("locationId", sync.location()).put("start", "2027-04-01T09:00:00Z")
            .put("end", "2027-04-01T09:15:00Z").put("capacity", 2);
        return new Request("/api/slots", body);
      }
      case BOOK -> {
        body.put("patientId", sync.patient()).put("slotId", sync.slot(sync.location(), 3));
        return new Request("/api/appointments", body);
      }
      case RESCHEDULE -> {
        String location = sync.location();
        String appointment = sync.book(sync.patient(), sync.slot(location, 3));
        body.put("slotId", sync.slot(location, 3));
        return new Request("/api/appointments/" + appointment + "/reschedule", body);
      }
      case CANCEL -> {
        String appointment = sync.book(sync.patient(), sync.slot(sync.location(), 3));
        body.put("reason", "patient called");
        return new Request("/api/appointments/" + appointment + "/cancel", body);
      }
      case COMPLETE -> {
        String appointment = sync.book(sync.patient(), sync.slot(sync.location(), 3));
        ObjectNode given = body.putObject("immunization");
        given.put("cvxCode", "208").put("lotNumber", "EK5730").put("dose", "0.3 mL")
            .put("administeredAt", "2027-03-01T09:05:00Z");
        return new Request("/api/appointments/" + appointment + "/complete", body);
      }
      case REPLAY -> {
        return new Request("/api/deliveries/" + anyDelivery(sync) + "/replay", body);
      }
      case DISCARD -> {
        return new Request("/api/deliveries/" + anyDelivery(sync) + "/discard", body);
      }
      case REPLAY_ALL -> {
        return new Request("/api/deliveries/replay?connector=" + RunningSync.CONNECTOR, body);
      }
      case RESOLVE -> {
        body.put("choose", "emr");
        return new Request("/api/reviews/0190aaaa-0000-7000-8000-000000000000/resolve", body);
      }
      case RECONCILE -> {
        body.put("connector", RunningSync.CONNECTOR).put("from", "2027-03-01T00:00:00Z")
            .put("to", "2027-03-02T00:00:00Z").put("repair", false);
        return new Request("/api/reconciliations", body);
      }
      default -> throw new IllegalArgumentException(endpoint.name());
    }
  }

  private static String anyDelivery(RunningSync sync) {
    String appointment = sync.book(sync.patient(), sync.slot(sync.location(), 3));
    return sync.deliveries(appointment).get(0).path("id").asText();
  }

  static byte[] mutate(ObjectNode valid, Mutation mutation) {
    List<String> names = iterable(valid);
    String name = names.isEmpty() ? "x" : names.get(mutation.where() % names.size());
    ObjectNode copy = valid.deepCopy();
    String text = valid.toString();
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    int at = bytes.length == 0 ? 0 : mutation.where() % bytes.length;
    switch (mutation.kind()) {
      case REMOVE_FIELD -> {
        copy.remove(name);
        return utf8(copy.toString());
      }
      case REPLACE_VALUE -> {
        copy.remove(name);
        String rest = copy.toString();
        String field = "\"" + name + "\":" + mutation.value();
        return utf8(rest.equals("{}") ? "{" + field + "}" : "{" + field + "," + rest.substring(1));
      }
      case ADD_FIELD -> {
        return utf8("{\"unexpected\":" + mutation.value() + "," + text.substring(1));
      }
      case DUPLICATE_FIELD -> {
        return utf8("{\"" + name + "\":" + mutation.value() + "," + text.substring(1));
      }
      case TRUNCATE -> {
        return java.util.Arrays.copyOf(bytes, at);
      }
      case INSERT_BYTE -> {
        return splice(bytes, at, new byte[] {(byte) mutation.size()});
      }
      case FLIP_BYTE -> {
        byte[] flipped = bytes.clone();
        if (flipped.length > 0) {
          flipped[at] = (byte) (flipped[at] ^ (1 << (mutation.size() % 8)));
        }
        return flipped;
      }
      case INVALID_UTF8 -> {
        byte[][] invalid = {
          {(byte) 0xC3, (byte) 0x28}, {(byte) 0xC0, (byte) 0xAF}, {(byte) 0xED, (byte) 0xA0,
            (byte) 0x80}, {(byte) 0xFF}, {(byte) 0xF8, (byte) 0x88, (byte) 0x80, (byte) 0x80}
        };
        return splice(bytes, at, invalid[mutation.size() % invalid.length]);
      }
      case NOT_AN_OBJECT -> {
        return utf8(List.of("[" + text + "]", mutation.value(), "\"" + text.replace("\"", "'")
            + "\"").get(mutation.size() % 3));
      }
      case DEEP_NESTING -> {
        copy.remove(name);
        int depth = mutation.size();
        String deep = "[".repeat(depth) + "]".repeat(depth);
        return utf8("{\"" + name + "\":" + deep + "," + copy.toString().substring(1));
      }
      case BOM -> {
        return splice(bytes, 0, new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF});
      }
      default -> throw new IllegalArgumentException(mutation.kind().name());
    }
  }

  private static List<String> iterable(ObjectNode node) {
    List<String> names = new java.util.ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }

  private static byte[] splice(byte[] bytes, int at, byte[] inserted) {
    byte[] spliced = new byte[bytes.length + inserted.length];
    System.arraycopy(bytes, 0, spliced, 0, at);
    System.arraycopy(inserted, 0, spliced, at, inserted.length);
    System.arraycopy(bytes, at, spliced, at + inserted.length, bytes.length - at);
    return spliced;
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static HttpResponse<String> send(
      RunningSync sync, String path, byte[] body, Mutation mutation) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + sync.app.port() + path))
            .timeout(Duration.ofSeconds(20))
            .header("Authorization", "Bearer " + RunningSync.ADMIN_TOKEN)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    if (mutation.size() % 3 == 0) {
      request.header("Idempotency-Key", "mutation-" + mutation.where() + "-" + mutation.size());
    }
    try {
      return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException failure) {
      throw new UncheckedIOException(failure);
    } catch (InterruptedException interrupted) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(interrupted);
    }
  }

  private static JsonNode json(String text, String shown) {
    try {
      return ApiClient.MAPPER.readTree(text);
    } catch (IOException notJson) {
      throw new AssertionError("not JSON: " + shown, notJson);
    }
  }

  /** A hash of every row a request could change (deliveries, which the engine moves, aside). */
  private static String fingerprint(RunningSync sync) {
    try (Connection connection = sync.app.database().dataSource().getConnection();
        Statement statement = connection.createStatement()) {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      for (String query : FINGERPRINT) {
        try (ResultSet rows = statement.executeQuery(query)) {
          ResultSetMetaData columns = rows.getMetaData();
          while (rows.next()) {
            for (int column = 1; column <= columns.getColumnCount(); column++) {
              digest.update(String.valueOf(rows.getObject(column)).getBytes(StandardCharsets.UTF_8));
              digest.update((byte) 0x1f);
            }
            digest.update((byte) '\n');
          }
        }
      }
      return HexFormat.of().formatHex(digest.digest());
    } catch (SQLException | java.security.NoSuchAlgorithmException failure) {
      throw new IllegalStateException(failure);
    }
  }

  private static synchronized RunningSync h2() {
    if (onH2 == null) {
      onH2 = RunningSync.start(tempDir(), iis().baseUrl());
    }
    return onH2;
  }

  private static synchronized RunningSync postgres() {
    if (onPostgres == null) {
      onPostgres = RunningSync.startOnPostgres(tempDir(), iis().baseUrl());
    }
    return onPostgres;
  }

  private static synchronized IisSimulator iis() {
    if (iis == null) {
      iis = IisSimulator.start(SimulatorOptions.defaults());
    }
    return iis;
  }

  private static Path tempDir() {
    try {
      Path dir = Files.createTempDirectory("hms-mutation");
      dir.toFile().deleteOnExit();
      return dir;
    } catch (IOException failure) {
      throw new UncheckedIOException(failure);
    }
  }
}
