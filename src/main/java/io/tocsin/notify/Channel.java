package io.tocsin.notify;


/**
 * A configured channel: its declaration (to tell on reload whether it changed), whether it is
 * told about resolutions, the notifier that talks to the service, and the redactor that takes
 * the channel's secrets out of what the service answers.
 */
record Channel(ChannelDeclaration declaration, boolean sendResolved, Notifier notifier, Redactor redactor) {

  String name() {
    return declaration.name();
  }

  String type() {
    return declaration.type();
  }

  /**
   * Sends through the notifier and returns its answer without the channel's secrets: every
   * answer that reaches the history, the status page, the log or a test-send response comes
   * from here, so no channel can forget to redact. A notifier's bug is rethrown, redacted too.
   */
  Delivery send(Notification notification) {
    try {
      return notifier.send(notification).redacted(redactor);
    } catch (RuntimeException e) {
      throw new RedactedException(e, redactor);
    }
  }

  /** A notifier's unexpected exception, with the channel's secrets taken out of its messages. */
  static final class RedactedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    RedactedException(RuntimeException original, Redactor redactor) {
      super(redactor.redact(original.toString()), null, false, true);
      setStackTrace(original.getStackTrace());
    }

    @Override
    public String toString() {
      return getMessage();
    }
  }
}
