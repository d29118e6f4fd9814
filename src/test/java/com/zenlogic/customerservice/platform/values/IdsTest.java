package com.zenlogic.customerservice.platform.values;

import com.zenlogic.customerservice.platform.errors.DomainException;
import com.zenlogic.customerservice.platform.errors.ErrorCode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.UUID;
import org.junit.jupiter.api.Test;

class IdsTest {
  @Test
  void onlyTheCanonicalThirtySixCharacterFormIsAnId() {
    UUID id = UUID.fromString("00000000-0000-4000-8000-000000000001");
    assertEquals(id, Ids.parse("id", "00000000-0000-4000-8000-000000000001"));
    assertEquals(id, Ids.parse("id", "00000000-0000-4000-8000-000000000001".toUpperCase()));
    for (String bad : new String[] {"+0000000-0000-4000-8000-000000000001", "-0000000-0000-4000-8000-000000000001",
        "00000000-+000-4000-8000-000000000001", "0-0-4000-8000-1", "00000000-0000-4000-8000-00000000000g",
        "000000000000-4000-8000-0000000000001", " 0000000-0000-4000-8000-000000000001"}) {
      DomainException e = assertThrows(DomainException.class, () -> Ids.parse("id", bad), bad);
      assertEquals(ErrorCode.VALIDATION_FAILED, e.code());
    }
  }
}
