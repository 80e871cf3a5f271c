package org.hms.sync.connector;

import java.net.URI;
import java.util.Map;
import java.util.TreeMap;

/** A request exactly as a connector would send it; {@link #redacted()} hides credentials. */
public record OutboundRequest(String method, URI uri, Map<String, String> headers, String body) {
  public OutboundRequest redacted() {
    Map<String, String> safe = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    headers.forEach(
        (name, value) -> {
          if (name.equalsIgnoreCase("Authorization")) {
            int space = value.indexOf(' ');
            safe.put(name, (space > 0 ? value.substring(0, space + 1) : "") + "***");
          } else {
            safe.put(name, value);
          }
        });
    return new OutboundRequest(method, uri, safe, body);
  }
}
