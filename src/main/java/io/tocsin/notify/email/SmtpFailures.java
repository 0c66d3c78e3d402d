package io.tocsin.notify.email;

import io.tocsin.notify.Delivery;
import jakarta.mail.Address;
import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.eclipse.angus.mail.smtp.SMTPAddressFailedException;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;
import org.eclipse.angus.mail.smtp.SMTPSenderFailedException;

/**
 * Turns what Jakarta Mail threw into a {@link Delivery}, the way SMTP means its reply codes: 4yz
 * is "try again later" (retry), 5yz is "this will not work" (failed). A connection that could not
 * be made, timed out or was dropped is retried, like a network error on HTTP. A refused login
 * fails for good: sending the same password again will not help.
 *
 * <p>Sends are partial ({@code mail.smtp.sendpartial}): when the server refused some recipients
 * and took the message for the others, it counts as sent, with the refusals in the detail. Sending
 * it again to get it to the refused ones would mail everyone else twice.
 */
final class SmtpFailures {
  private SmtpFailures() {}

  /**
   * @param lastReturnCode the transport's last reply code: for failures that carry no code of
   *     their own, such as a bad greeting; -1 when the server closed the connection
   */
  static Delivery delivery(MessagingException e, MailServer server, int lastReturnCode) {
    String where = "SMTP " + server.address();
    if (e instanceof AuthenticationFailedException) {
      // The server's reply never holds the password; the username is not a secret.
      return Delivery.failed(where + ": login as \"" + server.username() + "\" refused: " + oneLine(e.getMessage()));
    }
    List<Exception> chain = chain(e);
    List<String> refusals = new ArrayList<>();
    List<Integer> codes = new ArrayList<>();
    for (Exception link : chain) {
      if (link instanceof SMTPAddressFailedException a) {
        refusals.add(a.getAddress() + ": " + oneLine(a.getMessage()));
        codes.add(a.getReturnCode());
      } else if (link instanceof SMTPSenderFailedException s) {
        refusals.add("sender " + s.getAddress() + ": " + oneLine(s.getMessage()));
        codes.add(s.getReturnCode());
      } else if (link instanceof SMTPSendFailedException s && s.getReturnCode() >= 400) {
        codes.add(s.getReturnCode());
      }
    }
    String what = refusals.isEmpty() ? oneLine(e.getMessage()) : "refused " + String.join("; ", refusals);
    if (e instanceof SendFailedException s && hasAny(s.getValidSentAddresses())) {
      return Delivery.sent(where + ": accepted for " + list(s.getValidSentAddresses()) + "; " + what);
    }
    if (codes.stream().anyMatch(SmtpFailures::transient4xx)) {
      return Delivery.retry(where + ": " + what, null);
    }
    if (codes.stream().anyMatch(code -> code >= 500)) {
      return Delivery.failed(where + ": " + what);
    }
    IOException io = deepestIoException(chain);
    if (io != null) {
      String message = io.getMessage() == null ? "" : ": " + oneLine(io.getMessage());
      return Delivery.retry(where + ": " + io.getClass().getSimpleName() + message, null);
    }
    if (transient4xx(lastReturnCode) || lastReturnCode == -1) {
      return Delivery.retry(where + ": " + what, null);
    }
    // Left: 5yz replies outside a send, and the two ends disagreeing, such as STARTTLS required
    // but not offered. Neither gets better by itself.
    return Delivery.failed(where + ": " + what);
  }

  private static boolean transient4xx(int code) {
    return code >= 400 && code < 500;
  }

  /** The exception, the ones chained after it (one per refused recipient) and their causes. */
  private static List<Exception> chain(MessagingException e) {
    Map<Throwable, Boolean> seen = new IdentityHashMap<>();
    List<Exception> chain = new ArrayList<>();
    List<Throwable> todo = new ArrayList<>(List.of(e));
    while (!todo.isEmpty()) {
      Throwable t = todo.remove(0);
      if (t == null || seen.put(t, Boolean.TRUE) != null) {
        continue;
      }
      if (t instanceof Exception x) {
        chain.add(x);
      }
      if (t instanceof MessagingException m) {
        todo.add(m.getNextException());
      }
      todo.add(t.getCause());
    }
    return chain;
  }

  private static IOException deepestIoException(List<Exception> chain) {
    IOException found = null;
    for (Exception e : chain) {
      if (e instanceof IOException io) {
        found = io;
      }
    }
    return found;
  }

  private static boolean hasAny(Address[] addresses) {
    return addresses != null && addresses.length > 0;
  }

  static String list(Address[] addresses) {
    return Arrays.stream(addresses).map(Address::toString).collect(Collectors.joining(", "));
  }

  static String oneLine(String text) {
    return text == null ? "" : text.strip().replaceAll("\\s+", " ");
  }
}
