package com.zenlogic.customerservice.segmentation;

import com.zenlogic.customerservice.platform.values.Decimals;

import com.zenlogic.customerservice.segmentation.orders.v1.GetOrdersByCustomerRequest;
import com.zenlogic.customerservice.segmentation.orders.v1.Order;
import com.zenlogic.customerservice.segmentation.orders.v1.OrderServiceGrpcClient;
import com.zenlogic.customerservice.platform.metrics.Breakers;
import io.vertx.circuitbreaker.CircuitBreaker;
import io.vertx.circuitbreaker.CircuitBreakerOptions;
import io.vertx.circuitbreaker.RetryPolicy;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.common.GrpcStatus;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Order Service's GetOrdersByCustomer, for backfilling purchase history (ORDER_SERVICE_GRPC).
 * Behind a circuit breaker: 2 s per attempt, 3 attempts with exponential backoff, opens after 3
 * failed calls and tries again after 5 s; the caller's bearer token is forwarded.
 */
public final class OrderServiceClient {
  private static final Logger LOG = LoggerFactory.getLogger(OrderServiceClient.class);
  private static final int PAGE_SIZE = 100;
  private static final int MAX_PAGES = 20;

  private final GrpcClient client;
  private final SocketAddress address;
  private final CircuitBreaker breaker;

  public OrderServiceClient(Vertx vertx, String hostPort) {
    int colon = hostPort.lastIndexOf(':');
    if (colon < 1) {
      throw new com.zenlogic.customerservice.platform.config.ConfigException("ORDER_SERVICE_GRPC", "must be host:port, got '" + hostPort + "'");
    }
    this.address = SocketAddress.inetSocketAddress(Integer.parseInt(hostPort.substring(colon + 1)), hostPort.substring(0, colon));
    this.client = GrpcClient.client(vertx);
    this.breaker = CircuitBreaker.create("order-service", vertx, new CircuitBreakerOptions()
            .setTimeout(2_000).setMaxFailures(3).setMaxRetries(2).setResetTimeout(5_000))
        .retryPolicy(RetryPolicy.exponentialDelayWithJitter(100, 1_000))
        .openHandler(v -> LOG.warn("Order Service circuit OPEN: history answers from local data"))
        .closeHandler(v -> LOG.info("Order Service circuit closed"));
    Breakers.register(Breakers.ORDER_SERVICE, breaker);
  }

  public String state() {
    return breaker.state().name().toLowerCase();
  }

  /** Every order of the customer, all pages, as purchases to record. */
  public Future<List<Purchase>> orders(UUID org, UUID customerId, String authorization) {
    return breaker.execute(() -> page(org, customerId, authorization, "", new ArrayList<>(), 0));
  }

  private Future<List<Purchase>> page(UUID org, UUID customerId, String authorization, String token, List<Purchase> acc, int pages) {
    GetOrdersByCustomerRequest request = GetOrdersByCustomerRequest.newBuilder().setCustomerId(customerId.toString())
        .setOrganizationId(org.toString()).setPageSize(PAGE_SIZE).setPageToken(token).build();
    return client.request(address, OrderServiceGrpcClient.GetOrdersByCustomer).compose(req -> {
      if (authorization != null) {
        req.headers().set("authorization", authorization);
      }
      req.timeout(2, TimeUnit.SECONDS);
      return req.end(request).compose(v -> req.response()).compose(resp -> resp.last().compose(body ->
          resp.status() == GrpcStatus.OK ? Future.succeededFuture(body)
              : Future.failedFuture(new IllegalStateException("Order Service answered " + resp.status()))));
    }).compose(response -> {
      for (Order o : response.getOrdersList()) {
        if (o.getStatus().isEmpty() || o.getStatus().equalsIgnoreCase("completed")) {
          acc.add(purchase(customerId, o));
        }
      }
      String next = response.getNextPageToken();
      return next.isEmpty() || pages + 1 >= MAX_PAGES ? Future.succeededFuture(acc)
          : page(org, customerId, authorization, next, acc, pages + 1);
    });
  }

  private static Purchase purchase(UUID customerId, Order o) {
    // The proto's double, through the one money parser (finite, not negative, bounded, cents).
    BigDecimal total = Decimals.money("total_amount", o.getTotalAmount());
    return new Purchase(customerId, "backfill", "order:" + o.getOrderId(), total, Instant.parse(o.getCreatedAt()),
        o.getLocalId().isEmpty() ? null : o.getLocalId(), o.getItemCount(), java.util.List.of());
  }
}
