package com.zenlogic.customerservice.webhooks;

import com.zenlogic.customerservice.platform.errors.DomainException;
import com.zenlogic.customerservice.platform.values.Text;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.Set;

/**
 * Where a webhook may point. The service sits inside the shop's network, so a URL is a way to make
 * it call things there (SSRF): only https, only names and addresses on the public internet. Checked
 * twice: the URL when it is saved (literal addresses, internal-looking names), and the address the
 * connection actually reached before anything is sent (a public name that resolves inside, DNS
 * rebinding). Hosts in WEBHOOKS_ALLOWED_HOSTS are exempt from both rules (tests, a local relay).
 */
public final class WebhookTargets {
  private static final Set<String> INTERNAL_SUFFIXES = Set.of(".localhost", ".local", ".internal", ".localdomain", ".lan",
      ".home.arpa", ".intranet", ".corp");

  private final Set<String> allowedHosts;

  public WebhookTargets(Set<String> allowedHosts) {
    this.allowedHosts = allowedHosts;
  }

  /** The URL as it will be called, or 400 naming {@code field}. */
  public URI check(String field, String url) {
    Text.checked(field, url);
    if (url == null || url.isBlank()) {
      throw DomainException.invalid(field, "is required");
    }
    if (url.length() > 2000) {
      throw DomainException.invalid(field, "must be at most 2000 characters");
    }
    URI uri;
    try {
      uri = new URI(url.strip());
    } catch (URISyntaxException e) {
      throw DomainException.invalid(field, "is not a URL");
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    String host = uri.getHost() == null ? null : uri.getHost().toLowerCase(Locale.ROOT);
    if (host == null || host.isEmpty() || !uri.isAbsolute() || uri.isOpaque()) {
      throw DomainException.invalid(field, "must be an absolute URL with a host, like https://example.com/hooks");
    }
    if (uri.getRawUserInfo() != null) {
      throw DomainException.invalid(field, "must not carry credentials (user:password@)");
    }
    if (uri.getRawFragment() != null) {
      throw DomainException.invalid(field, "must not have a #fragment");
    }
    boolean allowed = allowedHosts.contains(host);
    if (!scheme.equals("https") && !(allowed && scheme.equals("http"))) {
      throw DomainException.invalid(field, "must use https");
    }
    if (!allowed) {
      String refusal = refusal(host);
      if (refusal != null) {
        throw DomainException.invalid(field, refusal);
      }
    }
    return uri;
  }

  /** Whether a connection to this host may go to this address (the delivery-time check). */
  public boolean mayConnect(String host, InetAddress address) {
    return allowedHosts.contains(host.toLowerCase(Locale.ROOT)) || !internal(address);
  }

  private static String refusal(String host) {
    String name = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    if (name.contains(":")) {
      return internal(literal(name)) ? "must not point at an internal address" : null;
    }
    String[] labels = name.split("\\.");
    String last = labels[labels.length - 1];
    if (last.matches("[0-9]+") || last.startsWith("0x")) {
      // Numeric hosts only as a plain dotted quad: 2130706433, 0x7f.1 and 127.1 all mean 127.0.0.1.
      if (!name.matches("(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}")) {
        return "must be a host name or a dotted IPv4 address";
      }
      return internal(literal(name)) ? "must not point at an internal address" : null;
    }
    if (labels.length < 2 || name.equals("localhost")) {
      return "must be a public host name (a single-label or local name is internal)";
    }
    for (String suffix : INTERNAL_SUFFIXES) {
      if (name.endsWith(suffix)) {
        return "must be a public host name (" + suffix + " is internal)";
      }
    }
    return null;
  }

  /** Loopback, private, link-local (cloud metadata), carrier-grade NAT, multicast, unspecified, unique-local IPv6. */
  static boolean internal(InetAddress a) {
    if (a.isLoopbackAddress() || a.isAnyLocalAddress() || a.isLinkLocalAddress() || a.isSiteLocalAddress()
        || a.isMulticastAddress()) {
      return true;
    }
    byte[] b = a.getAddress();
    if (b.length == 16) {
      boolean mapped = true;
      for (int i = 0; i < 10; i++) {
        mapped &= b[i] == 0;
      }
      if (mapped && (b[10] == 0 && b[11] == 0 || b[10] == (byte) 0xff && b[11] == (byte) 0xff)) {
        return internalV4(b[12] & 0xff, b[13] & 0xff);
      }
      return (b[0] & 0xfe) == 0xfc;
    }
    return internalV4(b[0] & 0xff, b[1] & 0xff);
  }

  private static boolean internalV4(int first, int second) {
    return first == 0 || first == 10 || first == 127 || (first == 100 && (second & 0xc0) == 64) || (first == 169 && second == 254)
        || (first == 172 && (second & 0xf0) == 16) || (first == 192 && second == 168) || (first == 198 && (second & 0xfe) == 18)
        || first >= 224;
  }

  /** An address literal: never a DNS lookup (the callers pass only literals). */
  private static InetAddress literal(String name) {
    try {
      return InetAddress.getByName(name);
    } catch (UnknownHostException e) {
      throw DomainException.invalid("url", "is not a valid address");
    }
  }
}
