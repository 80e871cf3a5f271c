package org.hms.sync.http;

import org.hms.sync.SyncException;

/** An error answer (RFC 7807): status, short title, and a detail that says what to do. */
final class Problem extends SyncException {
  private final int status;
  private final String title;

  Problem(int status, String title, String detail) {
    super(detail);
    this.status = status;
    this.title = title;
  }

  int status() {
    return status;
  }

  String title() {
    return title;
  }

  static Problem badRequest(String detail) {
    return new Problem(400, "Bad Request", detail);
  }

  static Problem notFound(String detail) {
    return new Problem(404, "Not Found", detail);
  }

  static Problem conflict(String detail) {
    return new Problem(409, "Conflict", detail);
  }
}
