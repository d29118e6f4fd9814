package com.zenlogic.customerservice.support;

import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A TCP proxy between the service and a shared dependency, so a test can simulate an outage by
 * cutting it, without stopping the machine's Redis, PostgreSQL or RabbitMQ.
 */
public final class TcpProxy implements AutoCloseable {
  private final Vertx vertx;
  private final int targetPort;
  private final int port;
  private final NetClient client;
  private final Set<NetSocket> sockets = ConcurrentHashMap.newKeySet();
  private NetServer server;

  public TcpProxy(Vertx vertx, int targetPort) throws java.io.IOException {
    this.vertx = vertx;
    this.targetPort = targetPort;
    this.port = TestApp.freePort();
    this.client = vertx.createNetClient();
    restore();
  }

  public int port() {
    return port;
  }

  /** Starts (again) forwarding new connections. */
  public void restore() {
    server = vertx.createNetServer().connectHandler(inbound -> {
      inbound.pause();
      client.connect(targetPort, "127.0.0.1").onSuccess(outbound -> {
        sockets.add(inbound);
        sockets.add(outbound);
        inbound.handler(outbound::write);
        outbound.handler(inbound::write);
        inbound.closeHandler(v -> outbound.close());
        outbound.closeHandler(v -> inbound.close());
        inbound.resume();
      }).onFailure(e -> inbound.close());
    });
    await(server.listen(port, "127.0.0.1"));
  }

  /** Drops every open connection and refuses new ones: the dependency is "down". */
  public void cut() {
    await(server.close());
    sockets.forEach(NetSocket::close);
    sockets.clear();
  }

  private static <T> T await(io.vertx.core.Future<T> f) {
    try {
      return f.await(10, TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    cut();
    client.close();
  }
}
