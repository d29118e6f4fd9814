package com.zenlogic.customerservice.platform.auth;

import com.zenlogic.customerservice.platform.errors.DomainException;
import com.zenlogic.customerservice.platform.errors.ErrorCode;

import java.util.Set;
import java.util.UUID;

/**
 * Who is asking, from the verified token: the tenant comes from here and nowhere else.
 * correlationId ties the request to the events and logs it causes.
 */
public record Caller(UUID organizationId, String userId, String localId, Set<String> permissions, String correlationId) {

  public boolean may(Permission permission) {
    return permissions.contains(permission.wire());
  }

  public void require(Permission permission) {
    if (!may(permission)) {
      throw new DomainException(ErrorCode.PERMISSION_DENIED, "Requires permission " + permission.wire(), null);
    }
  }
}
