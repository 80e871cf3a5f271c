package org.hms.sync.simulator;

/**
 * One immunization as the stand-in registry holds it after the VXUs it accepted for one ORC-3.
 *
 * @param vaccinationId ORC-3.1, the sender's filler order number: the record's key
 * @param cvxCode RXA-5.1 of the last add or update
 * @param lotNumber RXA-15 of the last add or update, or {@code null} when it had none
 * @param lastAction RXA-21 of the last accepted VXU: {@code A}, {@code U} or {@code D}
 * @param messages how many accepted VXUs named this ORC-3 (a retried add counts again)
 * @param deleted true after a {@code D}, until a later {@code A} or {@code U} restores it
 */
public record Vaccination(
    String vaccinationId,
    String cvxCode,
    String lotNumber,
    String lastAction,
    int messages,
    boolean deleted) {}
