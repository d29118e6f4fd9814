package com.zenlogic.customerservice.customer;

import com.zenlogic.customerservice.platform.auth.Caller;
import com.zenlogic.customerservice.platform.errors.DomainException;
import io.vertx.core.Future;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/** Reads and replaces a customer's preferences; a consent's timestamp moves only when its value changes. */
public final class PreferenceService {
  private final CustomerService customers;

  public PreferenceService(CustomerService customers) {
    this.customers = customers;
  }

  public Future<Preferences> get(Caller caller, UUID customerId) {
    return customers.readDetails(caller, customerId, conn -> PreferencesRepository.find(conn, caller.organizationId(), customerId));
  }

  /** Replaces the lists; consent maps channel to granted, and channels left out keep their current consent. */
  public Future<Preferences> replace(Caller caller, UUID customerId, List<String> favouriteChannels,
                                     List<String> categories, List<String> restrictions, Map<String, Boolean> consent) {
    List<String> channels = codes("favourite_channels", favouriteChannels, Preferences.SHOPPING_CHANNELS);
    List<String> cats = codes("categories_of_interest", categories, null);
    List<String> restr = codes("restrictions", restrictions, null);
    consent.keySet().forEach(ch -> {
      if (!Preferences.CONTACT_CHANNELS.contains(ch)) {
        throw DomainException.invalid("marketing_consent", ch + " is not one of " + Preferences.CONTACT_CHANNELS);
      }
    });
    return customers.changeDetails(caller, customerId, "preferences", conn ->
        PreferencesRepository.find(conn, caller.organizationId(), customerId).compose(current -> {
          // PostgreSQL keeps microseconds: the consent history (V16) then shows the very instant the preferences do.
          Instant now = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MICROS);
          Map<String, Preferences.Consent> merged = new LinkedHashMap<>(current.marketingConsent());
          consent.forEach((ch, granted) -> {
            Preferences.Consent before = merged.get(ch);
            if (before == null || before.granted() != granted) {
              merged.put(ch, new Preferences.Consent(granted, now));
            }
          });
          return PreferencesRepository.save(conn, caller.organizationId(), customerId,
              new Preferences(channels, cats, restr, merged, now));
        }));
  }

  private static List<String> codes(String field, List<String> raw, List<String> allowed) {
    LinkedHashSet<String> out = new LinkedHashSet<>();
    for (String s : raw) {
      String code = s == null ? "" : s.strip().toLowerCase(Locale.ROOT);
      if (code.isEmpty() || code.length() > 60) {
        throw DomainException.invalid(field, "entries must be 1 to 60 characters");
      }
      if (allowed != null && !allowed.contains(code)) {
        throw DomainException.invalid(field, code + " is not one of " + allowed);
      }
      out.add(code);
    }
    if (out.size() > 50) {
      throw DomainException.invalid(field, "at most 50 entries");
    }
    return List.copyOf(out);
  }
}
