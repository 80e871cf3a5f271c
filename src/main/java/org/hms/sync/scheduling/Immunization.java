package org.hms.sync.scheduling;

import java.time.Instant;

/**
 * The dose given when an appointment is completed. {@code cvxCode} is required; the rest is
 * optional. {@code dose} is the administered amount as written by the clinician (e.g. "0.3 mL").
 */
public record Immunization(
    String cvxCode,
    String lotNumber,
    String dose,
    String manufacturer,
    String route,
    String site,
    Instant administeredAt) {}
