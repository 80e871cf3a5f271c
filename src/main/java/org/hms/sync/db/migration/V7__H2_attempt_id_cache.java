package org.hms.sync.db.migration;

import java.sql.Statement;
import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;

/**
 * H2 only: the sync log's identity hands out ids from a cache of 1024 instead of 32. H2 writes a
 * sequence's position to its file, with a commit of its own, each time the cache runs out; with
 * a durable commit per write (WRITE_DELAY=0) that was one extra store commit per 32 recorded
 * attempts, 8% of the delivery pump's time. H2 keeps one cache per database, so ids still
 * follow the order attempts were recorded in (a restart skips the unused rest). PostgreSQL is
 * left as it is: there a cache is per session, and attempts are listed in id order.
 */
public class V7__H2_attempt_id_cache extends BaseJavaMigration {
  @Override
  public void migrate(Context context) throws Exception {
    String product = context.getConnection().getMetaData().getDatabaseProductName();
    if (!"H2".equalsIgnoreCase(product)) {
      return;
    }
    try (Statement statement = context.getConnection().createStatement()) {
      statement.execute("ALTER TABLE delivery_attempt ALTER COLUMN id SET CACHE 1024");
    }
  }
}
