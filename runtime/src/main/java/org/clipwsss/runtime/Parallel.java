package org.clipwsss.runtime;

import java.util.stream.IntStream;

/**
 * Rows of a Java loop on the cores ONNX Runtime leaves idle between its runs: {@code [0, n)} cut into contiguous
 * blocks, each block done by one thread with the same arithmetic as a single loop, so the results do not depend on
 * the number of threads. Small loops stay on the calling thread; {@code -Dclipwsss.javaThreads=1} keeps every loop there.
 */
public final class Parallel {
    /**
     * Work below this many units (rows x their cost, about multiply-adds) stays on one thread: measured on 2 cores, a
     * 500x375 -> 512x384 bicubic resize (about 3 M units a pass) took 2.9-3.0 ms on one thread and 3.0-4.1 ms on two,
     * a 4000x3000 -> 683x512 one (about 200 M) 68-73 ms on one and 38-42 ms on two.
     */
    static final long MIN_WORK = 20_000_000;

    /** What a block of rows does. */
    @FunctionalInterface
    public interface Block {
        void rows(int from, int to);
    }

    private Parallel() {
    }

    /**
     * Runs {@code block} over {@code [0, n)}, in parallel blocks when {@code n * costPerRow} is large enough (the common
     * fork-join pool plus the calling thread).
     */
    public static void rows(int n, long costPerRow, Block block) {
        int threads = Integer.getInteger("clipwsss.javaThreads", Math.min(Runtime.getRuntime().availableProcessors(), 8));
        if (threads < 2 || n < 2 || (long) n * costPerRow < MIN_WORK) {
            block.rows(0, n);
            return;
        }
        int blocks = Math.min(n, threads * 2);
        IntStream.range(0, blocks).parallel().forEach(b -> block.rows((int) ((long) n * b / blocks), (int) ((long) n * (b + 1) / blocks)));
    }
}
