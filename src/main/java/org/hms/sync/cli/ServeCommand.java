package org.hms.sync.cli;

import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.hms.sync.config.SyncConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;

@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    description = "Run the HTTP API and the delivery engine until stopped (SIGTERM or Ctrl-C).")
public final class ServeCommand implements Callable<Integer> {
  @CommandLine.Mixin ConfigFile config;

  private final Service.Opener opener;

  public ServeCommand(Service.Opener opener) {
    this.opener = opener;
  }

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
    Service app = opener.open(loaded);
    try {
      app.serve(token);
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
