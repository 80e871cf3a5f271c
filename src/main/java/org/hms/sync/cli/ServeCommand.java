package org.hms.sync.cli;

import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.hms.sync.app.SyncApp;
import org.hms.sync.config.SyncConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;

@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    description = "Run the HTTP API and the delivery engine until stopped (SIGTERM or Ctrl-C).")
final class ServeCommand implements Callable<Integer> {
  @CommandLine.Mixin ConfigFile config;

  @Override
  public Integer call() throws InterruptedException {
    SyncConfig loaded = config.load();
    String token = loaded.server().adminToken();
    if (token == null || token.isBlank()) {
      throw new org.hms.sync.SyncException(
          "server.adminToken is not set in "
              + config.path
              + "; set it (usually to ${HMS_ADMIN_TOKEN}) or export HMS_ADMIN_TOKEN");
    }
    SyncApp app = SyncApp.create(loaded);
    try {
      app.startServer(token).startEngine();
    } catch (RuntimeException failure) {
      app.close();
      throw failure;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  app.close();
                  stopped.countDown();
                },
                "hms-shutdown"));
    System.out.println("hms-sync serving on http://127.0.0.1:" + app.port() + " (Ctrl-C to stop)");
    stopped.await();
    return 0;
  }
}
