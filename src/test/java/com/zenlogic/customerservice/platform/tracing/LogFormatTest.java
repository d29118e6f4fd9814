package com.zenlogic.customerservice.platform.tracing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgException;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The shipped logback.xml in both formats, with the correlation id of the handling; and the redaction of failures. */
class LogFormatTest {

  @Test
  void jsonLinesCarryTimestampLevelLoggerMessageAndTheCorrelationIdAlsoFromWorkerThreads() throws Exception {
    List<String> lines = logThroughShippedConfig("json");
    assertEquals(2, lines.size(), String.join("\n", lines));
    for (String line : lines) {
      JsonObject json = new JsonObject(line);
      assertTrue(json.getLong("timestamp") > 0, line);
      assertEquals("INFO", json.getString("level"));
      assertEquals("test.logger", json.getString("loggerName"));
      assertEquals("cid-42", json.getJsonObject("mdc").getString("correlation_id"));
    }
    assertEquals("on the event loop 1", new JsonObject(lines.get(0)).getString("formattedMessage"));
    assertEquals("in executeBlocking 2", new JsonObject(lines.get(1)).getString("formattedMessage"));
    assertTrue(new JsonObject(lines.get(1)).getString("threadName").contains("worker"));
  }

  @Test
  void textLinesShowTheCorrelationId() throws Exception {
    List<String> lines = logThroughShippedConfig("text");
    assertEquals(2, lines.size(), String.join("\n", lines));
    assertTrue(lines.get(0).matches(".* INFO  \\[vert\\.x-eventloop-thread-\\d+\\] test\\.logger cid=cid-42 - on the event loop 1"), lines.get(0));
    assertTrue(lines.get(1).contains(" cid=cid-42 - in executeBlocking 2"), lines.get(1));
  }

  @Test
  void failuresAreDescribedWithoutTheValuesTheyEcho() {
    PgException pg = new PgException("invalid input syntax for type uuid: \"+56 9 8765 4321\"", "ERROR", "22P02",
        "Key (phone)=(+56987654321) already exists.");
    String described = Redact.failure(new IllegalStateException("wrapped", pg));
    assertEquals("IllegalStateException: wrapped <- PgException: SQLSTATE 22P02: invalid input syntax for type uuid: ?", described);
    assertEquals("NumberFormatException: For input string: ?", Redact.failure(new NumberFormatException("For input string: \"ana@x.cl\"")));
    assertEquals("duplicate ? for ?", Redact.text("duplicate (email)=(ana@x.cl) for 'Ana Pérez'"));
    assertFalse(Redact.failure(new RuntimeException("value «12.345.678-5» refused")).contains("12.345"));
  }

  /** Two lines through a fresh logback context configured from the shipped logback.xml, captured from its console. */
  private static List<String> logThroughShippedConfig(String format) throws Exception {
    PrintStream console = System.out;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    String before = System.getProperty("LOG_FORMAT");
    Vertx vertx = Vertx.vertx();
    LoggerContext logback = new LoggerContext();
    // The MDC the filter writes is SLF4J's, as in the service's own context.
    logback.setMDCAdapter(org.slf4j.MDC.getMDCAdapter());
    try {
      System.setProperty("LOG_FORMAT", format);
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      JoranConfigurator config = new JoranConfigurator();
      config.setContext(logback);
      config.doConfigure(LogFormatTest.class.getResource("/logback.xml"));
      // A warning would make logback print its whole status at every start.
      assertTrue(logback.getStatusManager().getCopyOfStatusList().stream().allMatch(st -> st.getLevel() < ch.qos.logback.core.status.Status.WARN),
          () -> logback.getStatusManager().getCopyOfStatusList().toString());
      org.slf4j.Logger log = logback.getLogger("test.logger");
      ContextInternal handling = Correlation.newHandling(vertx.getOrCreateContext(), "cid-42");
      handling.<Void>executeBlocking(() -> null).compose(v -> {
        log.info("on the event loop {}", 1);
        return handling.executeBlocking(() -> {
          log.info("in executeBlocking {}", 2);
          return null;
        });
      }).await(10, TimeUnit.SECONDS);
      log.info("off Vert.x, no correlation id: {}", 3);
    } finally {
      System.setOut(console);
      if (before == null) {
        System.clearProperty("LOG_FORMAT");
      } else {
        System.setProperty("LOG_FORMAT", before);
      }
      logback.stop();
      vertx.close().await(10, TimeUnit.SECONDS);
    }
    return out.toString(StandardCharsets.UTF_8).lines().filter(l -> l.contains("cid-42")).toList();
  }
}
