package io.tocsin.cluster;

import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jgroups.Address;
import org.jgroups.Message;
import org.jgroups.conf.ClassConfigurator;
import org.jgroups.protocols.EncryptHeader;
import org.jgroups.protocols.SYM_ENCRYPT;
import org.jgroups.util.MessageBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SYM_ENCRYPT that drops traffic encrypted with another key (or not at all) before trying to
 * decrypt it, and says so once a minute per sender in words an operator can act on, instead of
 * JGroups' error per message.
 */
final class SecretEncrypt extends SYM_ENCRYPT {
  private static final Logger log = LoggerFactory.getLogger(Cluster.class);
  private static final long WARN_EVERY_MS = 60_000;
  private static final int MAX_REMEMBERED = 1_000;

  private final String clusterName;
  private final Map<String, Long> lastWarned = new ConcurrentHashMap<>();

  SecretEncrypt(String clusterName) {
    this.clusterName = clusterName;
    // The headers on the wire are SYM_ENCRYPT's, so peers running either class understand them.
    setId(ClassConfigurator.getProtocolId(SYM_ENCRYPT.class));
  }

  @Override
  public Object up(Message msg) {
    return refused(msg, msg.src()) ? null : super.up(msg);
  }

  @Override
  public void up(MessageBatch batch) {
    batch.removeIf(msg -> refused(msg, batch.sender()), true);
    if (!batch.isEmpty()) {
      super.up(batch);
    }
  }

  private boolean refused(Message msg, Address sender) {
    EncryptHeader header = msg.getHeader(id);
    if (header != null && Arrays.equals(header.version(), symVersion())) {
      return false;
    }
    warn(String.valueOf(sender), header == null ? "it is not encrypted" : "it is encrypted with another key");
    return true;
  }

  private void warn(String sender, String why) {
    long now = System.currentTimeMillis();
    Long last = lastWarned.get(sender);
    if (last != null && now - last < WARN_EVERY_MS) {
      return;
    }
    if (lastWarned.size() >= MAX_REMEMBERED) {
      lastWarned.clear();
    }
    lastWarned.put(sender, now);
    log.warn("cluster \"{}\": refused traffic from {}: {} — cluster.secret must be the same on every member "
        + "(logged once a minute per sender)", clusterName, sender, why);
  }
}
