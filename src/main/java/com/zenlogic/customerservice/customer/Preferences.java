package com.zenlogic.customerservice.customer;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * How a customer likes to be served and contacted. Marketing consent is kept per channel with the
 * moment it was last given or withdrawn, which is what a data-protection audit asks for.
 */
public record Preferences(
    List<String> favouriteChannels,
    List<String> categoriesOfInterest,
    List<String> restrictions,
    Map<String, Consent> marketingConsent,
    Instant updatedAt) {

  public static final List<String> SHOPPING_CHANNELS = List.of("pos", "online", "phone", "whatsapp", "delivery", "salesperson");
  public static final List<String> CONTACT_CHANNELS = List.of("email", "sms", "whatsapp", "phone", "push", "mail");

  public static Preferences empty() {
    return new Preferences(List.of(), List.of(), List.of(), Map.of(), null);
  }

  public record Consent(boolean granted, Instant updatedAt) {}
}
