package org.hms.sync.cli;

public final class Main {
  public static void main(String[] args) {}
}
