package org.hms.sync.testing;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.client.api.IGenericClient;
import ca.uhn.fhir.rest.client.api.ServerValidationModeEnum;
import ca.uhn.fhir.rest.server.RestfulServer;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.servlet.ServletContextHandler;
import org.eclipse.jetty.servlet.ServletHolder;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.hl7.fhir.r4.model.CapabilityStatement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;

/**
 * A HAPI FHIR 8.8 JPA server, the FHIR server most deployments run, in the test JVM: R4, H2 in
 * memory, in Jetty 11 (as Javalin) on a loopback port, under {@code /fhir}; resource types as in
 * {@link JpaFhirServerConfig#RESOURCE_TYPES}. Tests run the fhir connector against it to see how a
 * real server answers, where our stand-in only encodes our reading of the specification.
 *
 * <p>It starts once per test JVM, on first use of {@link #shared()} (20 to 60 seconds on a busy
 * two-core machine), and stops when the JVM exits. Tests share it and its database, so each works
 * on its own resources: give every Appointment and Slot an identifier from {@link #uniqueId} (or
 * one the EMR made, which is unique too), book on a day from {@link #uniqueDay} when something
 * searches by date (reconciliation), and never assume an empty server (no counting of all
 * Appointments, no fixed logical ids). A test
 * that registers an interceptor unregisters it in a {@code finally} or {@code @AfterEach}, and
 * lets it act only on its own resources.
 */
public final class JpaFhirServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(JpaFhirServer.class);
  private static final String HOST = "127.0.0.1";

  private static final Instant FIRST_DAY = Instant.parse("2031-01-01T00:00:00Z");
  private static final AtomicInteger DAYS = new AtomicInteger();

  private static JpaFhirServer shared;

  private final AnnotationConfigApplicationContext spring;
  private final RestfulServer restful;
  private final Server jetty;
  private final ServerConnector connector;
  private final IGenericClient client;

  private JpaFhirServer() throws Exception {
    long started = System.nanoTime();
    spring = new AnnotationConfigApplicationContext(JpaFhirServerConfig.class);
    try {
      restful = spring.getBean(RestfulServer.class);
      QueuedThreadPool threads = new QueuedThreadPool();
      threads.setName("hapi-jpa");
      threads.setDaemon(true);
      jetty = new Server(threads);
      connector = new ServerConnector(jetty);
      connector.setHost(HOST);
      connector.setPort(0);
      jetty.addConnector(connector);
      ServletContextHandler context = new ServletContextHandler();
      context.setContextPath("/");
      context.addServlet(new ServletHolder(restful), "/fhir/*");
      jetty.setHandler(context);
      jetty.start();
      FhirContext clientContext = FhirContext.forR4Cached();
      clientContext.getRestfulClientFactory().setServerValidationMode(ServerValidationModeEnum.NEVER);
      client = clientContext.newRestfulGenericClient(baseUrl().toString());
      // The servlet initialises on its first request: part of the start, not of a test.
      client.capabilities().ofType(CapabilityStatement.class).execute();
    } catch (Exception | Error failure) {
      spring.close();
      throw failure;
    }
    log.info(
        "HAPI FHIR JPA server (H2 in memory) at {}, started in {} ms",
        baseUrl(),
        (System.nanoTime() - started) / 1_000_000);
  }

  /**
   * The server of this JVM, started on the first call (which blocks for the start); stopped when
   * the JVM exits.
   *
   * @throws IllegalStateException when it cannot start
   */
  public static synchronized JpaFhirServer shared() {
    if (shared == null) {
      shared = startedInItsOwnThreadGroup();
      JpaFhirServer server = shared;
      Runtime.getRuntime()
          .addShutdownHook(new Thread(server::close, "hapi-jpa-shutdown"));
    }
    return shared;
  }

  /**
   * Starts the server from a thread of a group of its own, so that the threads it makes (Jetty's,
   * and the pools HAPI fills from them: subscription delivery, batch jobs) belong to that group.
   * An exception that ends one of them is logged there instead of reaching the JVM's default
   * handler, where Awaitility, while any test awaits, would report it as that test's failure (a
   * rest-hook delivery retried after its Subscription was deleted did just that to a crash test).
   */
  private static JpaFhirServer startedInItsOwnThreadGroup() {
    ThreadGroup group =
        new ThreadGroup("hapi-jpa") {
          @Override
          public void uncaughtException(Thread thread, Throwable failure) {
            log.warn(
                "a thread of the HAPI FHIR JPA test server ({}) ended with {}; not a test failure",
                thread.getName(), failure.toString());
          }
        };
    JpaFhirServer[] started = new JpaFhirServer[1];
    Exception[] failed = new Exception[1];
    Thread starter =
        new Thread(
            group,
            () -> {
              try {
                started[0] = new JpaFhirServer();
              } catch (Exception failure) {
                failed[0] = failure;
              }
            },
            "hapi-jpa-start");
    starter.start();
    try {
      starter.join();
    } catch (InterruptedException interrupted) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while the HAPI FHIR JPA test server started");
    }
    if (failed[0] != null) {
      throw new IllegalStateException(
          "the HAPI FHIR JPA test server did not start: " + failed[0], failed[0]);
    }
    return started[0];
  }

  /** {@code prefix-<random>}: an identifier value no other test uses. */
  public static String uniqueId(String prefix) {
    return prefix + "-" + UUID.randomUUID();
  }

  /**
   * The start of a UTC day (in 2031 or later) that no other caller in this JVM gets: a date range
   * of its own on the shared server.
   */
  public static Instant uniqueDay() {
    return FIRST_DAY.plus(Duration.ofDays(DAYS.getAndIncrement()));
  }

  /** {@code http://127.0.0.1:<port>/fhir}: a fhir connector's {@code baseUrl}. */
  public URI baseUrl() {
    return URI.create("http://" + HOST + ":" + port() + "/fhir");
  }

  public int port() {
    return connector.getLocalPort();
  }

  /**
   * A HAPI client of the server that is not the connector: "another client" that reads or
   * changes resources as a portal user would. JSON, no server validation.
   */
  public IGenericClient client() {
    return client;
  }

  /**
   * Registers a HAPI server interceptor (an {@code @Interceptor} object with {@code @Hook}
   * methods, e.g. on {@code SERVER_INCOMING_REQUEST_POST_PROCESSED}); unregister it when done.
   */
  public void register(Object interceptor) {
    restful.getInterceptorService().registerInterceptor(interceptor);
  }

  public void unregister(Object interceptor) {
    restful.getInterceptorService().unregisterInterceptor(interceptor);
  }

  /** A bean of the server's Spring context, e.g. {@code DaoRegistry}, for what HTTP cannot do. */
  public <T> T bean(Class<T> type) {
    return spring.getBean(type);
  }

  /** Stops listening and closes the database. Called by the JVM's shutdown. */
  @Override
  public void close() {
    try {
      jetty.stop();
    } catch (Exception stopFailure) {
      log.warn("HAPI FHIR JPA test server did not stop cleanly; closing its database anyway",
          stopFailure);
    }
    spring.close();
  }
}
