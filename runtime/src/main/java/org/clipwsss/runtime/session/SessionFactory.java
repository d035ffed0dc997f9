package org.clipwsss.runtime.session;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.clipwsss.runtime.ClipWsssException;

/**
 * The one place ONNX Runtime sessions are made. The execution provider is chosen once, when the factory is
 * made, and logged: CUDA when requested or when AUTO finds it in this ONNX Runtime build, else CPU. If
 * AUTO picked CUDA but the CUDA provider cannot start (no driver, no GPU), the factory falls back to CPU
 * and says so. Sessions are cached per file and closed with the factory (or at JVM shutdown for
 * {@link #shared()}).
 */
public final class SessionFactory implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(SessionFactory.class.getName());
    private static SessionFactory shared;

    /** Adds the CUDA provider to session options; replaceable in tests to simulate a broken CUDA install. */
    interface CudaHook {
        void addCuda(OrtSession.SessionOptions options) throws OrtException;
    }

    private final OrtEnvironment env = OrtEnvironment.getEnvironment();
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
            Runtime.getRuntime().addShutdownHook(new Thread(f::close, "clip-wsss-sessions"));
            shared = f;
        }
        return shared;
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

    private OrtSession.SessionOptions options() throws OrtException {
        OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
        if (intraOpThreads > 0) {
            options.setIntraOpNumThreads(intraOpThreads);
        }
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

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Map.Entry<Path, OrtSession> e : sessions.entrySet()) {
            try {
                e.getValue().close();
            } catch (OrtException ex) {
                LOG.log(System.Logger.Level.WARNING, "closing session for " + e.getKey() + " failed: " + firstLine(ex));
            }
        }
        sessions.clear();
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
