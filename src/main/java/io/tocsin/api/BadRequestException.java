package io.tocsin.api;

/** A request body that cannot be used; its message goes back to the client as is. */
final class BadRequestException extends Exception {
  private static final long serialVersionUID = 1L;

  BadRequestException(String message) {
    super(message);
  }
}
