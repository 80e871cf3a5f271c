package org.hms.sync;

import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * New identifiers: version 7 UUIDs (RFC 9562), whose leading 48 bits are the Unix time in
 * milliseconds. They sort by creation time, so B-tree indexes on them grow at their right edge
 * instead of touching a random page per insert, which keeps commits small.
 */
public final class Ids {
  private Ids() {}

  public static String newId() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    long millis = System.currentTimeMillis();
    long mostSignificant = (millis << 16) | 0x7000L | (random.nextLong() & 0x0FFFL);
    long leastSignificant = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
    return new UUID(mostSignificant, leastSignificant).toString();
  }
}
