package com.zenlogic.customerservice.loyalty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.UUID;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

/** The posting value on its own: what Postings.post will write, before any SQL. */
class PostingTest {
  static final UUID CUSTOMER = UUID.fromString("00000000-0000-0000-0000-000000000001");
  static final Instant SINCE = Instant.parse("2026-01-01T00:00:00Z");
  static final Instant BELOW = Instant.parse("2026-06-01T00:00:00Z");
  static final Instant NOW = Instant.parse("2026-12-02T12:00:00Z");

  static LoyaltyAccount account(long balance, long held) {
    return new LoyaltyAccount(CUSTOMER, balance, held, 5_000, "silver", SINCE, BELOW);
  }

  @Property
  void theBalanceAfterIsTheLockedBalancePlusThePoints(@ForAll @LongRange(min = 0, max = 1_000_000_000L) long balance,
                                                     @ForAll @LongRange(min = -1_000_000_000L, max = 1_000_000_000L) long points) {
    Posting p = Posting.of(LedgerEntry.ADJUST, account(balance, 0), "adjust:k", NOW).points(points).requestHash("h").actor("a").build();
    assertEquals(balance + points, p.entry().balanceAfter());
    assertEquals(points, p.entry().points());
  }

  @Test
  void aRedemptionCarriesItsRowTheLotsItConsumesAndItsEvent() {
    Posting.Builder b = Posting.of(LedgerEntry.REDEEM, account(1_200, 100), "redeem:r-1", NOW).points(-500)
        .amount(new BigDecimal("5.00")).reference("r-1").requestHash(CUSTOMER + "|500").reason("coffee").actor("till-7")
        .consume(500, -1);
    b.event(LoyaltyEvents.POINTS_REDEEMED, new JsonObject().put("points_balance", b.balanceAfter()));
    Posting p = b.build();

    LedgerEntry e = p.entry();
    assertEquals("redeem:r-1", p.idempotencyKey());
    assertEquals(new LedgerEntry(0, CUSTOMER, LedgerEntry.REDEEM, -500, 0, 700, new BigDecimal("5.00"), "r-1", CUSTOMER + "|500",
        null, "coffee", "till-7", 0, "silver", false, NOW), e);
    assertEquals(new Posting.Consume(500, -1), p.lots());
    assertEquals(0, p.lifetimeDelta());
    assertEquals(1, p.events().size());
    assertEquals(700L, p.events().get(0).data().getLong("points_balance"));
  }

  @Test
  void withoutATierChangeTheAccountKeepsItsTierAndDates() {
    Posting p = Posting.of(LedgerEntry.HOLD, account(900, 0), "hold:r", NOW).held(300).requestHash("h").actor("a").build();
    assertEquals("silver", p.entry().tierAfter());
    assertFalse(p.entry().tierUpgraded());
    assertEquals(SINCE, p.tierSince());
    assertEquals(BELOW, p.belowTierSince());
    assertEquals(900, p.entry().balanceAfter(), "a hold moves held points, not the balance");
    assertEquals(300, p.heldDelta());
    assertInstanceOf(Posting.NoLots.class, p.lots());
  }

  @Test
  void anUpgradingEarnNamesTheNewTierAndCountsTowardsTheLifetimeTotal() {
    Posting p = Posting.of(LedgerEntry.EARN, account(100, 0), "earn:t", NOW).points(400).lifetime(400)
        .tier("gold", true, NOW, null).addLot(null).requestHash("h").actor("a").build();
    assertEquals("gold", p.entry().tierAfter());
    assertTrue(p.entry().tierUpgraded());
    assertEquals(NOW, p.tierSince());
    assertNull(p.belowTierSince());
    assertEquals(400, p.lifetimeDelta());
    assertEquals(new Posting.AddLot(null), p.lots());
  }

  @Test
  void aPostingWithoutItsRequestHashOrActorIsNotBuilt() {
    assertThrows(IllegalStateException.class, () -> Posting.of(LedgerEntry.ADJUST, account(0, 0), "k", NOW).points(1).actor("a").build());
    assertThrows(IllegalStateException.class, () -> Posting.of(LedgerEntry.ADJUST, account(0, 0), "k", NOW).points(1).requestHash("h")
        .build());
  }

  @Test
  void theTierWindowStartsTheProgramsMonthsBackInUtc() {
    assertEquals(Instant.parse("2025-12-02T12:00:00Z"), LoyaltyProgram.DEFAULT.tierWindowStart(NOW));
    assertEquals(LoyaltyProgram.DEFAULT.tiers().get(0).code(), LoyaltyProgram.DEFAULT.firstTier());
  }
}
