package org.jfpm.os;

/** Thread helpers for the OS layer's own daemon threads. */
final class Threads {
    private Threads() {
    }

    /** Joins {@code thread}, keeping the caller's interrupt status. */
    static void joinUninterruptibly(Thread thread) {
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
