package org.clipwsss.cli;

import java.io.PrintWriter;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Ctrl-C (SIGINT) or SIGTERM during training: a shutdown hook asks the training loop to stop after the current
 * step and waits (up to two minutes) until the work is closed, so the loop's checkpoint is written before the JVM
 * ends. Closing it removes the hook.
 */
final class CancelOnSignal implements AutoCloseable {
    private final AtomicBoolean requested = new AtomicBoolean();
    private final CountDownLatch closed = new CountDownLatch(1);
    private final Thread hook;

    CancelOnSignal(PrintWriter terminal) {
        hook = new Thread(() -> {
            requested.set(true);
            terminal.println("interrupted: stopping after this step and saving a checkpoint");
            terminal.flush();
            try {
                closed.await(2, TimeUnit.MINUTES);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "clip-wsss-cancel");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    boolean requested() {
        return requested.get();
    }

    @Override
    public void close() {
        closed.countDown();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the JVM is already shutting down: the hook is running and has just been released by countDown
        }
    }
}
