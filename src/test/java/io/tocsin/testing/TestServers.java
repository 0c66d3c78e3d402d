package io.tocsin.testing;

import io.tocsin.Tocsin;
import io.tocsin.config.HostPort;
import io.tocsin.config.ServerConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;

/** Starts Tocsin in-process on free loopback ports. */
public final class TestServers {
  private TestServers() {}

  public static ServerConfig loopbackConfig(Path dataDir) {
    HostPort any = new HostPort("127.0.0.1", 0);
    return ServerConfig.defaults(dataDir).withListen(new ServerConfig.Listen(any, any, any)).withDataDir(dataDir);
  }

  public static Tocsin start(Path dataDir) throws Exception {
    return Tocsin.start(loopbackConfig(dataDir), Clock.systemUTC());
  }
}
