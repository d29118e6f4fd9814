package com.zenlogic.customerservice.bench;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.zenlogic.customerservice.api.grpc.v1.AddPointsRequest;
import com.zenlogic.customerservice.api.grpc.v1.CustomerServiceGrpcClient;
import com.zenlogic.customerservice.api.grpc.v1.GetCustomerRequest;
import com.zenlogic.customerservice.api.grpc.v1.UseCreditRequest;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.common.ServiceMethod;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * The load scripts/bench cannot make with h2load, which sends one fixed body: run with the test
 * classpath (target/customer-service.jar:target/test-classes).
 *
 * <ul>
 *   <li>{@code earn|credit PORT TOKEN ORG IDS_FILE SECONDS CONCURRENCY WARMUP_SECONDS}: gRPC AddLoyaltyPoints /
 *       UseCreditLimit with a unique transaction / order id per request over the customers of IDS_FILE,
 *       CONCURRENCY requests always in flight; prints {@code rps p50_ms p99_ms errors} (errors: any
 *       non-OK status, and for credit any charge not approved).</li>
 *   <li>{@code get PORT TOKEN ID STOP_FILE RATE [SKIP_SECONDS]}: GetCustomer at RATE requests a second, open loop, until
 *       STOP_FILE exists (the checkout traffic while something else runs); prints {@code rps p50_ms p99_ms errors}.</li>
 *   <li>{@code publish AMQP_URL ORG IDS_FILE COUNT PREFIX}: publishes COUNT pos.transaction.completed events
 *       as fast as one channel goes (publisher confirms awaited at the end only); prints the seconds taken.</li>
 * </ul>
 */
public final class BenchLoad {
  private static final int WARM_UP_SECONDS = 2;

  private BenchLoad() {
  }

  public static void main(String[] args) throws Exception {
    switch (args[0]) {
      case "earn" -> writes(args, CustomerServiceGrpcClient.AddLoyaltyPoints, (ctx) -> AddPointsRequest.newBuilder()
          .setCustomerId(ctx.customer()).setTransactionId(ctx.key()).setAmount(12.5).setOrganizationId(ctx.org()).build(),
          r -> true);
      case "credit" -> writes(args, CustomerServiceGrpcClient.UseCreditLimit, (ctx) -> UseCreditRequest.newBuilder()
          .setCustomerId(ctx.customer()).setOrderId(ctx.key()).setAmount(1.25).setOrganizationId(ctx.org()).build(),
          r -> r.getApproved());
      case "get" -> reads(args);
      case "publish" -> publish(args);
      default -> throw new IllegalArgumentException("unknown mode " + args[0]);
    }
  }

  record Next(String org, String customer, String key) {
  }

  /**
   * Latencies of the measured window in a fixed histogram (10 µs steps to 10 ms, 1 ms steps to 1 s, then
   * 100 ms steps): a background load can run for many minutes, every answer counted, in constant memory.
   * One event loop records, so no synchronization.
   */
  private static final class Recorder {
    private final long[] buckets = new long[1000 + 990 + 600];
    private long n;
    private long errors;
    private final Map<String, Long> failures = new ConcurrentHashMap<>();

    void add(long us) {
      int b = us < 10_000 ? (int) (us / 10) : us < 1_000_000 ? 1000 + (int) ((us - 10_000) / 1000)
          : 1990 + (int) Math.min(599, (us - 1_000_000) / 100_000);
      buckets[b]++;
      n++;
    }

    /** The upper bound of a bucket, in ms. */
    private static double upperMs(int b) {
      long us = b < 1000 ? (b + 1) * 10L : b < 1990 ? 10_000 + (b - 999) * 1000L : 1_000_000 + (b - 1989) * 100_000L;
      return us / 1000.0;
    }

    private double percentile(double p) {
      long rank = (long) Math.ceil(n * p);
      long seen = 0;
      for (int b = 0; b < buckets.length; b++) {
        seen += buckets[b];
        if (seen >= rank && seen > 0) {
          return upperMs(b);
        }
      }
      return 0;
    }

    void fail(String why) {
      errors++;
      failures.merge(why, 1L, Long::sum);
    }

    String summary(double seconds) {
      if (!failures.isEmpty()) {
        System.err.println("failures: " + failures);
      }
      return String.format(java.util.Locale.ROOT, "%d %.2f %.2f %d", Math.round((n + errors) / seconds), percentile(0.50),
          percentile(0.99), errors);
    }
  }

  private static <Req, Resp> void writes(String[] args, ServiceMethod<Resp, Req> method, Function<Next, Req> request,
                                         java.util.function.Predicate<Resp> success) throws Exception {
    int port = Integer.parseInt(args[1]);
    String token = args[2];
    String org = args[3];
    List<String> ids = Files.readAllLines(Path.of(args[4])).stream().map(String::trim).filter(s -> !s.isEmpty()).toList();
    int seconds = Integer.parseInt(args[5]);
    int concurrency = Integer.parseInt(args[6]);
    int warmup = Integer.parseInt(args[7]);
    String run = UUID.randomUUID().toString().substring(0, 8);
    AtomicLong counter = new AtomicLong();
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
    GrpcClient client = client(vertx);
    SocketAddress address = SocketAddress.inetSocketAddress(port, "127.0.0.1");
    Recorder rec = new Recorder();
    long start = System.nanoTime();
    long measureFrom = start + TimeUnit.SECONDS.toNanos(warmup);
    long end = measureFrom + TimeUnit.SECONDS.toNanos(seconds);
    CountDownLatch done = new CountDownLatch(concurrency);
    vertx.runOnContext(v -> {
      for (int i = 0; i < concurrency; i++) {
        lane(() -> {
          String customer = ids.get(ThreadLocalRandom.current().nextInt(ids.size()));
          return request.apply(new Next(org, customer, "bench-" + run + "-" + counter.incrementAndGet()));
        }, client, address, method, token, success, rec, measureFrom, end, done);
      }
    });
    done.await(seconds + warmup + 60L, TimeUnit.SECONDS);
    System.out.println(rec.summary(seconds));
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  /**
   * Open loop: RATE requests a second on a fixed schedule, whatever the answers do, each latency taken
   * from the time it was due (a slow answer cannot hide the ones it delayed). This is the checkout
   * traffic a write load runs beside, not a second load competing for the two cores. The first
   * WARM_UP_SECONDS (or SKIP_SECONDS) are sent but not counted: this JVM's own start (class loading,
   * its first connection) would otherwise be the slowest percent, and the load beside it may have
   * a warm-up of its own.
   */
  private static void reads(String[] args) throws Exception {
    int port = Integer.parseInt(args[1]);
    String token = args[2];
    GetCustomerRequest req = GetCustomerRequest.newBuilder().setCustomerId(args[3]).build();
    Path stop = Path.of(args[4]);
    int rate = Integer.parseInt(args[5]);
    if (rate <= 0) {
      throw new IllegalArgumentException("RATE must be a positive number of requests a second, not " + rate);
    }
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
    GrpcClient client = client(vertx);
    SocketAddress address = SocketAddress.inetSocketAddress(port, "127.0.0.1");
    Recorder rec = new Recorder();
    long start = System.nanoTime();
    long countFrom = start + TimeUnit.SECONDS.toNanos(args.length > 6 ? Integer.parseInt(args[6]) : WARM_UP_SECONDS);
    long intervalNanos = TimeUnit.SECONDS.toNanos(1) / rate;
    long[] sent = {0};
    long[] answered = {0};
    long[] end = {Long.MAX_VALUE};
    CountDownLatch done = new CountDownLatch(1);
    vertx.setPeriodic(1, t -> {
      long now = System.nanoTime();
      if (end[0] == Long.MAX_VALUE && Files.exists(stop)) {
        end[0] = now;
      }
      if (end[0] != Long.MAX_VALUE) {
        if (answered[0] == sent[0]) {
          vertx.cancelTimer(t);
          done.countDown();
        }
        return;
      }
      while (start + sent[0] * intervalNanos <= now) {
        long due = start + sent[0] * intervalNanos;
        sent[0]++;
        call(client, address, CustomerServiceGrpcClient.GetCustomer, req, token).onComplete(ar -> {
          answered[0]++;
          if (due < countFrom) {
            return;
          }
          if (ar.failed()) {
            rec.fail(ar.cause().getClass().getSimpleName());
          } else if (ar.result().status() != GrpcStatus.OK) {
            rec.fail(ar.result().status() + " " + ar.result().message());
          } else {
            rec.add((System.nanoTime() - due) / 1000);
          }
        });
      }
    });
    done.await();
    System.out.println(rec.summary((end[0] - countFrom) / 1e9));
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  private static GrpcClient client(Vertx vertx) {
    return GrpcClient.client(vertx);
  }

  private static <Req, Resp> void lane(java.util.function.Supplier<Req> next, GrpcClient client, SocketAddress address,
                                       ServiceMethod<Resp, Req> method, String token, java.util.function.Predicate<Resp> success,
                                       Recorder rec, long measureFrom, long end, CountDownLatch done) {
    laneUntil(next, client, address, method, token, success, rec, measureFrom, new long[] {end}, done);
  }

  /** One request in flight at a time, the next sent when the answer is in, until end[0]; only answers after measureFrom count. */
  private static <Req, Resp> void laneUntil(java.util.function.Supplier<Req> next, GrpcClient client, SocketAddress address,
                                            ServiceMethod<Resp, Req> method, String token,
                                            java.util.function.Predicate<Resp> success, Recorder rec, long measureFrom, long[] end,
                                            CountDownLatch done) {
    long sent = System.nanoTime();
    if (sent >= end[0]) {
      done.countDown();
      return;
    }
    call(client, address, method, next.get(), token).onComplete(ar -> {
      long now = System.nanoTime();
      if (sent >= measureFrom && now <= end[0]) {
        if (ar.failed()) {
          rec.fail(ar.cause().getClass().getSimpleName());
        } else if (ar.result().status() != GrpcStatus.OK) {
          rec.fail(ar.result().status() + " " + ar.result().message());
        } else if (!success.test(ar.result().body())) {
          rec.fail("declined: " + ar.result().body().toString().replace('\n', ' '));
        } else {
          rec.add((now - sent) / 1000);
        }
      }
      laneUntil(next, client, address, method, token, success, rec, measureFrom, end, done);
    });
  }

  record Reply<T>(GrpcStatus status, String message, T body) {
  }

  private static <Req, Resp> Future<Reply<Resp>> call(GrpcClient client, SocketAddress address, ServiceMethod<Resp, Req> method,
                                                     Req request, String token) {
    return client.request(address, method).compose(req -> {
      req.headers().set("authorization", "Bearer " + token);
      req.timeout(20, TimeUnit.SECONDS);
      return req.end(request).compose(v -> req.response()).compose(resp -> resp.last()
          .map(body -> new Reply<>(resp.status(), resp.statusMessage(), body))
          .recover(e -> Future.succeededFuture(new Reply<>(resp.status() == null ? GrpcStatus.UNKNOWN : resp.status(),
              resp.statusMessage(), null))));
    });
  }

  /** Publishes as the POS would (our envelope, persistent, a message id), on one channel, confirms at the end. */
  private static void publish(String[] args) throws Exception {
    String url = args[1];
    String org = args[2];
    List<String> ids = Files.readAllLines(Path.of(args[3])).stream().map(String::trim).filter(s -> !s.isEmpty()).toList();
    int count = Integer.parseInt(args[4]);
    String prefix = args[5];
    ConnectionFactory factory = new ConnectionFactory();
    factory.setUri(url);
    try (Connection connection = factory.newConnection(); Channel channel = connection.createChannel()) {
      channel.confirmSelect();
      String at = Instant.now().minusSeconds(60).toString();
      long started = System.nanoTime();
      for (int i = 0; i < count; i++) {
        String customer = ids.get(ThreadLocalRandom.current().nextInt(ids.size()));
        String id = prefix + "-" + i;
        JsonObject envelope = new JsonObject().put("event_id", id).put("event_type", "pos.transaction.completed")
            .put("schema_version", 1).put("occurred_at", at).put("organization_id", org).put("source", "bench")
            .put("data", new JsonObject().put("customer_id", customer).put("transaction_id", id)
                .put("totals", new JsonObject().put("total_amount", "12.50")));
        AMQP.BasicProperties props = new AMQP.BasicProperties.Builder().contentType("application/json").messageId(id)
            .deliveryMode(2).build();
        channel.basicPublish("pos_events", "pos.transaction.completed", props, envelope.encode().getBytes(StandardCharsets.UTF_8));
      }
      channel.waitForConfirmsOrDie(120_000);
      System.out.printf(java.util.Locale.ROOT, "%.2f%n", (System.nanoTime() - started) / 1e9);
    }
  }
}
