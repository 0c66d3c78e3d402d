package io.tocsin.cluster;

import io.tocsin.config.HostPort;
import io.tocsin.config.ServerConfig;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.List;
import javax.crypto.SecretKey;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;
import org.jgroups.logging.CustomLogFactory;
import org.jgroups.logging.Log;
import org.jgroups.logging.LogFactory;
import org.jgroups.logging.Slf4jLogImpl;
import org.jgroups.protocols.FD_ALL3;
import org.jgroups.protocols.FD_SOCK2;
import org.jgroups.protocols.FRAG4;
import org.jgroups.protocols.MERGE3;
import org.jgroups.protocols.MFC;
import org.jgroups.protocols.SERIALIZE;
import org.jgroups.protocols.TCP;
import org.jgroups.protocols.TCPPING;
import org.jgroups.protocols.UFC;
import org.jgroups.protocols.UNICAST3;
import org.jgroups.protocols.VERIFY_SUSPECT2;
import org.jgroups.protocols.dns.DNS_PING;
import org.jgroups.protocols.pbcast.GMS;
import org.jgroups.protocols.pbcast.NAKACK2;
import org.jgroups.protocols.pbcast.STABLE;
import org.jgroups.protocols.pbcast.STATE_TRANSFER;
import org.jgroups.stack.Protocol;

/**
 * The JGroups protocol stack of a {@code cluster:} section, built in code so that nobody edits
 * JGroups XML. Bottom to top: TCP, discovery (TCPPING or DNS_PING), MERGE3, FD_SOCK2, FD_ALL3,
 * VERIFY_SUSPECT2, [SYM_ENCRYPT, SERIALIZE when a secret is set], NAKACK2, UNICAST3, STABLE,
 * GMS, UFC, MFC, FRAG4, STATE_TRANSFER.
 *
 * <p>Failure detection follows {@code peer_timeout}: a member that stops sending heartbeats is
 * suspected after 80% of it (FD_ALL3, heartbeats every 20%) and, unless it answers within the
 * remaining 20% (VERIFY_SUSPECT2), leaves the view; so a hung member is gone after about
 * {@code peer_timeout}. A crashed one is noticed at once through its closed socket (FD_SOCK2,
 * which listens on the bind port + 100) and leaves after the 20% verification.
 */
final class ClusterStack {
  /** How long a joiner waits for the coordinator's answer per attempt; a lone first member waits this once. */
  static final long JOIN_TIMEOUT_MS = 1_000;
  /** Join attempts before a member that found peers but got no answer starts a view of its own. */
  static final int MAX_JOIN_ATTEMPTS = 3;
  private static final int KEY_ITERATIONS = 100_000;

  static {
    // JGroups logs through log4j2 or java.util.logging unless told otherwise; send it to Logback.
    LogFactory.setCustomLogFactory(new CustomLogFactory() {
      @Override
      public Log getLog(Class<?> clazz) {
        return new Slf4jLogImpl(clazz);
      }

      @Override
      public Log getLog(String category) {
        return new Slf4jLogImpl(category);
      }
    });
  }

  private ClusterStack() {}

  /** This member's name: the bind address, with a wildcard host replaced by the local host name. */
  static String memberName(HostPort bind) throws UnknownHostException {
    return (isWildcard(bind) ? InetAddress.getLocalHost().getHostName() : bind.host()) + ":" + bind.port();
  }

  static List<Protocol> protocols(ServerConfig.Cluster settings) throws UnknownHostException, GeneralSecurityException {
    HostPort bind = settings.bind();
    TCP tcp = new TCP();
    tcp.setBindPort(bind.port());
    tcp.setPortRange(0);
    if (isWildcard(bind)) {
      // Listen everywhere, but tell peers an address they can reach.
      tcp.setBindAddress(InetAddress.getByName(bind.host()));
      tcp.setExternalAddr(InetAddress.getLocalHost());
    } else {
      tcp.setBindAddress(InetAddress.getByName(bind.host()));
    }

    long peerTimeout = settings.peerTimeout().toMillis();
    List<Protocol> stack = new ArrayList<>();
    stack.add(tcp);
    stack.add(discovery(settings));
    stack.add(new MERGE3().setMinInterval(1_000).setMaxInterval(Math.max(2_000, peerTimeout / 3)));
    stack.add(new FD_SOCK2());
    stack.add(new FD_ALL3().setTimeout(peerTimeout * 4 / 5).setInterval(Math.max(100, peerTimeout / 5)));
    stack.add(new VERIFY_SUSPECT2().setTimeout(Math.max(100, peerTimeout / 5)));
    if (!settings.secret().isEmpty()) {
      // Encrypt every message whole (SERIALIZE moves the headers into the encrypted payload), so that
      // without the secret nothing above this point can be read, forged or joined.
      stack.add(new SecretEncrypt(settings.name()).setSecretKey(key(settings))
          .symAlgorithm("ChaCha20-Poly1305").symIvLength(12));
      stack.add(new SERIALIZE());
    }
    stack.add(new NAKACK2().useMcastXmit(false));
    stack.add(new UNICAST3());
    stack.add(new STABLE());
    stack.add(new GMS().setJoinTimeout(JOIN_TIMEOUT_MS).setMaxJoinAttempts(MAX_JOIN_ATTEMPTS)
        .printLocalAddress(false));
    stack.add(new UFC());
    stack.add(new MFC());
    stack.add(new FRAG4());
    stack.add(new STATE_TRANSFER());
    return stack;
  }

  private static Protocol discovery(ServerConfig.Cluster settings) {
    if (settings.dns() != null) {
      return new DNS_PING().dnsQuery(settings.dns()).dnsRecordType("A");
    }
    List<InetSocketAddress> hosts = settings.members().stream().map(HostPort::toSocketAddress).toList();
    return new TCPPING().setInitialHosts(hosts).setPortRange(0);
  }

  /**
   * A 256-bit key stretched from the secret (PBKDF2, salted with the cluster name), so that the
   * key's fingerprint JGroups sends along does not make guessing the secret cheap.
   */
  static SecretKey key(ServerConfig.Cluster settings) throws GeneralSecurityException {
    char[] secret = settings.secret().reveal().toCharArray();
    byte[] salt = ("tocsin-cluster:" + settings.name()).getBytes(StandardCharsets.UTF_8);
    byte[] key = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256")
        .generateSecret(new PBEKeySpec(secret, salt, KEY_ITERATIONS, 256)).getEncoded();
    return new SecretKeySpec(key, "ChaCha20");
  }

  private static boolean isWildcard(HostPort bind) {
    return bind.host().equals("0.0.0.0") || bind.host().equals("::");
  }
}
