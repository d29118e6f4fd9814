package com.zenlogic.customerservice.loyalty;

import com.zenlogic.customerservice.platform.errors.DomainException;
import java.math.BigDecimal;
import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.LocalTime;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * One earning rule of an organization (a promotion as data): a condition on the purchase (items by
 * product id or category, minimum amount, dates, a weekly time window in the program's time zone,
 * tiers) and an effect (a multiplier on the matching amount's points, or fixed bonus points), with an
 * optional cap per customer and day / week / month. See docs/loyalty-rules.md.
 */
public record EarningRule(
    UUID id,
    String name,
    boolean active,
    List<String> productIds,
    List<String> categories,
    BigDecimal minAmount,
    LocalDate validFrom,
    LocalDate validTo,
    List<DayOfWeek> days,
    LocalTime timeFrom,
    LocalTime timeTo,
    List<String> tiers,
    BigDecimal multiplier,
    Long bonusPoints,
    Long capPoints,
    String capPeriod) {

  public static final Set<String> CAP_PERIODS = Set.of("day", "week", "month");
  public static final BigDecimal MAX_MULTIPLIER = BigDecimal.TEN;
  public static final long MAX_POINTS = 1_000_000_000L;

  public EarningRule {
    productIds = productIds == null ? List.of() : List.copyOf(productIds);
    categories = categories == null ? List.of() : List.copyOf(categories);
    days = days == null ? List.of() : List.copyOf(days);
    tiers = tiers == null ? List.of() : List.copyOf(tiers);
  }

  public EarningRule withId(UUID newId) {
    return new EarningRule(newId, name, active, productIds, categories, minAmount, validFrom, validTo, days, timeFrom, timeTo, tiers,
        multiplier, bonusPoints, capPoints, capPeriod);
  }

  /** A rule without product or category condition applies to the whole amount. */
  public boolean onItems() {
    return !productIds.isEmpty() || !categories.isEmpty();
  }

  /** Checks what an admin may save against the program it belongs to (its tiers); names the wrong field. */
  public EarningRule validated(LoyaltyProgram program) {
    if (name == null || name.isBlank() || name.length() > 100) {
      throw DomainException.invalid("name", "is required (at most 100 characters)");
    }
    if (productIds.size() > 500 || productIds.stream().anyMatch(p -> p == null || p.isBlank() || p.length() > 100)) {
      throw DomainException.invalid("condition.product_ids", "at most 500 ids of 1 to 100 characters");
    }
    if (categories.size() > 100 || categories.stream().anyMatch(c -> c == null || c.isBlank() || c.length() > 100)) {
      throw DomainException.invalid("condition.categories", "at most 100 categories of 1 to 100 characters");
    }
    if (minAmount != null && (minAmount.signum() < 0 || minAmount.scale() > 2)) {
      throw DomainException.invalid("condition.min_amount", "must not be negative (at most 2 decimals)");
    }
    if (validFrom != null && validTo != null && validTo.isBefore(validFrom)) {
      throw DomainException.invalid("condition.valid_to", "must not be before valid_from");
    }
    if ((timeFrom == null) != (timeTo == null)) {
      throw DomainException.invalid(timeFrom == null ? "condition.time_from" : "condition.time_to",
          "a time window needs both time_from and time_to");
    }
    if (timeFrom != null && !timeTo.isAfter(timeFrom)) {
      throw DomainException.invalid("condition.time_to", "must be after time_from (a window within one day)");
    }
    for (String tier : tiers) {
      if (program.tiers().stream().noneMatch(t -> t.code().equals(tier))) {
        throw DomainException.invalid("condition.tiers", "unknown tier " + tier + " (the program has "
            + String.join(", ", program.tiers().stream().map(Tier::code).toList()) + ")");
      }
    }
    if ((multiplier == null) == (bonusPoints == null)) {
      throw DomainException.invalid("effect", "give exactly one of multiplier or bonus_points");
    }
    if (multiplier != null && (multiplier.compareTo(BigDecimal.ONE) <= 0 || multiplier.compareTo(MAX_MULTIPLIER) > 0
        || multiplier.stripTrailingZeros().scale() > 4)) {
      throw DomainException.invalid("effect.multiplier", "must be greater than 1 and at most 10 (at most 4 decimals)");
    }
    if (bonusPoints != null && (bonusPoints < 1 || bonusPoints > MAX_POINTS)) {
      throw DomainException.invalid("effect.bonus_points", "must be 1 to 1000000000");
    }
    if ((capPoints == null) != (capPeriod == null)) {
      throw DomainException.invalid(capPoints == null ? "cap.points" : "cap.period", "a cap needs both points and period");
    }
    if (capPoints != null && (capPoints < 1 || capPoints > MAX_POINTS)) {
      throw DomainException.invalid("cap.points", "must be 1 to 1000000000");
    }
    if (capPeriod != null && !CAP_PERIODS.contains(capPeriod)) {
      throw DomainException.invalid("cap.period", "must be day, week or month");
    }
    return this;
  }
}
