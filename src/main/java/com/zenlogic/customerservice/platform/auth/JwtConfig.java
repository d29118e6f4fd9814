package com.zenlogic.customerservice.platform.auth;

import com.zenlogic.customerservice.platform.config.ConfigException;
import com.zenlogic.customerservice.platform.config.ConfigReader;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * How the Auth Service's tokens are checked locally: an HS256 secret, a public key or the Auth
 * Service's JWKS (keys chosen by kid, fetched again on an unknown kid at most once per
 * {@code jwksMinRefreshSeconds}); issuer, audience, lifetime cap.
 */
public record JwtConfig(String hs256Secret, String publicKeyPath, String publicKeyAlgorithm, String issuer,
                        String audience, int maxLifetimeSeconds, String jwksUrl, int jwksMinRefreshSeconds) {
  public static final List<String> KEYS = List.of("JWT_HS256_SECRET", "JWT_PUBLIC_KEY_PATH", "JWT_PUBLIC_KEY_ALGORITHM",
      "JWT_ISSUER", "JWT_AUDIENCE", "JWT_MAX_LIFETIME_SECONDS", "JWT_JWKS_URL", "JWT_JWKS_MIN_REFRESH_SECONDS");

  public static JwtConfig from(ConfigReader r) {
    String secret = r.optionalText("JWT_HS256_SECRET");
    if (secret != null && secret.getBytes(StandardCharsets.UTF_8).length < 32) {
      throw new ConfigException("JWT_HS256_SECRET", "must be at least 32 bytes for HS256");
    }
    String publicKeyPath = r.optionalText("JWT_PUBLIC_KEY_PATH");
    if (secret != null && publicKeyPath != null) {
      throw new ConfigException("JWT_PUBLIC_KEY_PATH", "set either JWT_HS256_SECRET or JWT_PUBLIC_KEY_PATH, not both");
    }
    String algorithm = r.text("JWT_PUBLIC_KEY_ALGORITHM", "RS256");
    if (!algorithm.equals("RS256") && !algorithm.equals("ES256")) {
      throw new ConfigException("JWT_PUBLIC_KEY_ALGORITHM", "must be RS256 or ES256, got '" + algorithm + "'");
    }
    String jwksUrl = r.uri("JWT_JWKS_URL", "http");
    if (jwksUrl != null && (secret != null || publicKeyPath != null)) {
      throw new ConfigException("JWT_JWKS_URL", "set one of JWT_HS256_SECRET, JWT_PUBLIC_KEY_PATH or JWT_JWKS_URL");
    }
    return new JwtConfig(secret, publicKeyPath, algorithm, r.text("JWT_ISSUER", "zenlogic-auth"),
        r.text("JWT_AUDIENCE", "customer-service"), r.positive("JWT_MAX_LIFETIME_SECONDS", 86_400),
        jwksUrl, r.positive("JWT_JWKS_MIN_REFRESH_SECONDS", 30));
  }

  /** Whether a key source is configured (else a development secret may be generated). */
  public boolean hasKeys() {
    return hs256Secret != null || publicKeyPath != null || jwksUrl != null;
  }

  public JwtConfig withHs256Secret(String secret) {
    return new JwtConfig(secret, publicKeyPath, publicKeyAlgorithm, issuer, audience, maxLifetimeSeconds, jwksUrl,
        jwksMinRefreshSeconds);
  }
}
