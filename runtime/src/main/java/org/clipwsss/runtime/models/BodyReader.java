package org.clipwsss.runtime.models;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Reads an HTTP response body (as {@link java.net.http.HttpResponse.BodyHandlers#ofPublisher()} delivers it) with
 * a time limit on each wait for data, which the client's own {@code InputStream} body lacks: a server that stalls
 * after the headers would otherwise block the reader for ever. Also polls for cancellation while waiting.
 * One reader thread; {@link #close} cancels the transfer.
 */
final class BodyReader implements Flow.Subscriber<List<ByteBuffer>>, AutoCloseable {
    /** No data came within the time limit. */
    static final class StalledException extends Exception {
        private static final long serialVersionUID = 1L;

        StalledException() {
            super(null, null, false, false);
        }
    }

    /** Cancellation was asked for (or the thread was interrupted) while waiting. */
    static final class CancelledException extends Exception {
        private static final long serialVersionUID = 1L;

        CancelledException() {
            super(null, null, false, false);
        }
    }

    private static final Object END = new Object();
    private static final long CANCEL_POLL_NANOS = 250_000_000L;

    private final BlockingQueue<Object> queue = new LinkedBlockingQueue<>();
    private volatile Flow.Subscription subscription;
    private volatile boolean closed;
    private List<ByteBuffer> current = List.of();
    private int index;
    private boolean ended;

    @Override
    public void onSubscribe(Flow.Subscription s) {
        if (closed) {
            s.cancel();
            return;
        }
        subscription = s;
        s.request(1);
    }

    @Override
    public void onNext(List<ByteBuffer> item) {
        queue.add(item);
    }

    @Override
    public void onError(Throwable t) {
        queue.add(t);
    }

    @Override
    public void onComplete() {
        queue.add(END);
    }

    /**
     * Reads up to {@code buffer.length} bytes, waiting at most {@code timeoutNanos} for the first of them.
     *
     * @return the number of bytes read, or -1 at the end of the body
     * @throws IOException        when the transfer failed
     * @throws StalledException   when nothing arrived within the time limit
     * @throws CancelledException when {@code cancelled} turned true (polled a few times a second while waiting) or
     *                            the thread was interrupted
     */
    int read(byte[] buffer, long timeoutNanos, BooleanSupplier cancelled)
            throws IOException, StalledException, CancelledException {
        while (true) {
            for (; index < current.size(); index++) {
                ByteBuffer b = current.get(index);
                if (b.hasRemaining()) {
                    int n = Math.min(buffer.length, b.remaining());
                    b.get(buffer, 0, n);
                    return n;
                }
            }
            if (ended) {
                return -1;
            }
            Object next = take(timeoutNanos, cancelled);
            if (next == END) {
                ended = true;
                return -1;
            } else if (next instanceof Throwable t) {
                ended = true;
                throw t instanceof IOException io ? io : new IOException(t.getMessage(), t);
            }
            @SuppressWarnings("unchecked")
            List<ByteBuffer> list = (List<ByteBuffer>) next;
            current = list;
            index = 0;
            Flow.Subscription s = subscription;
            if (s != null) {
                s.request(1); // one item buffered ahead at most
            }
        }
    }

    private Object take(long timeoutNanos, BooleanSupplier cancelled) throws StalledException, CancelledException {
        long deadline = System.nanoTime() + timeoutNanos;
        try {
            while (true) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    Object last = queue.poll();
                    if (last != null) {
                        return last;
                    }
                    throw new StalledException();
                }
                Object next = queue.poll(Math.min(left, CANCEL_POLL_NANOS), TimeUnit.NANOSECONDS);
                if (next != null) {
                    return next;
                }
                if (cancelled.getAsBoolean()) {
                    throw new CancelledException();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CancelledException();
        }
    }

    /** Stops the transfer (the connection is closed unless the body was read to its end). */
    @Override
    public void close() {
        closed = true;
        Flow.Subscription s = subscription;
        if (s != null && !ended) {
            s.cancel();
        }
        queue.clear();
    }
}
