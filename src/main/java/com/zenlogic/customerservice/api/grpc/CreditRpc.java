package com.zenlogic.customerservice.api.grpc;

import com.zenlogic.customerservice.platform.auth.Permission;
import com.zenlogic.customerservice.api.grpc.v1.CheckCreditRequest;
import com.zenlogic.customerservice.api.grpc.v1.CheckCreditResponse;
import com.zenlogic.customerservice.api.grpc.v1.CreditBalanceResponse;
import com.zenlogic.customerservice.api.grpc.v1.RecordCreditPaymentRequest;
import com.zenlogic.customerservice.api.grpc.v1.ReleaseCreditRequest;
import com.zenlogic.customerservice.api.grpc.v1.UseCreditRequest;
import com.zenlogic.customerservice.api.grpc.v1.UseCreditResponse;
import com.zenlogic.customerservice.credit.CreditMessages;
import com.zenlogic.customerservice.platform.auth.Caller;
import com.zenlogic.customerservice.platform.values.Decimals;
import com.zenlogic.customerservice.platform.values.Ids;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

/** Credit RPCs for the Order Service: translate, send to the credit verticle, translate back. */
final class CreditRpc {
  static final Permission READ = Permission.CREDIT_READ;
  static final Permission WRITE = Permission.CREDIT_WRITE;

  private final Vertx vertx;

  CreditRpc(Vertx vertx) {
    this.vertx = vertx;
  }

  Future<CheckCreditResponse> check(Caller caller, CheckCreditRequest r) {
    return CreditMessages.CHECK.request(vertx, new CreditMessages.Check(caller,
        Ids.parse("customer_id", r.getCustomerId()), Decimals.money("amount", r.getAmount()))).map(c -> CheckCreditResponse.newBuilder()
        .setAvailable(c.available()).setAvailableAmount(Amounts.wire(c.availableAmount())).setCreditLimit(Amounts.wire(c.creditLimit()))
        .build());
  }

  Future<UseCreditResponse> use(Caller caller, UseCreditRequest r) {
    return CreditMessages.USE.request(vertx, new CreditMessages.Use(caller,
        Ids.parse("customer_id", r.getCustomerId()), r.getOrderId(), Decimals.positiveMoney("amount", r.getAmount()))).map(d -> {
          UseCreditResponse.Builder b = UseCreditResponse.newBuilder().setApproved(d.approved())
              .setAvailableAmount(Amounts.wire(d.availableAmount()));
          if (d.dueDate() != null) {
            b.setDueDate(d.dueDate().toString());
          }
          if (d.reasonCode() != null) {
            b.setReason(d.reasonCode() + ": " + d.reason());
          }
          return b.build();
        });
  }

  Future<CreditBalanceResponse> release(Caller caller, ReleaseCreditRequest r) {
    return CreditMessages.RELEASE.request(vertx, new CreditMessages.Release(caller,
        Ids.parse("customer_id", r.getCustomerId()), r.getOrderId(),
        r.getAmount() == 0 ? null : Decimals.positiveMoney("amount", r.getAmount()))).map(CreditRpc::balance);
  }

  Future<CreditBalanceResponse> payment(Caller caller, RecordCreditPaymentRequest r) {
    return CreditMessages.PAYMENT.request(vertx, new CreditMessages.Payment(caller,
        Ids.parse("customer_id", r.getCustomerId()), r.getPaymentReference(), Decimals.positiveMoney("amount", r.getAmount())))
        .map(CreditRpc::balance);
  }

  private static CreditBalanceResponse balance(CreditMessages.Balance b) {
    return CreditBalanceResponse.newBuilder().setAvailableAmount(Amounts.wire(b.availableAmount()))
        .setOutstanding(Amounts.wire(b.outstanding())).build();
  }
}
