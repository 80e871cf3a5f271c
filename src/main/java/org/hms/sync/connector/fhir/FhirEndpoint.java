package org.hms.sync.connector.fhir;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.api.CacheControlDirective;
import ca.uhn.fhir.rest.api.Constants;
import ca.uhn.fhir.rest.api.EncodingEnum;
import ca.uhn.fhir.rest.api.MethodOutcome;
import ca.uhn.fhir.rest.api.RequestFormatParamStyleEnum;
import ca.uhn.fhir.rest.client.api.IClientInterceptor;
import ca.uhn.fhir.rest.client.api.IGenericClient;
import ca.uhn.fhir.rest.client.api.IHttpRequest;
import ca.uhn.fhir.rest.client.api.IHttpResponse;
import ca.uhn.fhir.rest.client.api.IRestfulClientFactory;
import ca.uhn.fhir.rest.client.api.ServerValidationModeEnum;
import ca.uhn.fhir.rest.gclient.DateClientParam;
import ca.uhn.fhir.rest.gclient.IClientExecutable;
import ca.uhn.fhir.rest.gclient.IQuery;
import ca.uhn.fhir.rest.gclient.IUpdateExecutable;
import ca.uhn.fhir.rest.gclient.TokenClientParam;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.http.client.config.RequestConfig;
import org.apache.http.impl.client.CloseableHttpClient;
import org.apache.http.impl.client.HttpClients;
import org.hl7.fhir.r4.model.Appointment;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.Subscription;
import org.hms.sync.config.ConnectorConfig;
import org.hms.sync.connector.auth.AuthException;
import org.hms.sync.connector.auth.Credentials;
import org.hms.sync.connector.http.Http;
import org.hms.sync.connector.http.RetryAfter;
import org.hms.sync.connector.http.Tls;

/**
 * The FHIR server of one connector, reached with the HAPI generic client over Apache HttpClient 4
 * with the rules every connector shares: JSON, the connector's connect and request timeouts, its
 * TLS material, redirects never followed, no automatic retries (the engine retries), our
 * User-Agent, the configured headers and the {@code Authorization} header from {@link Credentials}
 * on every request. Answers are read at most {@link Http#MAX_PAGE_ANSWER_BYTES} bytes far, and a
 * JSON answer must be UTF-8 (see {@link AnswerCheck}). Calls block: the connector runs them on its own threads. Thread-safe.
 */
final class FhirEndpoint implements AutoCloseable {

  /** What the HAPI client sends as Accept when it asks for JSON. */
  static final String ACCEPT = Constants.HEADER_ACCEPT_VALUE_JSON_NON_LEGACY;

  /** Content-Type of the resources we send. */
  static final String CONTENT_TYPE = Constants.CT_FHIR_JSON_NEW + Constants.HEADER_SUFFIX_CT_UTF_8;

  private final FhirContext context;
  private final IGenericClient client;
  private final CloseableHttpClient http;
  private final Credentials credentials;
  private final long authTimeoutMillis;
  private final ThreadLocal<String> retryAfter = new ThreadLocal<>();

  FhirEndpoint(ConnectorConfig config, Credentials credentials, int connections) {
    this.credentials = credentials;
    this.authTimeoutMillis =
        config.timeouts().connect().plus(config.timeouts().request()).toMillis();
    int connectMillis = Math.toIntExact(config.timeouts().connect().toMillis());
    int requestMillis = Math.toIntExact(config.timeouts().request().toMillis());
    this.http =
        HttpClients.custom()
            .setSSLContext(Tls.context(config.tls()))
            .setMaxConnTotal(connections)
            .setMaxConnPerRoute(connections)
            .setDefaultRequestConfig(
                RequestConfig.custom()
                    .setConnectTimeout(connectMillis)
                    .setSocketTimeout(requestMillis)
                    .setConnectionRequestTimeout(requestMillis)
                    .setRedirectsEnabled(false)
                    .build())
            .disableRedirectHandling()
            .disableAutomaticRetries()
            .disableCookieManagement()
            .setUserAgent(Http.USER_AGENT)
            // after the built-in decompression: the limit counts the bytes HAPI reads
            .addInterceptorLast(new AnswerCheck(Http.MAX_PAGE_ANSWER_BYTES))
            .build();
    // The client factory belongs to the context, so each connector has its own context: its
    // HTTP client carries this connector's timeouts and TLS.
    this.context = FhirContext.forR4();
    IRestfulClientFactory factory = context.getRestfulClientFactory();
    factory.setServerValidationMode(ServerValidationModeEnum.NEVER);
    factory.setHttpClient(http);
    this.client = factory.newGenericClient(config.baseUrl().toString());
    client.setEncoding(EncodingEnum.JSON);
    client.setFormatParamStyle(RequestFormatParamStyleEnum.NONE);
    client.registerInterceptor(new Headers(config.headers()));
  }

  FhirContext context() {
    return context;
  }

  /**
   * Conditional create: the server makes the resource only when no resource matches {@code
   * ifNoneExist} (e.g. {@code identifier=urn:x|42}); else it answers 200 with the match.
   */
  MethodOutcome create(Resource resource, String ifNoneExist) {
    return authorized(client.create().resource(resource))
        .withAdditionalHeader(Constants.HEADER_IF_NONE_EXIST, ifNoneExist)
        .execute();
  }

  /**
   * Update of the resource's logical id, with {@code If-Match: W/"<version>"} when a version is
   * given (when the resource has moved on, the server answers 412, or 409 as the HAPI FHIR JPA
   * server does).
   */
  MethodOutcome update(Resource resource, String logicalId, String ifMatchVersion) {
    IdType id = new IdType(resource.fhirType(), logicalId);
    resource.setId(id);
    IUpdateExecutable update = authorized(client.update().resource(resource).withId(id));
    if (ifMatchVersion != null) {
      update = update.withAdditionalHeader(Constants.HEADER_IF_MATCH, ifMatch(ifMatchVersion));
    }
    return update.execute();
  }

  <T extends Resource> T read(Class<T> type, String logicalId) {
    return authorized(client.read().resource(type).withId(logicalId)).execute();
  }

  /**
   * Every resource of this type with the identifier {@code system|value}, first page only. Sent
   * with {@code Cache-Control: no-cache}: the HAPI FHIR JPA server answers a search it saw in the
   * last minute from its cache, which would miss a resource made since.
   */
  <T extends Resource> List<T> findByIdentifier(Class<T> type, String system, String value) {
    Bundle bundle =
        authorized(
                client
                    .search()
                    .forResource(type)
                    .where(new TokenClientParam("identifier").exactly().systemAndCode(system, value))
                    .cacheControl(new CacheControlDirective().setNoCache(true))
                    .returnBundle(Bundle.class))
            .execute();
    List<T> found = new ArrayList<>();
    for (Bundle.BundleEntryComponent entry : bundle.getEntry()) {
      if (type.isInstance(entry.getResource())) {
        found.add(type.cast(entry.getResource()));
      }
    }
    return found;
  }

  /**
   * {@code Appointment?_lastUpdated=<criterion>&_sort=_lastUpdated&_count=<count>}, e.g. with the
   * criterion {@code ge2027-03-01T08:00:00.123Z}; without {@code _lastUpdated} when the criterion is
   * null. Fresh: see {@link #fresh}.
   */
  Bundle changedAppointments(String lastUpdatedCriterion, int count) {
    IQuery<Bundle> query =
        client
            .search()
            .forResource("Appointment")
            .returnBundle(Bundle.class)
            .sort()
            .ascending("_lastUpdated")
            .count(count);
    if (lastUpdatedCriterion != null) {
      query = query.whereMap(Map.of("_lastUpdated", List.of(lastUpdatedCriterion)));
    }
    return fresh(authorized(query)).execute();
  }

  /**
   * {@code Appointment?date=ge<from>&date=lt<to>&_count=<count>}: the first page of the
   * Appointments starting in {@code [from, to)} ({@code date} is {@code Appointment.start}). The
   * bounds are FHIR instants, e.g. {@code 2027-03-01T00:00:00.000Z}. Fresh: see {@link #fresh}.
   */
  Bundle appointmentsStarting(String from, String to, int count) {
    DateClientParam date = new DateClientParam(Appointment.SP_DATE);
    return fresh(
            authorized(
                client
                    .search()
                    .forResource(Appointment.class)
                    .where(date.afterOrEquals().millis(from))
                    .and(date.before().millis(to))
                    .count(count)
                    .returnBundle(Bundle.class)))
        .execute();
  }

  /** The page the bundle's {@code next} link names, with our headers and credentials; fresh. */
  Bundle nextPage(Bundle bundle) {
    return fresh(authorized(client.loadPage().next(bundle))).execute();
  }

  /**
   * The search page at {@code url} (a {@code next} link kept from an earlier page; the caller
   * checks its origin), with our headers and credentials; fresh.
   */
  Bundle page(String url) {
    return fresh(authorized(client.loadPage().byUrl(url).andReturnBundle(Bundle.class))).execute();
  }

  /**
   * Every Subscription whose channel endpoint is {@code endpointUrl} ({@code
   * Subscription?url=<endpoint>}, first page); fresh.
   */
  List<Subscription> subscriptionsTo(String endpointUrl) {
    Bundle bundle =
        fresh(
                authorized(
                    client
                        .search()
                        .forResource(Subscription.class)
                        .where(Subscription.URL.matches().value(endpointUrl))
                        .returnBundle(Bundle.class)))
            .execute();
    List<Subscription> found = new ArrayList<>();
    for (Bundle.BundleEntryComponent entry : bundle.getEntry()) {
      if (entry.getResource() instanceof Subscription subscription) {
        found.add(subscription);
      }
    }
    return found;
  }

  /** Deletes the resource; a server that no longer has it answers 404 or 410 (an exception). */
  void delete(String resourceType, String logicalId) {
    authorized(client.delete().resourceById(new IdType(resourceType, logicalId))).execute();
  }

  /**
   * The call with {@code Cache-Control: no-cache}: a server that keeps search results for a while
   * (HAPI's JPA server reuses an unchanged search for 60 seconds) runs it again, so a change made
   * just now is in the answer.
   */
  private static <T extends IClientExecutable<T, ?>> T fresh(T call) {
    return call.withAdditionalHeader(Constants.HEADER_CACHE_CONTROL, Constants.CACHE_CONTROL_NO_CACHE);
  }

  /** The Retry-After header of the last response this thread received, if it had one. */
  Optional<String> lastRetryAfter() {
    return Optional.ofNullable(retryAfter.get());
  }

  /** The server refused our credentials: the next request fetches fresh ones. */
  void invalidateCredentials() {
    credentials.invalidate();
  }

  static String ifMatch(String version) {
    return "W/\"" + version + "\"";
  }

  /**
   * The call with the Authorization header from the credentials, if they give one. Blocks for the
   * header value: calls run on the connector's threads, never the engine's.
   */
  private <T extends IClientExecutable<T, ?>> T authorized(T call) {
    retryAfter.remove();
    String authorization = authorization();
    return authorization == null
        ? call
        : call.withAdditionalHeader(Constants.HEADER_AUTHORIZATION, authorization);
  }

  private String authorization() {
    try {
      return credentials
          .authorization()
          .get(authTimeoutMillis, TimeUnit.MILLISECONDS)
          .orElse(null);
    } catch (ExecutionException failure) {
      if (failure.getCause() instanceof AuthException auth) {
        throw auth;
      }
      throw new AuthException(
          "credentials could not be had: " + failure.getCause().getClass().getSimpleName(),
          true,
          failure.getCause());
    } catch (TimeoutException late) {
      throw new AuthException(
          "credentials were not ready within " + authTimeoutMillis + " ms", true, late);
    } catch (InterruptedException interrupted) {
      Thread.currentThread().interrupt();
      throw new AuthException("interrupted while waiting for credentials", true, interrupted);
    }
  }

  @Override
  public void close() {
    try {
      http.close();
    } catch (IOException ignored) {
      // closing idle connections; nothing to do about a failure here
    }
  }

  /**
   * Our User-Agent in place of HAPI's and the connector's configured headers on every request;
   * remembers a response's Retry-After for the thread that made the call.
   */
  private final class Headers implements IClientInterceptor {
    private final Map<String, String> configured;

    Headers(Map<String, String> configured) {
      this.configured = configured;
    }

    @Override
    public void interceptRequest(IHttpRequest request) {
      request.removeHeaders("User-Agent");
      request.addHeader("User-Agent", Http.USER_AGENT);
      configured.forEach(
          (name, value) -> {
            request.removeHeaders(name);
            request.addHeader(name, value);
          });
    }

    @Override
    public void interceptResponse(IHttpResponse response) {
      List<String> values = response.getHeaders("Retry-After");
      if (values != null && !values.isEmpty()) {
        retryAfter.set(values.get(0));
      }
    }
  }
}
