package com.zenlogic.customerservice.webhooks;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The signature a receiver checks, in the Stripe / Standard Webhooks shape:
 * {@code X-Zenlogic-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, t + "." + body)>}. The
 * timestamp is signed with the body, so a receiver that refuses old timestamps also refuses replays.
 */
public final class Signatures {
  public static final String HEADER = "X-Zenlogic-Signature";
  public static final String EVENT_ID_HEADER = "X-Zenlogic-Event-Id";
  public static final String EVENT_TYPE_HEADER = "X-Zenlogic-Event-Type";
  public static final String DELIVERY_HEADER = "X-Zenlogic-Delivery-Id";
  public static final String ATTEMPT_HEADER = "X-Zenlogic-Delivery-Attempt";

  private static final SecureRandom RANDOM = new SecureRandom();

  private Signatures() {}

  /** The header value for this body sent at this time. */
  public static String header(String secret, long unixSeconds, byte[] body) {
    return "t=" + unixSeconds + ",v1=" + HexFormat.of().formatHex(hmac(secret, unixSeconds, body));
  }

  /** What a receiver does (used by the tests and shown in docs/webhooks.md): recompute and compare in constant time. */
  public static boolean verify(String secret, String header, byte[] body, long nowSeconds, long toleranceSeconds) {
    if (header == null) {
      return false;
    }
    Long t = null;
    String v1 = null;
    for (String part : header.split(",")) {
      String[] kv = part.split("=", 2);
      if (kv.length == 2 && kv[0].strip().equals("t")) {
        try {
          t = Long.parseLong(kv[1].strip());
        } catch (NumberFormatException e) {
          return false;
        }
      } else if (kv.length == 2 && kv[0].strip().equals("v1")) {
        v1 = kv[1].strip();
      }
    }
    if (t == null || v1 == null || Math.abs(nowSeconds - t) > toleranceSeconds) {
      return false;
    }
    byte[] expected = HexFormat.of().formatHex(hmac(secret, t, body)).getBytes(StandardCharsets.US_ASCII);
    return MessageDigest.isEqual(expected, v1.getBytes(StandardCharsets.US_ASCII));
  }

  /** A fresh secret when the subscriber brings none: 32 random bytes, base64url, prefixed so it is recognisable in a vault. */
  public static String newSecret() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return "whsec_" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  private static byte[] hmac(String secret, long unixSeconds, byte[] body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      mac.update((unixSeconds + ".").getBytes(StandardCharsets.US_ASCII));
      return mac.doFinal(body);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }
}
