package com.zenlogic.customerservice.customer;

import com.google.i18n.phonenumbers.NumberParseException;
import com.google.i18n.phonenumbers.PhoneNumberUtil;
import com.google.i18n.phonenumbers.Phonenumber.PhoneNumber;
import com.zenlogic.customerservice.platform.errors.DomainException;

/** Phones are stored and matched in E.164, so "+56 9 4123 4567" and "941234567" are the same customer. */
public final class PhoneNumbers {
  private static final PhoneNumberUtil UTIL = PhoneNumberUtil.getInstance();

  private PhoneNumbers() {}

  /** E.164 form of a number typed in any format, read with the organization's region when it has no country code. */
  public static String normalise(String field, String raw, String defaultRegion) {
    if (raw == null || raw.isBlank()) {
      throw DomainException.invalid(field, "is empty");
    }
    if (raw.length() > 40) {
      throw DomainException.invalid(field, "is too long to be a phone number");
    }
    try {
      PhoneNumber number = UTIL.parse(raw, defaultRegion);
      if (!UTIL.isValidNumber(number)) {
        throw DomainException.invalid(field, "is not a valid phone number for " + regionOf(number, defaultRegion));
      }
      return UTIL.format(number, PhoneNumberUtil.PhoneNumberFormat.E164);
    } catch (NumberParseException e) {
      throw DomainException.invalid(field, "is not a phone number");
    }
  }

  private static String regionOf(PhoneNumber number, String fallback) {
    String region = UTIL.getRegionCodeForCountryCode(number.getCountryCode());
    return "ZZ".equals(region) ? fallback : region;
  }
}
