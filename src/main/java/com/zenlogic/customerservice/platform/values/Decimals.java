package com.zenlogic.customerservice.platform.values;

import com.zenlogic.customerservice.platform.errors.DomainException;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * The one parser for each kind of decimal the service accepts: money (cents) and rates (points per
 * unit, multipliers). REST bodies, gRPC fields and consumed events all come through here.
 *
 * <p>Why the checks come before any arithmetic: {@code new BigDecimal("1e8000000")} is cheap, but
 * {@code setScale} or {@code toPlainString} on it expands ten million digits and holds an event loop
 * for seconds. So the text length, the scale and the number of integer digits are bounded first.
 */
public final class Decimals {
  /** Larger than any single sale, payment or credit line served; fits numeric(14,2). */
  public static final BigDecimal MONEY_MAX = new BigDecimal("1000000000");
  private static final int MAX_TEXT = 40;
  private static final String MONEY_RULE = "must be an amount from 0 to 1000000000 with at most 2 decimals";

  private Decimals() {}

  /** Money from JSON (a number or a decimal string): 0 to 1,000,000,000, at most 2 decimals, scale 2. */
  public static BigDecimal money(String field, Object value) {
    return money(field, exact(field, value, MONEY_RULE));
  }

  /** Money already typed as BigDecimal (from a domain request): the same bounds, scale 2. */
  public static BigDecimal money(String field, BigDecimal value) {
    if (value == null) {
      throw DomainException.invalid(field, "is required");
    }
    return bounded(field, value, 2, BigDecimal.ZERO, MONEY_MAX, MONEY_RULE);
  }

  /** Money the seed callers send as a double (gRPC): its shortest decimal, rounded to cents. */
  public static BigDecimal money(String field, double value) {
    if (Double.isNaN(value) || Double.isInfinite(value)) {
      throw DomainException.invalid(field, "must be a finite number");
    }
    if (value < 0) {
      throw DomainException.invalid(field, "must not be negative");
    }
    if (value > MONEY_MAX.doubleValue()) {
      throw DomainException.invalid(field, "must not exceed " + MONEY_MAX.toPlainString());
    }
    // BigDecimal.valueOf uses the shortest decimal that round-trips: 99.99 stays 99.99.
    return BigDecimal.valueOf(value).setScale(2, RoundingMode.HALF_EVEN);
  }

  /** A money amount that must be greater than zero. */
  public static BigDecimal positiveMoney(String field, Object value) {
    return positive(field, money(field, value));
  }

  public static BigDecimal positiveMoney(String field, double value) {
    return positive(field, money(field, value));
  }

  /**
   * A rate (points per unit, a tier multiplier): greater than 0, at most {@code max}, at most
   * {@code scale} decimals (the column's), returned exact (trailing zeros stripped).
   */
  public static BigDecimal rate(String field, Object value, int scale, BigDecimal max) {
    String rule = "must be a number greater than 0 and at most " + max.toPlainString() + " with at most " + scale + " decimals";
    BigDecimal d = exact(field, value, rule);
    if (d.signum() <= 0) {
      throw DomainException.invalid(field, rule);
    }
    BigDecimal r = bounded(field, d, scale, BigDecimal.ZERO, max, rule).stripTrailingZeros();
    return r.scale() < 0 ? r.setScale(0) : r;
  }

  /** A rate sent as a double (gRPC points_rate). */
  public static BigDecimal rate(String field, double value, int scale, BigDecimal max) {
    if (Double.isNaN(value) || Double.isInfinite(value)) {
      throw DomainException.invalid(field, "must be a finite number");
    }
    return rate(field, BigDecimal.valueOf(value), scale, max);
  }

  /** Largest quantity of one purchased line (units, kilos, litres); fits numeric(14,3). */
  public static final BigDecimal QUANTITY_MAX = new BigDecimal("100000");

  /**
   * A purchased quantity (JSON number or decimal string): greater than 0, at most 100000, at most 3
   * decimals (1.5 kg of apples), returned at scale 3.
   */
  public static BigDecimal quantity(String field, Object value) {
    String rule = "must be a quantity greater than 0 and at most 100000 with at most 3 decimals";
    BigDecimal d = exact(field, value, rule);
    if (d.signum() <= 0) {
      throw DomainException.invalid(field, rule);
    }
    return bounded(field, d, 3, BigDecimal.ZERO, QUANTITY_MAX, rule);
  }

  private static BigDecimal positive(String field, BigDecimal amount) {
    if (amount.signum() == 0) {
      throw DomainException.invalid(field, "must be greater than zero");
    }
    return amount;
  }

  /** At most 15 digits: far beyond any balance, and exact in a JSON number. */
  public static final long POINTS_MAX = 999_999_999_999_999L;

  /**
   * A whole, non-negative number of points written as text (a CSV cell) or a JSON integer;
   * blank or null is 0. Points are BIGINT, never a decimal.
   */
  public static long points(String field, Object value) {
    if (value == null) {
      return 0;
    }
    if (value instanceof Integer || value instanceof Long || value instanceof Short) {
      long n = ((Number) value).longValue();
      if (n < 0 || n > POINTS_MAX) {
        throw DomainException.invalid(field, "must be a whole number of points from 0 to " + POINTS_MAX);
      }
      return n;
    }
    if (!(value instanceof String s)) {
      throw DomainException.invalid(field, "must be a whole number of points");
    }
    String text = s.strip();
    if (text.isEmpty()) {
      return 0;
    }
    if (text.length() > 15 || !text.chars().allMatch(c -> c >= '0' && c <= '9')) {
      throw DomainException.invalid(field, "must be a whole number of points from 0 to " + POINTS_MAX);
    }
    return Long.parseLong(text);
  }

  /** The exact decimal a JSON value spells, with trailing zeros stripped; never expands an exponent. */
  private static BigDecimal exact(String field, Object value, String rule) {
    if (value == null) {
      throw DomainException.invalid(field, "is required");
    }
    if (value instanceof BigDecimal b) {
      return b;
    }
    String text;
    if (value instanceof Double || value instanceof Float) {
      double d = ((Number) value).doubleValue();
      if (Double.isNaN(d) || Double.isInfinite(d)) {
        throw DomainException.invalid(field, rule);
      }
      // Number.toString of a parsed JSON number is its shortest exact decimal: 99.99 stays 99.99.
      text = value.toString();
    } else if (value instanceof Number n) {
      text = n.toString();
    } else if (value instanceof String s) {
      text = s.trim();
    } else {
      throw DomainException.invalid(field, "must be a decimal number");
    }
    if (text.isEmpty() || text.length() > MAX_TEXT) {
      throw DomainException.invalid(field, rule);
    }
    try {
      return new BigDecimal(text);
    } catch (NumberFormatException | ArithmeticException e) {
      throw DomainException.invalid(field, "must be a decimal number");
    }
  }

  private static BigDecimal bounded(String field, BigDecimal d, int scale, BigDecimal min, BigDecimal max, String rule) {
    // precision - scale = digits before the point; checked before compareTo or setScale can expand.
    long integerDigits = (long) d.precision() - d.scale();
    if (integerDigits > max.precision() - max.scale() + 1) {
      throw DomainException.invalid(field, rule);
    }
    if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
      throw DomainException.invalid(field, rule);
    }
    // Now |d| is bounded, so stripping and rescaling cost nothing.
    BigDecimal stripped = d.stripTrailingZeros();
    if (stripped.scale() > scale) {
      throw DomainException.invalid(field, rule);
    }
    return d.setScale(scale, RoundingMode.UNNECESSARY);
  }
}
