package org.hms.sync.launcher;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ForkJoinPool;

/**
 * Run in a JVM of its own by {@link CommonPoolTest}: widens the common pool as {@code main} does
 * (unless told not to) and prints the pool's parallelism and CompletableFuture's default executor.
 */
public final class CommonPoolProbe {
  private CommonPoolProbe() {}

  public static void main(String[] args) {
    if (args.length == 0 || !args[0].equals("--as-the-jdk-would")) {
      Main.widenCommonPool();
    }
    System.out.println(
        ForkJoinPool.getCommonPoolParallelism()
            + " "
            + new CompletableFuture<Void>().defaultExecutor().getClass().getSimpleName());
  }
}
