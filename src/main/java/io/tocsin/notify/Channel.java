package io.tocsin.notify;

import io.tocsin.config.ChannelDeclaration;

/**
 * A configured channel: its declaration (to tell on reload whether it changed), whether it is
 * told about resolutions, and the notifier that talks to the service.
 */
record Channel(ChannelDeclaration declaration, boolean sendResolved, Notifier notifier) {

  String name() {
    return declaration.name();
  }

  String type() {
    return declaration.type();
  }
}
