package com.zenlogic.customerservice.customer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.zenlogic.customerservice.platform.errors.DomainException;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

class DocumentsProperties {

  @Property
  void everyRutWithItsCheckDigitIsAcceptedInAnySpelling(@ForAll @IntRange(min = 1_000_000, max = 99_999_999) int body) {
    char dv = Documents.rutCheckDigit(Integer.toString(body));
    String dotted = String.format("%,d", body).replace(',', '.') + "-" + Character.toLowerCase(dv);
    assertEquals(body + "-" + dv, Documents.normalise(Documents.RUT, dotted));
    assertEquals(body + "-" + dv, Documents.normalise(Documents.RUT, body + "" + dv));
  }

  @Property
  void aRutWithAnyOtherCheckDigitIsRejected(@ForAll @IntRange(min = 1_000_000, max = 99_999_999) int body,
                                             @ForAll @IntRange(min = 0, max = 10) int digit) {
    char wrong = digit == 10 ? 'K' : (char) ('0' + digit);
    if (wrong == Documents.rutCheckDigit(Integer.toString(body))) {
      return;
    }
    DomainException e = assertThrows(DomainException.class, () -> Documents.normalise(Documents.RUT, body + "-" + wrong));
    assertEquals("document_number", e.field());
  }
}
