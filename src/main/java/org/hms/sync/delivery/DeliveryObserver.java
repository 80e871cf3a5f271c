package org.hms.sync.delivery;

/** Hears every recorded attempt (metrics, the demo timeline). Must be fast and must not throw. */
@FunctionalInterface
public interface DeliveryObserver {
  void onAttempt(AttemptEvent event);

  DeliveryObserver NONE = event -> {};
}
