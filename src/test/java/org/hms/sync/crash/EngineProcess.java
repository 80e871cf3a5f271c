package org.hms.sync.crash;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;

/** The service running as `serve` in its own JVM, so a test can SIGKILL or SIGTERM it. */
final class EngineProcess {
  private final Process process;
  private final int port;

  private EngineProcess(Process process, int port) {
    this.process = process;
    this.port = port;
  }

  static EngineProcess start(Path config, int port, String adminToken, Path log) throws IOException {
    return start(config, port, adminToken, log, java.util.Map.of());
  }

  /** With more environment variables for the configuration's {@code ${...}}. */
  static EngineProcess start(
      Path config, int port, String adminToken, Path log, java.util.Map<String, String> env)
      throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder builder =
        new ProcessBuilder(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
            "org.hms.sync.launcher.Main", "serve", "--config", config.toString())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    builder.environment().put("HMS_ADMIN_TOKEN", adminToken);
    builder.environment().putAll(env);
    EngineProcess engine = new EngineProcess(builder.start(), port);
    engine.awaitReady(Duration.ofSeconds(60));
    return engine;
  }

  private void awaitReady(Duration timeout) {
    HttpClient client = HttpClient.newHttpClient();
    HttpRequest ready =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health/ready"))
            .timeout(Duration.ofSeconds(1))
            .build();
    org.awaitility.Awaitility.await("engine process ready")
        .atMost(timeout)
        .pollInterval(Duration.ofMillis(100))
        .until(
            () -> {
              if (!process.isAlive()) {
                throw new IllegalStateException(
                    "engine process exited with " + process.exitValue() + " before it was ready");
              }
              try {
                return client.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode()
                    == 200;
              } catch (IOException notYet) {
                return false;
              }
            });
  }

  /** SIGKILL: no shutdown hook, no graceful anything. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor();
  }

  /**
   * SIGTERM ({@link Process#destroy()} on Linux), then waits for the process to end.
   *
   * @return its exit code
   */
  int terminate(Duration timeout) throws InterruptedException {
    process.destroy();
    if (!process.waitFor(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
      kill();
      throw new AssertionError("the engine process did not end within " + timeout + " of SIGTERM");
    }
    return process.exitValue();
  }

  boolean isAlive() {
    return process.isAlive();
  }

  void stop() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
      kill();
    }
  }
}
