package com.zenlogic.customerservice.loyalty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zenlogic.customerservice.platform.bus.Bus;
import java.math.BigDecimal;
import java.util.List;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;

class LoyaltyProgramProperties {
  static final LoyaltyProgram TIERED = new LoyaltyProgram(LoyaltyProgram.TIERED, BigDecimal.ONE, BigDecimal.ONE, 100, 100, 12, 30, 12,
      15, LoyaltyProgram.DEFAULT.tiers());

  @Property
  void standardPointsAreTheWholeUnitsSpent(@ForAll @LongRange(min = 0, max = 10_000_000_00L) long cents) {
    BigDecimal amount = BigDecimal.valueOf(cents, 2);
    assertEquals(cents / 100, LoyaltyProgram.DEFAULT.pointsFor(amount, null, "platinum"));
  }

  @Property
  void tieredPointsNeverExceedTheMultipliedAmountAndMissLessThanOne(@ForAll @LongRange(min = 0, max = 10_000_000_00L) long cents) {
    BigDecimal amount = BigDecimal.valueOf(cents, 2);
    for (Tier t : TIERED.tiers()) {
      BigDecimal exact = amount.multiply(t.multiplier());
      long points = TIERED.pointsFor(amount, null, t.code());
      assertTrue(BigDecimal.valueOf(points).compareTo(exact) <= 0);
      assertTrue(BigDecimal.valueOf(points + 1).compareTo(exact) > 0);
    }
  }

  @Property
  void aPosRateAboveTheProgramsMaximumIsCapped(@ForAll @LongRange(min = 0, max = 1_000_000) long units) {
    BigDecimal amount = BigDecimal.valueOf(units);
    assertEquals(units, LoyaltyProgram.DEFAULT.pointsFor(amount, new BigDecimal("5"), "bronze"));
    assertEquals(units / 2, LoyaltyProgram.DEFAULT.pointsFor(amount, new BigDecimal("0.5"), "bronze"));
  }

  @Property
  void theDiscountIsPointsOverAHundredRoundedDownToTheCent(@ForAll @LongRange(min = 0, max = 1_000_000_000L) long points) {
    assertEquals(BigDecimal.valueOf(points, 2), LoyaltyProgram.DEFAULT.discountFor(points));
  }

  @Example
  void theSeedFigures() {
    assertEquals(99, LoyaltyProgram.DEFAULT.pointsFor(new BigDecimal("99.99"), BigDecimal.ONE, "bronze"));
    assertEquals(150, TIERED.pointsFor(new BigDecimal("100.00"), null, "gold"));
    assertEquals(new BigDecimal("2.50"), LoyaltyProgram.DEFAULT.discountFor(250));
    assertEquals("silver", LoyaltyProgram.DEFAULT.tierFor(1000).code());
    assertEquals("gold", LoyaltyProgram.DEFAULT.tierFor(14_999).code());
  }

  @Example
  void everyRecordSentOverTheEventBusIsALocalMessage() {
    for (Class<?> type : LoyaltyMessages.class.getDeclaredClasses()) {
      if (type.isRecord() && !List.of(LoyaltyMessages.Item.class, LoyaltyMessages.Bucket.class, LoyaltyMessages.ReturnedItem.class).contains(type)) {
        assertTrue(Bus.Local.class.isAssignableFrom(type), type.getSimpleName() + " must implement Bus.Local");
      }
    }
  }
}
