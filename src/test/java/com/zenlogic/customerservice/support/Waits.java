package com.zenlogic.customerservice.support;

import java.util.function.BooleanSupplier;

/** Polls until a condition holds or time is up: for effects that arrive later (events, relays, jobs, other nodes). */
public final class Waits {
  private Waits() {}

  public static void waitFor(BooleanSupplier condition, String what) throws InterruptedException {
    waitFor(condition, what, 30_000);
  }

  public static void waitFor(BooleanSupplier condition, String what, long millis) throws InterruptedException {
    long deadline = System.currentTimeMillis() + millis;
    while (!condition.getAsBoolean()) {
      if (System.currentTimeMillis() > deadline) {
        throw new AssertionError("timed out waiting: " + what);
      }
      Thread.sleep(50);
    }
  }
}
