package com.zenlogic.customerservice.customer;

import com.google.i18n.phonenumbers.PhoneNumberUtil;
import com.zenlogic.customerservice.platform.config.ConfigException;
import com.zenlogic.customerservice.platform.config.ConfigReader;
import java.util.List;
import java.util.Locale;

/** Customer settings: the region of phones typed without country code, checkout statements in flight per instance. */
public record CustomerConfig(String defaultPhoneRegion, int checkoutDbInFlight) {
  public static final List<String> KEYS = List.of("DEFAULT_PHONE_REGION", "CHECKOUT_DB_IN_FLIGHT");

  public static CustomerConfig from(ConfigReader r) {
    String region = r.text("DEFAULT_PHONE_REGION", "CL").toUpperCase(Locale.ROOT);
    if (!PhoneNumberUtil.getInstance().getSupportedRegions().contains(region)) {
      throw new ConfigException("DEFAULT_PHONE_REGION", "'" + region + "' is not an ISO 3166 region libphonenumber knows");
    }
    return new CustomerConfig(region, r.positive("CHECKOUT_DB_IN_FLIGHT", CheckoutReads.DEFAULT_IN_FLIGHT));
  }
}
