package org.jfpm.os;

/**
 * A listening socket's accept queue: {@code waiting} connections nobody has accepted yet, out of
 * {@code capacity} (the effective backlog). The kernel admits up to {@code capacity + 1}.
 */
public record QueueLength(int waiting, int capacity) {
}
