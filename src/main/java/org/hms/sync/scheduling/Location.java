package org.hms.sync.scheduling;

/** A clinic or site where slots are offered. */
public record Location(String id, String code, String name) {}
