package org.hms.sync.simulator;

/**
 * One ORDER group of a VXU^V04, as the stand-in registry reads it.
 *
 * @param sequence which ORDER group, from 1: also the sequence of its ORC and RXA segments
 * @param vaccinationId ORC-3.1
 * @param cvxCode RXA-5.1
 * @param lotNumber RXA-15 (first repetition), or {@code null}
 * @param action RXA-21: {@code A}, {@code U} or {@code D} ({@code A} when empty, as HL7 says)
 */
record VxuOrder(
    int sequence, String vaccinationId, String cvxCode, String lotNumber, String action) {}
