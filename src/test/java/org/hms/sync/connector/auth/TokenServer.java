package org.hms.sync.connector.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jwt.SignedJWT;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real OAuth 2.0 token endpoint on a free loopback port, at {@code /token}. It checks what a
 * strict authorization server checks: {@code grant_type=client_credentials}, and either the
 * client's HTTP Basic credentials (client_secret_basic, form-urlencoded as RFC 6749 2.3.1 says) or
 * the signature of a {@code private_key_jwt} client assertion. It issues {@code token-1}, {@code
 * token-2}, ... unless told to answer otherwise, and records every request.
 */
final class TokenServer implements AutoCloseable {

  /** One token request as it arrived; {@code form} is decoded from the raw body. */
  record TokenRequest(
      String method,
      String contentType,
      String accept,
      String authorization,
      Map<String, String> form) {
    String param(String name) {
      return form.get(name);
    }
  }

  private record Answer(int status, String body) {}

  private final Javalin server;
  private final List<TokenRequest> received = new CopyOnWriteArrayList<>();
  private final ConcurrentLinkedQueue<Answer> script = new ConcurrentLinkedQueue<>();
  private final AtomicInteger issued = new AtomicInteger();
  private volatile String expectedBasic;
  private volatile JWSVerifier assertionVerifier;
  private volatile String expiresIn = "3600";
  private volatile CountDownLatch gate;

  private TokenServer() {
    server =
        Javalin.create(
            config -> {
              config.showJavalinBanner = false;
              config.startupWatcherEnabled = false;
            });
    server.post("/token", this::token);
  }

  static TokenServer start() {
    TokenServer tokens = new TokenServer();
    tokens.server.start("127.0.0.1", 0);
    return tokens;
  }

  /** Accept only this client id and secret, by HTTP Basic. */
  TokenServer requireClient(String clientId, String clientSecret) {
    String pair = encode(clientId) + ":" + encode(clientSecret);
    expectedBasic =
        "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8));
    return this;
  }

  /** Accept only client assertions whose signature this verifier accepts. */
  TokenServer requireAssertionVerifiedBy(JWSVerifier verifier) {
    assertionVerifier = verifier;
    return this;
  }

  /** {@code expires_in} of issued tokens, as raw JSON; {@code null} leaves it out. */
  TokenServer expiresIn(String rawJson) {
    expiresIn = rawJson;
    return this;
  }

  /** The next request is answered so (then the following one, ...), before any token is issued. */
  TokenServer answerNext(int status, String body) {
    script.add(new Answer(status, body));
    return this;
  }

  /** Requests wait (unanswered) until {@link #release()}. */
  TokenServer hold() {
    gate = new CountDownLatch(1);
    return this;
  }

  void release() {
    CountDownLatch held = gate;
    if (held != null) {
      held.countDown();
    }
  }

  URI tokenUrl() {
    return URI.create("http://127.0.0.1:" + server.port() + "/token");
  }

  List<TokenRequest> received() {
    return List.copyOf(received);
  }

  int requestCount() {
    return received.size();
  }

  @Override
  public void close() {
    release();
    server.stop();
  }

  private void token(Context context) throws InterruptedException {
    Map<String, String> form = decode(context.body());
    received.add(
        new TokenRequest(
            context.method().name(),
            context.header("Content-Type"),
            context.header("Accept"),
            context.header("Authorization"),
            form));
    CountDownLatch held = gate;
    if (held != null && !held.await(30, TimeUnit.SECONDS)) {
      context.status(504);
      return;
    }
    Answer scripted = script.poll();
    if (scripted != null) {
      answer(context, scripted.status(), scripted.body());
      return;
    }
    if (!"client_credentials".equals(form.get("grant_type"))) {
      answer(context, 400, "{\"error\":\"unsupported_grant_type\"}");
      return;
    }
    if (expectedBasic != null && !expectedBasic.equals(context.header("Authorization"))) {
      answer(context, 401, "{\"error\":\"invalid_client\",\"error_description\":\"bad client\"}");
      return;
    }
    if (assertionVerifier != null && !assertionVerifies(form)) {
      answer(
          context,
          401,
          "{\"error\":\"invalid_client\",\"error_description\":\"assertion not verified\"}");
      return;
    }
    String token = "token-" + issued.incrementAndGet();
    answer(
        context,
        200,
        "{\"access_token\":\"" + token + "\",\"token_type\":\"Bearer\""
            + (expiresIn == null ? "" : ",\"expires_in\":" + expiresIn)
            + "}");
  }

  private boolean assertionVerifies(Map<String, String> form) {
    if (!SmartAssertion.ASSERTION_TYPE.equals(form.get("client_assertion_type"))
        || form.get("client_assertion") == null) {
      return false;
    }
    try {
      return SignedJWT.parse(form.get("client_assertion")).verify(assertionVerifier);
    } catch (ParseException | JOSEException unverifiable) {
      return false;
    }
  }

  private static void answer(Context context, int status, String body) {
    context.status(status).contentType("application/json").result(body);
  }

  private static Map<String, String> decode(String body) {
    Map<String, String> form = new LinkedHashMap<>();
    if (body == null || body.isEmpty()) {
      return form;
    }
    for (String pair : body.split("&")) {
      int equals = pair.indexOf('=');
      String name = equals < 0 ? pair : pair.substring(0, equals);
      String value = equals < 0 ? "" : pair.substring(equals + 1);
      form.put(
          URLDecoder.decode(name, StandardCharsets.UTF_8),
          URLDecoder.decode(value, StandardCharsets.UTF_8));
    }
    return form;
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }
}
