package com.zenlogic.customerservice.loyalty;

import com.zenlogic.customerservice.platform.errors.DomainException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Comparator;
import java.util.List;

/**
 * An organization's loyalty rules. Defaults are the seeds': 1 point per $1 rounded down,
 * 100 points = $1, tiers Bronze/Silver/Gold/Platinum at 0/1,000/5,000/15,000 qualifying points in
 * 12 months with multipliers 1.0/1.2/1.5/2.0 (applied under the tiered strategy only).
 */
public record LoyaltyProgram(
    String strategy,
    BigDecimal pointsPerUnit,
    BigDecimal maxPointsRate,
    int pointsPerMoneyUnit,
    int minRedemption,
    int tierWindowMonths,
    int downgradeGraceDays,
    Integer expiryMonths,
    int holdMinutes,
    List<Tier> tiers,
    boolean transfersEnabled,
    Long maxTransferPoints,
    int expiringNoticeDays,
    String timeZone,
    int pendingDays) {

  public static final String STANDARD = "standard";
  public static final String TIERED = "tiered";

  /** Earning rules' dates and time windows are read in the organization's zone; this until set. */
  public static final String DEFAULT_TIME_ZONE = "America/Santiago";

  public static final LoyaltyProgram DEFAULT = new LoyaltyProgram(STANDARD, BigDecimal.ONE, BigDecimal.ONE, 100, 100, 12, 30, 12, 15,
      List.of(
          new Tier("bronze", 0, new BigDecimal("1.0"), List.of("1 point per $1")),
          new Tier("silver", 1_000, new BigDecimal("1.2"), List.of("1.2x points (tiered programs)", "birthday bonus")),
          new Tier("gold", 5_000, new BigDecimal("1.5"), List.of("1.5x points (tiered programs)", "birthday bonus", "free delivery")),
          new Tier("platinum", 15_000, new BigDecimal("2.0"),
              List.of("2x points (tiered programs)", "birthday bonus", "free delivery", "priority service"))));

  /** Bounds of what an admin or a POS may set; rates fit the numeric(12,4) columns. */
  public static final BigDecimal MAX_RATE = new BigDecimal("1000");
  public static final BigDecimal MAX_MULTIPLIER = BigDecimal.TEN;

  /** The longest return window a program may set (pending_days). */
  public static final int MAX_PENDING_DAYS = 365;
  /** Days before a lot expires that loyalty.points.expiring is published, unless the program says otherwise. */
  public static final int DEFAULT_EXPIRING_NOTICE_DAYS = 30;

  public LoyaltyProgram {
    tiers = tiers.stream().sorted(Comparator.comparingLong(Tier::threshold)).toList();
    timeZone = timeZone == null ? DEFAULT_TIME_ZONE : timeZone;
  }

  /** The organization's time zone (validated on save). */
  public java.time.ZoneId zone() {
    return java.time.ZoneId.of(timeZone);
  }

  /** The rate an earn applies: a POS-requested rate up to max_points_rate; 0 or absent, the program's. */
  public BigDecimal rateFor(BigDecimal requestedRate) {
    return requestedRate == null || requestedRate.signum() <= 0 ? pointsPerUnit : requestedRate.min(maxPointsRate);
  }

  /** A program with transfers off, the default expiring notice and the default time zone (the seeds' form). */
  public LoyaltyProgram(String strategy, BigDecimal pointsPerUnit, BigDecimal maxPointsRate, int pointsPerMoneyUnit, int minRedemption,
                        int tierWindowMonths, int downgradeGraceDays, Integer expiryMonths, int holdMinutes, List<Tier> tiers) {
    this(strategy, pointsPerUnit, maxPointsRate, pointsPerMoneyUnit, minRedemption, tierWindowMonths, downgradeGraceDays, expiryMonths,
        holdMinutes, tiers, false, null, DEFAULT_EXPIRING_NOTICE_DAYS, DEFAULT_TIME_ZONE);
  }

  /** A program without a return window: points are available when earned. */
  public LoyaltyProgram(String strategy, BigDecimal pointsPerUnit, BigDecimal maxPointsRate, int pointsPerMoneyUnit, int minRedemption,
                        int tierWindowMonths, int downgradeGraceDays, Integer expiryMonths, int holdMinutes, List<Tier> tiers,
                        boolean transfersEnabled, Long maxTransferPoints, int expiringNoticeDays, String timeZone) {
    this(strategy, pointsPerUnit, maxPointsRate, pointsPerMoneyUnit, minRedemption, tierWindowMonths, downgradeGraceDays, expiryMonths,
        holdMinutes, tiers, transfersEnabled, maxTransferPoints, expiringNoticeDays, timeZone, 0);
  }

  /** The same program with a return window of {@code days} (0: off). */
  public LoyaltyProgram withPendingDays(int days) {
    return new LoyaltyProgram(strategy, pointsPerUnit, maxPointsRate, pointsPerMoneyUnit, minRedemption, tierWindowMonths,
        downgradeGraceDays, expiryMonths, holdMinutes, tiers, transfersEnabled, maxTransferPoints, expiringNoticeDays, timeZone, days);
  }

  /** This program with transfers switched (and their cap). */
  public LoyaltyProgram withTransfers(boolean enabled, Long maxPoints) {
    return new LoyaltyProgram(strategy, pointsPerUnit, maxPointsRate, pointsPerMoneyUnit, minRedemption, tierWindowMonths,
        downgradeGraceDays, expiryMonths, holdMinutes, tiers, enabled, maxPoints, expiringNoticeDays, timeZone, pendingDays);
  }

  /** This program with another expiring-notice lead time (0 = off). */
  public LoyaltyProgram withExpiringNoticeDays(int days) {
    return new LoyaltyProgram(strategy, pointsPerUnit, maxPointsRate, pointsPerMoneyUnit, minRedemption, tierWindowMonths,
        downgradeGraceDays, expiryMonths, holdMinutes, tiers, transfersEnabled, maxTransferPoints, days, timeZone, pendingDays);
  }

  /** This program in another time zone. */
  public LoyaltyProgram withTimeZone(String zone) {
    return new LoyaltyProgram(strategy, pointsPerUnit, maxPointsRate, pointsPerMoneyUnit, minRedemption, tierWindowMonths,
        downgradeGraceDays, expiryMonths, holdMinutes, tiers, transfersEnabled, maxTransferPoints, expiringNoticeDays, zone, pendingDays);
  }

  /** Checks what an admin may configure; a broken program would make every checkout fail. */
  public LoyaltyProgram validated() {
    if (!STANDARD.equals(strategy) && !TIERED.equals(strategy)) {
      throw DomainException.invalid("strategy", "must be standard or tiered");
    }
    if (pointsPerUnit.signum() <= 0 || pointsPerUnit.compareTo(MAX_RATE) > 0) {
      throw DomainException.invalid("points_per_unit", "must be greater than 0 and at most 1000");
    }
    if (maxPointsRate.compareTo(pointsPerUnit) < 0) {
      throw DomainException.invalid("max_points_rate", "must be at least points_per_unit");
    }
    if (pointsPerMoneyUnit < 1 || minRedemption < 1 || holdMinutes < 1 || holdMinutes > 1440) {
      throw DomainException.invalid("points_per_money_unit", "redemption settings must be positive (hold_minutes at most 1440)");
    }
    if (tierWindowMonths < 1 || tierWindowMonths > 60 || downgradeGraceDays < 0) {
      throw DomainException.invalid("tier_window_months", "must be 1 to 60 (and downgrade_grace_days not negative)");
    }
    if (expiryMonths != null && (expiryMonths < 1 || expiryMonths > 120)) {
      throw DomainException.invalid("expiry_months", "must be 1 to 120, or null for points that never expire");
    }
    if (pendingDays < 0 || pendingDays > MAX_PENDING_DAYS) {
      throw DomainException.invalid("pending_days", "must be 0 (off) to " + MAX_PENDING_DAYS);
    }
    if (tiers.isEmpty() || tiers.get(0).threshold() != 0) {
      throw DomainException.invalid("tiers", "the first tier must start at 0 points");
    }
    if (tiers.stream().map(Tier::code).distinct().count() != tiers.size()
        || tiers.stream().map(Tier::threshold).distinct().count() != tiers.size()) {
      throw DomainException.invalid("tiers", "tier codes and thresholds must be unique");
    }
    if (maxTransferPoints != null && maxTransferPoints < 1) {
      throw DomainException.invalid("max_transfer_points", "must be at least 1, or null for no limit");
    }
    if (expiringNoticeDays < 0 || expiringNoticeDays > 365) {
      throw DomainException.invalid("expiring_notice_days", "must be 0 (off) to 365");
    }
    try {
      if (timeZone.length() > 64) {
        throw new java.time.DateTimeException("too long");
      }
      java.time.ZoneId.of(timeZone);
    } catch (java.time.DateTimeException e) {
      throw DomainException.invalid("time_zone", "must be an IANA time zone id such as America/Santiago");
    }
    for (Tier t : tiers) {
      if (t.multiplier().signum() <= 0 || t.multiplier().compareTo(MAX_MULTIPLIER) > 0) {
        throw DomainException.invalid("tiers", "multipliers must be greater than 0 and at most 10");
      }
    }
    return this;
  }

  /**
   * Points for a purchase, rounded down. A POS-requested rate is honoured only up to
   * max_points_rate; 0 (or absent) means the program's rate.
   */
  public long pointsFor(BigDecimal amount, BigDecimal requestedRate, String tierCode) {
    BigDecimal rate = requestedRate == null || requestedRate.signum() <= 0 ? pointsPerUnit : requestedRate.min(maxPointsRate);
    BigDecimal multiplier = TIERED.equals(strategy) ? tier(tierCode).multiplier() : BigDecimal.ONE;
    return amount.multiply(rate).multiply(multiplier).setScale(0, RoundingMode.FLOOR).longValueExact();
  }

  /** The discount points buy: 250 points at 100 points per $1 are $2.50. */
  public BigDecimal discountFor(long points) {
    return BigDecimal.valueOf(points).divide(BigDecimal.valueOf(pointsPerMoneyUnit), 2, RoundingMode.FLOOR);
  }

  /** The multiplier earning applies for a tier under this program's strategy. */
  public BigDecimal effectiveMultiplier(String tierCode) {
    return TIERED.equals(strategy) ? tier(tierCode).multiplier() : BigDecimal.ONE;
  }

  /** The tier a new account starts in. */
  public String firstTier() {
    return tiers.get(0).code();
  }

  /** Qualifying points count from here: the tier window back from now. */
  public java.time.Instant tierWindowStart(java.time.Instant now) {
    return now.atOffset(java.time.ZoneOffset.UTC).minusMonths(tierWindowMonths).toInstant();
  }

  public Tier tier(String code) {
    return tiers.stream().filter(t -> t.code().equals(code)).findFirst().orElse(tiers.get(0));
  }

  /** The highest tier whose threshold the qualifying points reach. */
  public Tier tierFor(long qualifying) {
    Tier best = tiers.get(0);
    for (Tier t : tiers) {
      if (qualifying >= t.threshold()) {
        best = t;
      }
    }
    return best;
  }

  public Tier next(String code) {
    int i = tiers.indexOf(tier(code));
    return i + 1 < tiers.size() ? tiers.get(i + 1) : null;
  }

  public Tier previous(String code) {
    int i = tiers.indexOf(tier(code));
    return i > 0 ? tiers.get(i - 1) : null;
  }
}
