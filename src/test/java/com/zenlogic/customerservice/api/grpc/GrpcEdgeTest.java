package com.zenlogic.customerservice.api.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnknownFieldSet;
import com.zenlogic.customerservice.api.grpc.v1.AddPointsRequest;
import com.zenlogic.customerservice.api.grpc.v1.CustomerServiceGrpcClient;
import com.zenlogic.customerservice.api.grpc.v1.GetCustomerRequest;
import com.zenlogic.customerservice.api.grpc.v1.GetCustomerResponse;
import com.zenlogic.customerservice.api.grpc.v1.LookupCustomerRequest;
import com.zenlogic.customerservice.support.GrpcTestClient;
import com.zenlogic.customerservice.support.GrpcTestClient.Reply;
import com.zenlogic.customerservice.support.Http;
import com.zenlogic.customerservice.support.RawGrpc;
import com.zenlogic.customerservice.support.RawGrpc.Answer;
import com.zenlogic.customerservice.support.TestApp;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.grpc.common.GrpcStatus;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The gRPC edge: what a call may carry (text, framing, compression) and what a token lets it see. */
class GrpcEdgeTest {
  static TestApp app;
  static RawGrpc raw;
  static GrpcTestClient grpc;

  UUID org;
  String token;
  String customer;

  @BeforeAll
  static void start() throws Exception {
    app = TestApp.start("grpcedge");
    raw = new RawGrpc(app.vertx, app.config.grpcPort());
    grpc = new GrpcTestClient(app.vertx, app.config.grpcPort());
  }

  @AfterAll
  static void stop() throws Exception {
    raw.close();
    grpc.close();
    app.close();
  }

  @BeforeEach
  void freshOrganization() {
    org = UUID.randomUUID();
    token = app.token(org, "customers:read", "customers:write", "loyalty:read", "loyalty:write", "credit:read", "credit:write",
        "credit:approve");
    customer = new Http(app.config.httpPort()).as(token).post("/api/v1/customers", new JsonObject().put("customer_type", "person")
        .put("first_name", "Ana").put("last_name", "Rojas").put("document_type", "rut").put("document_number", "12.345.678-5"))
        .json().getString("id");
  }

  Map<String, String> bearer() {
    return Map.of("authorization", "Bearer " + token);
  }

  Map<String, String> bearer(String encoding) {
    Map<String, String> h = new HashMap<>(bearer());
    h.put("grpc-encoding", encoding);
    return h;
  }

  AddPointsRequest earn(String transaction) {
    return AddPointsRequest.newBuilder().setCustomerId(customer).setTransactionId(transaction).setAmount(100).setPointsRate(1).build();
  }

  long ledgerRows() {
    return app.db.count(org, "SELECT count(*) FROM loyalty_ledger");
  }

  @Test
  void aNulInALookupKeyIsInvalidArgumentNamingTheField() {
    Reply<GetCustomerResponse> r = grpc.call(CustomerServiceGrpcClient.LookupCustomer,
        LookupCustomerRequest.newBuilder().setDocumentNumber("\u0000\u0001").build(), token);
    assertEquals(GrpcStatus.INVALID_ARGUMENT, r.status(), r.toString());
    assertTrue(r.message().contains("document_number"), r.message());
  }

  @Test
  void aLoneSurrogateInJsonFormatIsInvalidArgumentNamingTheFieldAndEarnsNothing() {
    // Protobuf's Java encoder replaces a lone surrogate with '?', so it can only arrive as JSON (application/grpc+json).
    String json = "{\"customer_id\":\"" + customer + "\",\"transaction_id\":\"t-\\ud800\",\"amount\":100,\"points_rate\":1}";
    Map<String, String> h = new HashMap<>(bearer());
    h.put("content-type", "application/grpc+json");
    Answer a = raw.call("AddLoyaltyPoints", h, RawGrpc.frame(false, json.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    assertEquals(GrpcStatus.INVALID_ARGUMENT.code, a.status(), a.toString());
    assertTrue(a.message().contains("transaction_id"), a.message());
    assertEquals(0, ledgerRows());
  }

  @Test
  void invalidUtf8BytesInAStringFieldAreInvalidArgumentAndEarnNothing() {
    for (byte[] bad : new byte[][] {{(byte) 0xC3, 0x28}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, {(byte) 0xFF}, {0x74, (byte) 0xC0, (byte) 0x80}}) {
      byte[] valid = earn("ignored").toBuilder().clearTransactionId().build().toByteArray();
      Buffer payload = Buffer.buffer(valid).appendByte((byte) 0x12).appendByte((byte) bad.length).appendBytes(bad);
      Answer a = raw.call("AddLoyaltyPoints", bearer(), RawGrpc.frame(false, payload.getBytes()));
      assertEquals(GrpcStatus.INVALID_ARGUMENT.code, a.status(), a.toString());
    }
    assertEquals(0, ledgerRows());
  }

  @Test
  void aUnaryCallCarryingThreeMessagesIsRefusedAndEarnsNothing() {
    Buffer body = Buffer.buffer();
    for (int i = 0; i < 3; i++) {
      body.appendBuffer(RawGrpc.frame(false, earn("multi-" + i).toByteArray()));
    }
    Answer a = raw.call("AddLoyaltyPoints", bearer(), body);
    assertEquals(GrpcStatus.INVALID_ARGUMENT.code, a.status(), a.toString());
    assertEquals(0, ledgerRows());
    Answer none = raw.call("AddLoyaltyPoints", bearer(), Buffer.buffer());
    assertEquals(GrpcStatus.INVALID_ARGUMENT.code, none.status(), none.toString());
    // The same message alone goes through: the refusal was about the framing.
    Answer one = raw.call("AddLoyaltyPoints", bearer(), RawGrpc.frame(false, earn("multi-0").toByteArray()));
    assertEquals(0, one.status(), one.toString());
    assertEquals(1, ledgerRows());
  }

  @Test
  void gzipIsBoundedByTheInflatedSizeNotTheWireSize() {
    // A valid request padded with a 2 MB unknown field: about 2 kB on the wire.
    byte[] padded = earn("bomb").toBuilder().setUnknownFields(UnknownFieldSet.newBuilder()
        .addField(1000, UnknownFieldSet.Field.newBuilder().addLengthDelimited(ByteString.copyFrom(new byte[2 * 1024 * 1024])).build())
        .build()).build().toByteArray();
    byte[] compressed = RawGrpc.gzip(padded);
    assertTrue(compressed.length < app.config.grpcMaxMessageBytes(), "the bomb fits the wire limit: " + compressed.length);
    Answer a = raw.call("AddLoyaltyPoints", bearer("gzip"), RawGrpc.frame(true, compressed));
    assertEquals(GrpcStatus.RESOURCE_EXHAUSTED.code, a.status(), a.toString());
    assertEquals(0, ledgerRows());
  }

  @Test
  void aSmallGzipMessageIsInflatedAndApplied() {
    Answer a = raw.call("AddLoyaltyPoints", bearer("gzip"), RawGrpc.frame(true, RawGrpc.gzip(earn("gz-1").toByteArray())));
    assertEquals(0, a.status(), a.toString());
    assertEquals(1, ledgerRows());
    assertEquals(100, app.db.count(org, "SELECT balance FROM loyalty_accounts"));
    Answer notGzip = raw.call("AddLoyaltyPoints", bearer("gzip"), RawGrpc.frame(true, earn("gz-2").toByteArray()));
    assertEquals(GrpcStatus.INVALID_ARGUMENT.code, notGzip.status(), notGzip.toString());
    // grpc-encoding: gzip with the flag clear is an uncompressed message, as the spec has it.
    Answer plain = raw.call("AddLoyaltyPoints", bearer("gzip"), RawGrpc.frame(false, earn("gz-3").toByteArray()));
    assertEquals(0, plain.status(), plain.toString());
  }

  @Test
  void theTokenIsVerifiedBeforeTheMessageIsInflatedOrParsed() {
    Map<String, String> forged = Map.of("authorization", "Bearer " + token + "x", "grpc-encoding", "gzip");
    Answer garbage = raw.call("AddLoyaltyPoints", forged, RawGrpc.frame(false, new byte[] {(byte) 0xFF, 0x01, 0x02}));
    assertEquals(GrpcStatus.UNAUTHENTICATED.code, garbage.status(), garbage.toString());
    Answer bomb = raw.call("AddLoyaltyPoints", forged, RawGrpc.frame(true, RawGrpc.gzip(new byte[4 * 1024 * 1024])));
    assertEquals(GrpcStatus.UNAUTHENTICATED.code, bomb.status(), bomb.toString());
  }

  @Test
  void anEncodingTheServiceDoesNotSpeakIsUnimplemented() {
    Answer a = raw.call("AddLoyaltyPoints", bearer("br"), RawGrpc.frame(true, new byte[] {1, 2, 3}));
    assertEquals(GrpcStatus.UNIMPLEMENTED.code, a.status(), a.toString());
    assertEquals(0, ledgerRows());
  }

  @Test
  void theCompressedFlagWithoutADeclaredEncodingIsInvalidArgument() {
    Answer a = raw.call("AddLoyaltyPoints", bearer(), RawGrpc.frame(true, RawGrpc.gzip(earn("flag").toByteArray())));
    assertEquals(GrpcStatus.INVALID_ARGUMENT.code, a.status(), a.toString());
    // Declared identity, flagged compressed: a valid uncompressed message must not be taken as it is either.
    Answer identity = raw.call("AddLoyaltyPoints", bearer("identity"), RawGrpc.frame(true, earn("flag").toByteArray()));
    assertEquals(GrpcStatus.INVALID_ARGUMENT.code, identity.status(), identity.toString());
    assertEquals(0, ledgerRows());
    Answer plain = raw.call("AddLoyaltyPoints", bearer("identity"), RawGrpc.frame(false, earn("flag").toByteArray()));
    assertEquals(0, plain.status(), plain.toString());
  }

  @Test
  void anOversizedMessageIsResourceExhausted() {
    byte[] big = new byte[app.config.grpcMaxMessageBytes() + 1];
    Answer a = raw.call("GetCustomer", bearer(), RawGrpc.frame(false, big));
    assertEquals(GrpcStatus.RESOURCE_EXHAUSTED.code, a.status(), a.toString());
  }

  @Test
  void getCustomerShowsPointsOnlyWithLoyaltyReadAndCreditOnlyWithCreditRead() {
    Http manager = new Http(app.config.httpPort()).as(token);
    String company = manager.post("/api/v1/customers", new JsonObject().put("customer_type", "company")
        .put("legal_name", "Constructora Andes")).json().getString("id");
    assertEquals(200, manager.post("/api/v1/customers/" + company + "/credit/line", new JsonObject().put("credit_limit", "500000")
        .put("currency", "CLP").put("terms_days", 30)).status);
    assertEquals(200, manager.post("/api/v1/customers/" + company + "/credit/line/approve", null).status);
    customer = company;
    assertEquals(0, raw.call("AddLoyaltyPoints", bearer(), RawGrpc.frame(false, earn("scope").toByteArray())).status());
    GetCustomerRequest get = GetCustomerRequest.newBuilder().setCustomerId(company).build();

    GetCustomerResponse full = grpc.call(CustomerServiceGrpcClient.GetCustomer, get, token).body();
    assertEquals(100, full.getLoyaltyPoints());
    assertEquals(500000.0, full.getCreditLimit());
    assertTrue(full.hasCredit() && full.hasLoyalty());

    // Twice each: the first answer may come from the database, the second from the cache.
    for (int i = 0; i < 2; i++) {
      GetCustomerResponse profileOnly = grpc.call(CustomerServiceGrpcClient.GetCustomer, get, app.token(org, "customers:read")).body();
      assertEquals("Constructora Andes", profileOnly.getLegalName());
      assertFalse(profileOnly.hasLoyalty());
      assertFalse(profileOnly.hasCredit());
      assertEquals(0, profileOnly.getLoyaltyPoints());
      assertEquals("", profileOnly.getLoyaltyTier());
      assertEquals(0.0, profileOnly.getCreditLimit());
      assertEquals(0.0, profileOnly.getCreditAvailable());

      GetCustomerResponse pos = grpc.call(CustomerServiceGrpcClient.GetCustomer, get, app.token(org, "customers:read", "loyalty:read")).body();
      assertEquals(100, pos.getLoyaltyPoints());
      assertFalse(pos.hasCredit());
      assertEquals(0.0, pos.getCreditAvailable());

      Reply<GetCustomerResponse> lookup = grpc.call(CustomerServiceGrpcClient.LookupCustomer,
          LookupCustomerRequest.newBuilder().setDocumentNumber("12.345.678-5").build(), app.token(org, "customers:read"));
      assertTrue(lookup.ok(), lookup.toString());
      assertEquals("Ana", lookup.body().getFirstName());
      assertFalse(lookup.body().hasLoyalty());
      assertEquals("", lookup.body().getLoyaltyTier());
    }
  }
}
