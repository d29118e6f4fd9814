package com.zenlogic.customerservice.api.grpc;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import com.zenlogic.customerservice.platform.errors.DomainException;
import com.zenlogic.customerservice.platform.values.Text;
import io.vertx.core.buffer.Buffer;
import io.vertx.grpc.common.GrpcMessage;
import io.vertx.grpc.common.GrpcMessageDecoder;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.server.StatusException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * Turning one received gRPC message into a request the service may act on: inflated within the
 * size limit, parsed, and every string in it (nested and repeated included) checked as storable text.
 *
 * <p>The Vert.x server bounds only the size on the wire and inflates gzip without a bound, so
 * calls take the raw message (GrpcServerRequest.messageHandler) and decode it here instead.
 */
final class RequestMessages {
  /** The encoding the edge gives a call that declares none or identity (Encodings): a set compressed flag then shows as this. */
  static final String UNDECLARED = "x-undeclared";

  private RequestMessages() {}

  static <T> T decode(GrpcMessage message, GrpcMessageDecoder<T> decoder, int maxBytes) {
    Buffer payload = switch (message.encoding()) {
      case "identity" -> message.payload();
      case "gzip" -> Buffer.buffer(gunzip(message.payload().getBytes(), maxBytes));
      case UNDECLARED -> throw DomainException.invalid("message", "has the compressed flag set but the call declares no compression (grpc-encoding)");
      default -> throw new StatusException(GrpcStatus.UNIMPLEMENTED, "grpc-encoding " + message.encoding() + " is not supported");
    };
    T decoded;
    try {
      decoded = decoder.decode(GrpcMessage.message("identity", message.format(), payload));
    } catch (RuntimeException e) {
      // CodecException for malformed protobuf, invalid UTF-8 in a string field or malformed JSON.
      throw DomainException.invalid("message", "is not a valid request message" + reason(e));
    }
    if (decoded instanceof Message m) {
      checkText(m, "");
    }
    return decoded;
  }

  /**
   * Inflates at most {@code maxBytes}: a message that inflates to more is refused without
   * inflating the rest, so 2 kB of gzip cannot become 2 MB in memory.
   */
  static byte[] gunzip(byte[] compressed, int maxBytes) {
    try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(compressed), 4096)) {
      ByteArrayOutputStream out = new ByteArrayOutputStream(Math.min(maxBytes, 8192));
      byte[] chunk = new byte[8192];
      int total = 0;
      for (int n; (n = in.read(chunk)) > 0; ) {
        total += n;
        if (total > maxBytes) {
          throw new StatusException(GrpcStatus.RESOURCE_EXHAUSTED, "message inflates to more than " + maxBytes + " bytes");
        }
        out.write(chunk, 0, n);
      }
      return out.toByteArray();
    } catch (IOException | RuntimeException e) {
      if (e instanceof StatusException s) {
        throw s;
      }
      throw DomainException.invalid("message", "is not valid gzip");
    }
  }

  /** Throws INVALID naming the first string field (path like {@code address.lines[1]}) that is not storable text. */
  static void checkText(Message message, String prefix) {
    for (Map.Entry<FieldDescriptor, Object> e : message.getAllFields().entrySet()) {
      FieldDescriptor field = e.getKey();
      String path = prefix + field.getName();
      if (field.isRepeated()) {
        List<?> values = (List<?>) e.getValue();
        for (int i = 0; i < values.size(); i++) {
          checkValue(field, path + "[" + i + "]", values.get(i));
        }
      } else {
        checkValue(field, path, e.getValue());
      }
    }
  }

  private static void checkValue(FieldDescriptor field, String path, Object value) {
    if (field.getJavaType() == FieldDescriptor.JavaType.STRING) {
      Text.checked(path, (String) value);
    } else if (field.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
      checkText((Message) value, path + ".");
    }
  }

  private static String reason(Throwable e) {
    Throwable cause = e.getCause() != null ? e.getCause() : e;
    String text = cause.getMessage();
    if (text == null || text.isBlank()) {
      return "";
    }
    String firstLine = text.lines().findFirst().orElse("");
    // The reason may quote the sender's bytes: only printable ASCII goes back in grpc-message.
    String printable = firstLine.replaceAll("[^\\x20-\\x7e]", "?");
    return ": " + (printable.length() > 120 ? printable.substring(0, 120) : printable);
  }
}
