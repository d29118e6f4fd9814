package com.zenlogic.customerservice.customer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.zenlogic.customerservice.platform.errors.DomainException;
import java.util.List;
import org.junit.jupiter.api.Test;

class CustomerRulesTest {

  @Test
  void knownRutsHaveTheirPublishedCheckDigits() {
    assertEquals('5', Documents.rutCheckDigit("12345678"));
    assertEquals('K', Documents.rutCheckDigit("10000013"));
    assertEquals('0', Documents.rutCheckDigit("1000030"));
    assertEquals('1', Documents.rutCheckDigit("11111111"));
  }

  @Test
  void phonesInAnyFormatNormaliseToTheSameE164() {
    for (String typed : List.of("+56 9 4123 4567", "941234567", "+56941234567", "(+56) 9-4123-4567", "0056 9 4123 4567")) {
      assertEquals("+56941234567", PhoneNumbers.normalise("phone", typed, "CL"), typed);
    }
    assertEquals("+525512345678", PhoneNumbers.normalise("phone", "55 1234 5678", "MX"));
  }

  @Test
  void aNumberThatIsNotValidForItsRegionIsRejectedNamingTheField() {
    DomainException e = assertThrows(DomainException.class, () -> PhoneNumbers.normalise("phone", "12345", "CL"));
    assertEquals("phone", e.field());
  }

  @Test
  void rfcAcceptsPersonsAndCompaniesAndRejectsImpossibleDates() {
    assertEquals("GODE561231GR8", Documents.normalise(Documents.RFC, "gode-561231-gr8"));
    assertEquals("ABC010101AB1", Documents.normalise(Documents.RFC, "ABC 010101 AB1"));
    assertThrows(DomainException.class, () -> Documents.normalise(Documents.RFC, "GODE561331GR8"));
  }
}
