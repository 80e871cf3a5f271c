package org.hms.sync.demo;

import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description =
        "Run the guided demo on a fresh embedded H2 database with a stand-in IIS, print the"
            + " timeline and a verdict, then keep serving the API (unless --exit).")
public final class DemoCommand implements Callable<Integer> {
  @Option(names = "--exit", description = "exit after the verdict instead of serving the API")
  boolean exit;

  @Option(
      names = "--outage",
      defaultValue = "10",
      description = "seconds the IIS stays down in the scenario (default: ${DEFAULT-VALUE})")
  int outageSeconds;

  @Override
  public Integer call() throws Exception {
    Demo demo = new Demo(System.out, Duration.ofSeconds(Math.max(1, outageSeconds)));
    Runtime.getRuntime().addShutdownHook(new Thread(demo::close, "hms-demo-shutdown"));
    boolean inSync = demo.run();
    if (!exit) {
      demo.serveForever();
    }
    demo.close();
    return inSync ? 0 : 1;
  }
}
