package com.zenlogic.customerservice.platform.auth;

import com.zenlogic.customerservice.DevToken;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class PermissionTest {
  @Test
  void theTokenStringsAreExactlyTheOnesIssuedTokensCarry() {
    assertEquals(List.of("customers:read", "customers:write", "loyalty:read", "loyalty:write", "loyalty:admin", "credit:read",
        "credit:write", "credit:approve", "segments:read", "segments:admin", "analytics:read", "customers:admin"), Permission.allWire());
    assertEquals(Permission.allWire(), DevToken.ALL_PERMISSIONS);
  }

  @Test
  void aCallerMayWhatItsTokenStringsSay() {
    Caller c = new Caller(UUID.randomUUID(), "u", null, Set.of("loyalty:write"), "c");
    assertTrue(c.may(Permission.LOYALTY_WRITE));
    assertFalse(c.may(Permission.LOYALTY_READ));
  }
}
