package org.hms.sync.connector.graphql;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import graphql.ExecutionInput;
import graphql.ExecutionResult;
import graphql.GraphQL;
import graphql.GraphqlErrorBuilder;
import graphql.execution.DataFetcherResult;
import graphql.schema.DataFetcher;
import graphql.schema.DataFetchingEnvironment;
import graphql.schema.idl.RuntimeWiring;
import graphql.schema.idl.SchemaGenerator;
import graphql.schema.idl.SchemaParser;
import io.javalin.Javalin;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.hms.sync.json.Json;

/**
 * A real GraphQL server on a free loopback port: graphql-java executing {@code
 * examples/graphql/schema.graphqls} over HTTP (Javalin), backed by an in-memory appointment store
 * that is idempotent on the {@code Idempotency-Key} header. Tests can make the next mutation (or
 * the next {@code confirmationCode}) fail with an error of a given {@code extensions.code}, or make
 * the next HTTP answer whatever they like.
 */
final class RegistryServer implements AutoCloseable {

  static final Path SCHEMA = Path.of("examples/graphql/schema.graphqls");

  /** One request as it arrived. */
  record Received(Map<String, List<String>> headers, String body) {
    /** The first value of a header (names ignore case), or null. */
    String header(String name) {
      List<String> values = headers.get(name);
      return values == null || values.isEmpty() ? null : values.get(0);
    }

    List<String> headerValues(String name) {
      return headers.getOrDefault(name, List.of());
    }

    JsonNode json() {
      return Json.read(body);
    }
  }

  /** An error a resolver returns instead of doing its work; {@code code} null for none. */
  private record Fault(String code, String message) {}

  private record Raw(int status, String body, Map<String, String> headers) {}

  private final Javalin server;
  private final GraphQL graphql;
  private final List<Received> received = new CopyOnWriteArrayList<>();
  private final Queue<Fault> mutationFaults = new ConcurrentLinkedQueue<>();
  private final Queue<Fault> confirmationFaults = new ConcurrentLinkedQueue<>();
  private final Queue<Raw> rawAnswers = new ConcurrentLinkedQueue<>();
  private final Map<String, Map<String, Object>> appointments = new LinkedHashMap<>();
  private final Map<String, String> byIdempotencyKey = new HashMap<>();
  private final AtomicInteger ids = new AtomicInteger();
  private final AtomicInteger applied = new AtomicInteger();

  private RegistryServer() {
    String sdl;
    try {
      sdl = Files.readString(SCHEMA);
    } catch (IOException failure) {
      throw new UncheckedIOException(failure);
    }
    RuntimeWiring wiring =
        RuntimeWiring.newRuntimeWiring()
            .type(
                "Query",
                type -> type.dataFetcher("appointment", env -> appointment(env.getArgument("id"))))
            .type(
                "Mutation",
                type ->
                    type.dataFetcher("createAppointment", mutation(this::create))
                        .dataFetcher("rescheduleAppointment", mutation(this::reschedule))
                        .dataFetcher("cancelAppointment", mutation(this::cancel))
                        .dataFetcher("completeAppointment", mutation(this::complete)))
            .type(
                "Appointment",
                type ->
                    type.dataFetcher(
                        "confirmationCode",
                        env -> {
                          Fault fault = confirmationFaults.poll();
                          if (fault != null) {
                            return failure(env, fault);
                          }
                          Map<String, Object> appointment = env.getSource();
                          return "CONF-" + appointment.get("id");
                        }))
            .build();
    this.graphql =
        GraphQL.newGraphQL(
                new SchemaGenerator().makeExecutableSchema(new SchemaParser().parse(sdl), wiring))
            .build();
    this.server =
        Javalin.create(
            config -> {
              config.showJavalinBanner = false;
              config.startupWatcherEnabled = false;
            });
    server.post(
        "/graphql",
        context -> {
          Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
          for (String name : Collections.list(context.req().getHeaderNames())) {
            headers
                .computeIfAbsent(name, ignored -> new ArrayList<>())
                .addAll(Collections.list(context.req().getHeaders(name)));
          }
          received.add(new Received(headers, context.body()));
          Raw raw = rawAnswers.poll();
          if (raw != null) {
            raw.headers().forEach(context::header);
            context.status(raw.status()).contentType("application/json").result(raw.body());
            return;
          }
          JsonNode request = Json.read(context.body());
          Map<String, Object> variables =
              request.hasNonNull("variables")
                  ? Json.MAPPER.convertValue(
                      request.get("variables"), new TypeReference<Map<String, Object>>() {})
                  : Map.of();
          Map<String, Object> graphqlContext = new HashMap<>();
          String key = context.header("Idempotency-Key");
          if (key != null) {
            graphqlContext.put("idempotencyKey", key);
          }
          ExecutionResult result =
              graphql.execute(
                  ExecutionInput.newExecutionInput()
                      .query(request.path("query").asText())
                      .operationName(
                          request.hasNonNull("operationName")
                              ? request.get("operationName").asText()
                              : null)
                      .variables(variables)
                      .graphQLContext(graphqlContext)
                      .build());
          context.contentType("application/json").result(Json.write(result.toSpecification()));
        });
  }

  static RegistryServer start() {
    RegistryServer registry = new RegistryServer();
    registry.server.start("127.0.0.1", 0);
    return registry;
  }

  /** {@code http://127.0.0.1:<port>/graphql}. */
  URI endpoint() {
    return URI.create("http://127.0.0.1:" + server.port() + "/graphql");
  }

  /** The next mutation changes nothing and answers with an error of this code (null: none). */
  RegistryServer failNextMutation(String code, String message) {
    mutationFaults.add(new Fault(code, message));
    return this;
  }

  /** The mutation is applied, but the next {@code confirmationCode} in its answer fails. */
  RegistryServer failNextConfirmationCode(String code) {
    confirmationFaults.add(new Fault(code, "reminder service is down"));
    return this;
  }

  /** The next HTTP request is answered with exactly this, without running any GraphQL. */
  RegistryServer answerNext(int status, String body, String... headerNamesAndValues) {
    Map<String, String> headers = new LinkedHashMap<>();
    for (int index = 0; index + 1 < headerNamesAndValues.length; index += 2) {
      headers.put(headerNamesAndValues[index], headerNamesAndValues[index + 1]);
    }
    rawAnswers.add(new Raw(status, body, headers));
    return this;
  }

  List<Received> received() {
    return List.copyOf(received);
  }

  /** The registry's appointments by its id, as stored. */
  synchronized Map<String, Map<String, Object>> appointments() {
    Map<String, Map<String, Object>> copy = new LinkedHashMap<>();
    appointments.forEach((id, appointment) -> copy.put(id, Map.copyOf(appointment)));
    return copy;
  }

  /** Mutations that changed the store (a repeated idempotency key changes nothing). */
  int mutationsApplied() {
    return applied.get();
  }

  @Override
  public void close() {
    server.stop();
  }

  private interface Change {
    Object apply(DataFetchingEnvironment env);
  }

  /**
   * A mutation resolver: fails if told to; answers a repeated Idempotency-Key with the appointment
   * of its first use and changes nothing.
   */
  private DataFetcher<Object> mutation(Change change) {
    return env -> {
      Fault fault = mutationFaults.poll();
      if (fault != null) {
        return failure(env, fault);
      }
      synchronized (this) {
        String key = env.getGraphQlContext().get("idempotencyKey");
        if (key != null && byIdempotencyKey.containsKey(key)) {
          return appointments.get(byIdempotencyKey.get(key));
        }
        Object result = change.apply(env);
        if (result instanceof Map<?, ?> appointment && key != null) {
          byIdempotencyKey.put(key, (String) appointment.get("id"));
        }
        return result;
      }
    };
  }

  private Object create(DataFetchingEnvironment env) {
    Map<String, Object> input = env.getArgument("input");
    Map<String, Object> appointment = new HashMap<>();
    String id = "reg-" + ids.incrementAndGet();
    appointment.put("id", id);
    appointment.put("emrAppointmentId", input.get("emrAppointmentId"));
    appointment.put("status", "BOOKED");
    appointment.put("start", input.get("start"));
    appointment.put("end", input.get("end"));
    appointment.put("clinicCode", input.get("clinicCode"));
    appointment.put("patient", input.get("patient"));
    appointments.put(id, appointment);
    applied.incrementAndGet();
    return appointment;
  }

  private Object reschedule(DataFetchingEnvironment env) {
    return update(
        env,
        appointment -> {
          appointment.put("start", env.getArgument("start"));
          appointment.put("end", env.getArgument("end"));
        });
  }

  private Object cancel(DataFetchingEnvironment env) {
    return update(env, appointment -> appointment.put("status", "CANCELLED"));
  }

  private Object complete(DataFetchingEnvironment env) {
    return update(
        env,
        appointment -> {
          appointment.put("status", "COMPLETED");
          appointment.put("dose", env.getArgument("dose"));
        });
  }

  private Object update(
      DataFetchingEnvironment env, java.util.function.Consumer<Map<String, Object>> change) {
    String id = env.getArgument("id");
    Map<String, Object> appointment = appointments.get(id);
    if (appointment == null) {
      return failure(env, new Fault("NOT_FOUND", "no appointment " + id));
    }
    change.accept(appointment);
    applied.incrementAndGet();
    return appointment;
  }

  private synchronized Map<String, Object> appointment(String id) {
    return appointments.get(id);
  }

  private static DataFetcherResult<Object> failure(DataFetchingEnvironment env, Fault fault) {
    return DataFetcherResult.newResult()
        .error(
            GraphqlErrorBuilder.newError(env)
                .message(fault.message())
                .extensions(fault.code() == null ? Map.of() : Map.of("code", fault.code()))
                .build())
        .build();
  }
}
