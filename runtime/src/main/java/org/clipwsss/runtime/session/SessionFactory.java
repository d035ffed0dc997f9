package org.clipwsss.runtime.session;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtLoggingLevel;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.clipwsss.runtime.ClipWsssException;

/**
 * The one place ONNX Runtime sessions are made. The execution provider is chosen once, when the factory is
 * made, and logged: CUDA when requested or when AUTO finds it in this ONNX Runtime build, else CPU. If
 * AUTO picked CUDA but the CUDA provider cannot start (no driver, no GPU), the factory falls back to CPU
 * and says so. Sessions are cached per file and closed with the factory (or at JVM shutdown for
 * {@link #shared()}).
 *
 * <p>ONNX Runtime's own log (ANSI-coloured {@code [W:onnxruntime:...]} lines on stderr) is set to FATAL for the
 * environment and every session: its warnings and errors are not for users, and every failure reaches them as this
 * project's one-line error naming the file. The system property {@code clipwsss.ortLogLevel} (verbose, info,
 * warning, error, fatal) brings it back for debugging.
 *
 * <p>Closing waits (at most two minutes) for session runs in progress on other threads ({@link #inUse()}, taken by
 * {@link GraphRunner#run}), so that no session is freed under a running graph. While the JVM shuts down, ONNX
 * Runtime's shutdown hook releases its environment under whatever still runs; a run that starts or fails then does
 * not report a failure (the program is ending, the failure would be the shutdown's, not the image's): its thread
 * waits (at most 30 s) for the JVM to end ({@link #awaitExitIfShuttingDown()}).
 */
public final class SessionFactory implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(SessionFactory.class.getName());
    private static SessionFactory shared;
    /** Set by a shutdown hook as the JVM's shutdown starts (a cheap first check; {@link #jvmShuttingDown()} is exact). */
    private static volatile boolean exiting;
    /** Whether a thread that would use ONNX Runtime during the JVM's shutdown waits for its end ({@link #runDuringShutdown()}). */
    private static volatile boolean waitDuringShutdown = true;

    static {
        try {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> exiting = true, "clip-wsss-exiting"));
        } catch (IllegalStateException shuttingDown) {
            exiting = true;
        }
    }

    /** Adds the CUDA provider to session options; replaceable in tests to simulate a broken CUDA install. */
    interface CudaHook {
        void addCuda(OrtSession.SessionOptions options) throws OrtException;
    }

    /** How long closing waits for runs in progress. */
    static final long CLOSE_WAIT_MILLIS = TimeUnit.MINUTES.toMillis(2);
    /** How long a thread that would use ONNX Runtime during the JVM's shutdown waits for the process to end. */
    static final long EXIT_WAIT_MILLIS = TimeUnit.SECONDS.toMillis(30);

    private final OrtEnvironment env = environment(logLevel());
    /** Read lock: a session run in progress; write lock: closing. */
    private final ReentrantReadWriteLock inUse = new ReentrantReadWriteLock();
    private final Device requested;
    private final int intraOpThreads;
    private final CudaHook cudaHook;
    private final Map<Path, OrtSession> sessions = new LinkedHashMap<>();
    private Device device;
    private boolean closed;

    public SessionFactory(Device requested, int intraOpThreads) {
        this(requested, intraOpThreads, OrtEnvironment.getAvailableProviders(), o -> o.addCUDA(0));
    }

    SessionFactory(Device requested, int intraOpThreads, Set<OrtProvider> available, CudaHook cudaHook) {
        if (intraOpThreads < 0) {
            throw new ClipWsssException("intra-op threads must be 0 (ONNX Runtime's default) or more, not "
                    + intraOpThreads);
        }
        this.requested = requested;
        this.intraOpThreads = intraOpThreads;
        this.cudaHook = cudaHook;
        this.device = resolve(requested, available);
        LOG.log(System.Logger.Level.INFO, "ONNX Runtime " + env.getVersion() + ": device " + device
                + " (requested " + requested + ", providers " + available + "), intra-op threads "
                + (intraOpThreads == 0 ? "default" : String.valueOf(intraOpThreads)));
    }

    /**
     * A process-wide factory (AUTO device unless the system property {@code clipwsss.device} says otherwise,
     * threads from {@code clipwsss.threads}), closed at JVM shutdown.
     */
    public static synchronized SessionFactory shared() {
        if (shared == null || shared.closed) {
            Device d = Device.parse(System.getProperty("clipwsss.device", "auto"));
            int threads = Integer.getInteger("clipwsss.threads", 0);
            SessionFactory f = new SessionFactory(d, threads);
            Runtime.getRuntime().addShutdownHook(new Thread(f::close, "clip-wsss-sessions")); // waits for runs in progress
            shared = f;
        }
        return shared;
    }

    /**
     * ONNX Runtime's process-wide environment, made with the given log level if this is the first call that makes it
     * (ONNX Runtime keeps the first level: every environment of this project is made here).
     */
    static synchronized OrtEnvironment environment(OrtLoggingLevel level) {
        OrtEnvironment env = OrtEnvironment.getEnvironment(level, "clip-wsss");
        if (!telemetryOff) {
            try {
                env.setTelemetry(false);
                telemetryOff = true;
            } catch (OrtException e) {
                LOG.log(System.Logger.Level.WARNING, "cannot switch off ONNX Runtime's telemetry events: " + e.getMessage()
                        + " (set ORT_DISABLE_TELEMETRY=1 before starting Java)");
            }
        }
        return env;
    }

    private static boolean telemetryOff;

    /**
     * What this process does about ONNX Runtime's telemetry (on by default in its official builds, see its Privacy.md):
     * the environment variable {@code ORT_DISABLE_TELEMETRY=1} set before Java started (bin/clip-wsss sets it) switches
     * it off entirely; otherwise only its non-essential events are switched off through the API.
     */
    public static String telemetry() {
        return "1".equals(System.getenv("ORT_DISABLE_TELEMETRY")) ? "off (ORT_DISABLE_TELEMETRY=1)"
                : "non-essential events off through the API; set ORT_DISABLE_TELEMETRY=1 before starting Java to switch it off entirely";
    }

    /** FATAL unless the system property {@code clipwsss.ortLogLevel} says otherwise. */
    static OrtLoggingLevel logLevel() {
        String s = System.getProperty("clipwsss.ortLogLevel", "fatal").trim().toUpperCase(Locale.ROOT);
        try {
            return OrtLoggingLevel.valueOf("ORT_LOGGING_LEVEL_" + s);
        } catch (IllegalArgumentException e) {
            throw new ClipWsssException("clipwsss.ortLogLevel must be verbose, info, warning, error or fatal, not '"
                    + System.getProperty("clipwsss.ortLogLevel") + "'");
        }
    }

    static Device resolve(Device requested, Set<OrtProvider> available) {
        boolean cuda = available.contains(OrtProvider.CUDA);
        switch (requested) {
            case CPU:
                return Device.CPU;
            case CUDA:
                if (!cuda) {
                    throw new ClipWsssException("device cuda was requested but this ONNX Runtime build has no CUDA "
                            + "provider (it has " + available + "); put onnxruntime_gpu on the class path instead "
                            + "of onnxruntime, or use --device cpu");
                }
                return Device.CUDA;
            default:
                return cuda ? Device.CUDA : Device.CPU;
        }
    }

    /** The device sessions actually run on (never AUTO). */
    public synchronized Device device() {
        return device;
    }

    public Device requested() {
        return requested;
    }

    public OrtEnvironment environment() {
        return env;
    }

    /** The cached session for an ONNX file, created on first use. */
    public synchronized OrtSession session(Path onnxFile) {
        if (closed) {
            throw new IllegalStateException("session factory is closed");
        }
        Path key = onnxFile.toAbsolutePath().normalize();
        OrtSession s = sessions.get(key);
        if (s == null) {
            if (!Files.isRegularFile(key)) {
                throw ClipWsssException.file(onnxFile, "missing ONNX file");
            }
            s = create(key);
            sessions.put(key, s);
        }
        return s;
    }

    private OrtSession create(Path file) {
        try (OrtSession.SessionOptions options = options()) {
            return env.createSession(file.toString(), options);
        } catch (OrtException e) {
            throw ClipWsssException.file(file, "ONNX Runtime cannot load it (" + firstLine(e) + ")", e);
        }
    }

    OrtSession.SessionOptions options() throws OrtException {
        OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        options.setSessionLogLevel(logLevel());
        options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
        if (intraOpThreads > 0) {
            options.setIntraOpNumThreads(intraOpThreads);
        }
        // Each session has its own intra-op threads; ONNX Runtime lets them spin after a run, which is free for one session
        // but steals the cores from the next session's threads when a run calls several in turn (dense features, then the
        // image tower; the trunk, then a gradient graph): measured 18 % faster per image on 2 cores without the spinning
        // (README, Speed). -Dclipwsss.ortSpinning=true brings ONNX Runtime's default back.
        options.addConfigEntry("session.intra_op.allow_spinning", Boolean.getBoolean("clipwsss.ortSpinning") ? "1" : "0");
        if (device == Device.CUDA) {
            try {
                cudaHook.addCuda(options);
            } catch (OrtException e) {
                if (requested == Device.CUDA) {
                    options.close();
                    throw new ClipWsssException("device cuda was requested but the CUDA provider did not start ("
                            + firstLine(e) + ")", e);
                }
                LOG.log(System.Logger.Level.WARNING, "CUDA provider did not start (" + firstLine(e)
                        + "); falling back to CPU");
                device = Device.CPU;
            }
        }
        return options;
    }

    /** The number of cached sessions (for tests and diagnostics). */
    public synchronized int cachedSessions() {
        return sessions.size();
    }

    /**
     * Held while a session of this factory runs (a read lock: runs on several threads go together); closing waits
     * until none is held. Throws when the factory is closed; waits for the JVM's end when it is shutting down.
     */
    public Use inUse() {
        if (exiting) {
            awaitExitIfShuttingDown();
        }
        ReentrantReadWriteLock.ReadLock lock = inUse.readLock();
        lock.lock();
        if (isClosed()) {
            lock.unlock();
            awaitExitIfShuttingDown();
            throw new IllegalStateException("session factory is closed");
        }
        return lock::unlock;
    }

    /** A session run in progress ({@link #inUse()}); closing it ends the run's hold. */
    @FunctionalInterface
    public interface Use extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * Closes every session, after waiting (at most two minutes) for runs in progress on other threads. If some are
     * still running then, their sessions are left open (the process is usually ending) rather than freed under them.
     */
    @Override
    public void close() {
        ReentrantReadWriteLock.WriteLock lock = inUse.writeLock();
        boolean locked = false;
        if (inUse.getReadHoldCount() == 0) { // this thread is not itself in a run (it could never get the write lock)
            try {
                locked = lock.tryLock(CLOSE_WAIT_MILLIS, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try {
            closeSessions(locked || inUse.getReadLockCount() == 0);
        } finally {
            if (locked) {
                lock.unlock();
            }
        }
    }

    private synchronized void closeSessions(boolean idle) {
        if (closed) {
            return;
        }
        closed = true;
        if (!idle) {
            LOG.log(System.Logger.Level.WARNING, "closing the ONNX Runtime sessions while " + inUse.getReadLockCount()
                    + " runs are still in progress: leaving them open");
            sessions.clear();
            return;
        }
        for (Map.Entry<Path, OrtSession> e : sessions.entrySet()) {
            try {
                e.getValue().close();
            } catch (OrtException ex) {
                LOG.log(System.Logger.Level.WARNING, "closing session for " + e.getKey() + " failed: " + firstLine(ex));
            }
        }
        sessions.clear();
    }

    /**
     * For a program whose own shutdown hook waits for its work to finish (the command line where it cannot handle
     * SIGINT and SIGTERM itself): session runs during the JVM's shutdown go on (and may fail) instead of waiting for
     * the process to end, which would hold that hook up.
     */
    public static void runDuringShutdown() {
        waitDuringShutdown = false;
    }

    /** Whether the JVM is shutting down (its shutdown hooks run, ONNX Runtime's among them). */
    public static boolean jvmShuttingDown() {
        if (exiting) {
            return true;
        }
        Thread probe = new Thread(() -> { }, "clip-wsss-shutdown-probe");
        try {
            Runtime.getRuntime().addShutdownHook(probe);
        } catch (IllegalStateException shuttingDown) {
            return true;
        }
        Runtime.getRuntime().removeShutdownHook(probe);
        return false;
    }

    /**
     * During the JVM's shutdown, waits (at most 30 s) for the process to end instead of returning: ONNX
     * Runtime's environment is being released, so whatever this thread was doing with it would fail for no reason of
     * its own, and reporting that (a failed image, an error message) would mislead. Returns at once otherwise, and
     * after {@link #runDuringShutdown()}.
     */
    public static void awaitExitIfShuttingDown() {
        if (!waitDuringShutdown || !jvmShuttingDown()) {
            return;
        }
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(EXIT_WAIT_MILLIS);
        while (System.nanoTime() < end) {
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    public synchronized boolean isClosed() {
        return closed;
    }

    static String firstLine(Throwable e) {
        String m = String.valueOf(e.getMessage());
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }
}
