package org.clipwsss.cli;

import java.io.PrintWriter;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.clipwsss.runtime.session.SessionFactory;

/**
 * Ctrl-C (SIGINT) or SIGTERM during work that can stop early (training steps, the images of a batch): the work is
 * asked to stop after the current step or image, finishes that, saves what it has (a training checkpoint; a batch's
 * errors.csv and run.json marked cancelled) and the command line exits with {@link #STOPPED} (3). Running the same
 * command again continues. A second signal stops the process at once (exit 128 + the signal number, as without this
 * class); so does a signal when no such work is running (reading the model, say).
 *
 * <p>How the signal is caught decides whether this can work. A shutdown hook cannot: once the JVM shuts down
 * because of a signal its exit status is 128 + the signal whatever the program does, and ONNX Runtime's own shutdown
 * hook releases its environment while the work still runs (every later session run then fails with "Attempting to
 * use DefaultLogger but it has not been registered yet", or the JVM crashes). So {@link Main#main} replaces the
 * JVM's handlers of SIGINT and SIGTERM ({@code sun.misc.Signal}, module jdk.unsupported) by
 * {@link #installHandlers()}: no shutdown starts until the command has returned its exit code. Where those handlers
 * cannot be installed (a runtime without {@code sun.misc.Signal}, {@code -Xrs}, or
 * {@code -Dclipwsss.signalHandlers=false}), each scope falls back to a shutdown hook that asks the work to stop,
 * waits (at most two minutes) for the command's exit code and ends the process with it by {@code Runtime.halt};
 * that fallback races ONNX Runtime's hook, as said. When the command line runs inside another program
 * ({@link Main#run} from Fiji or a test), the process is not ours: a scope's hook only asks the work to stop and
 * waits (at most two minutes) until it is closed, as before.
 */
final class CancelOnSignal implements AutoCloseable {
    /** The exit code of a command stopped early by a signal: what it wrote is whole; the same command continues. */
    static final int STOPPED = 3;

    static final String TRAINING = "interrupted: stopping after this step and saving a checkpoint";

    private enum Mode {
        /** Not the process's main entry: {@link Main#run} inside another program. */
        EMBEDDED,
        /** {@link Main#main} with its own SIGINT/SIGTERM handlers. */
        HANDLERS,
        /** {@link Main#main} without them: shutdown hooks that end the process by halt. */
        HOOKS
    }

    private static final Object LOCK = new Object();
    private static final Deque<CancelOnSignal> ACTIVE = new ArrayDeque<>();
    private static final CompletableFuture<Integer> EXIT_CODE = new CompletableFuture<>();
    private static volatile Mode mode = Mode.EMBEDDED;
    private static volatile boolean stoppedEarly;
    private static volatile int terminatingBy;

    private final PrintWriter terminal;
    private final String message;
    private final AtomicBoolean requested = new AtomicBoolean();
    private final CountDownLatch closed = new CountDownLatch(1);
    private final Thread hook;

    /** A training run's scope: a signal stops it after the current step, which saves a checkpoint. */
    CancelOnSignal(PrintWriter terminal) {
        this(terminal, TRAINING);
    }

    /** A scope that prints {@code message} when a signal asks it to stop. */
    CancelOnSignal(PrintWriter terminal, String message) {
        this.terminal = terminal;
        this.message = message;
        if (mode == Mode.HANDLERS) {
            hook = null;
        } else {
            hook = new Thread(this::onShutdown, "clip-wsss-cancel");
            Runtime.getRuntime().addShutdownHook(hook);
        }
        synchronized (LOCK) {
            ACTIVE.addLast(this);
        }
    }

    /** Whether a signal asked the work to stop (polled between steps or images). */
    boolean requested() {
        return requested.get();
    }

    /**
     * The work stopped early because it was asked to: the command line's exit code becomes {@link #STOPPED} where the
     * command itself would have said 0.
     */
    void stoppedEarly() {
        if (requested()) {
            stoppedEarly = true;
        }
    }

    @Override
    public void close() {
        synchronized (LOCK) {
            ACTIVE.remove(this);
        }
        closed.countDown();
        if (hook != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the JVM is already shutting down: the hook is running and has just been released by countDown
            }
        }
    }

    private void say(String line) {
        terminal.println(line);
        terminal.flush();
    }

    private void onShutdown() {
        requested.set(true);
        say(message);
        if (mode == Mode.HOOKS) {
            int code;
            try {
                code = EXIT_CODE.get(2, TimeUnit.MINUTES);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (ExecutionException | TimeoutException e) {
                return; // the JVM ends with its own status (128 + the signal)
            }
            terminal.flush();
            System.out.flush();
            System.err.flush();
            Runtime.getRuntime().halt(code);
        }
        try {
            closed.await(2, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Called once by {@link Main#main}, before the command runs: SIGINT and SIGTERM ask the innermost running scope
     * to stop (see the class comment). Returns whether the handlers are installed (else scopes use shutdown hooks).
     */
    static boolean installHandlers() {
        if (!Boolean.parseBoolean(System.getProperty("clipwsss.signalHandlers", "true"))) {
            useHooks(); // -Dclipwsss.signalHandlers=false: the JVM's handlers, shutdown hooks (the fallback)
            return false;
        }
        try {
            Class<?> signalClass = Class.forName("sun.misc.Signal");
            Class<?> handlerClass = Class.forName("sun.misc.SignalHandler");
            Constructor<?> newSignal = signalClass.getConstructor(String.class);
            Method handle = signalClass.getMethod("handle", signalClass, handlerClass);
            Method getName = signalClass.getMethod("getName");
            Method getNumber = signalClass.getMethod("getNumber");
            InvocationHandler onSignal = (proxy, method, args) -> {
                if (method.getDeclaringClass() == Object.class) {
                    return switch (method.getName()) {
                        case "hashCode" -> System.identityHashCode(proxy);
                        case "equals" -> proxy == args[0];
                        default -> "clip-wsss signal handler";
                    };
                }
                signalled("SIG" + getName.invoke(args[0]), (Integer) getNumber.invoke(args[0]));
                return null;
            };
            Object handler = Proxy.newProxyInstance(CancelOnSignal.class.getClassLoader(), new Class<?>[] {handlerClass}, onSignal);
            for (String name : new String[] {"INT", "TERM"}) {
                handle.invoke(null, newSignal.newInstance(name), handler);
            }
            mode = Mode.HANDLERS;
            return true;
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            // no sun.misc.Signal, or the VM keeps these signals (-Xrs): shutdown hooks, with their limits
            useHooks();
            return false;
        }
    }

    /** The fallback: scopes' shutdown hooks wait for the work, so its session runs must go on during the shutdown. */
    private static void useHooks() {
        mode = Mode.HOOKS;
        SessionFactory.runDuringShutdown();
    }

    /** A signal, on the thread the JVM starts for it. */
    private static void signalled(String name, int number) {
        CancelOnSignal scope;
        synchronized (LOCK) {
            scope = ACTIVE.peekLast();
        }
        if (scope != null && scope.requested.compareAndSet(false, true)) {
            scope.say(scope.message + " (" + name + "; send it again to stop at once)");
            return;
        }
        if (scope != null) {
            scope.say("interrupted again: stopping now");
        }
        terminatingBy = 128 + number;
        System.exit(128 + number); // as the JVM's own handler would: shutdown hooks, then the exit
    }

    /**
     * The exit code {@link Main#main} ends the process with, given the command's: {@link #STOPPED} when a signal
     * stopped the work early and the command said 0. Releases the fallback hook waiting for it.
     */
    static int exitCode(int commandCode) {
        int code = terminatingBy != 0 ? terminatingBy : commandCode == 0 && stoppedEarly ? STOPPED : commandCode;
        EXIT_CODE.complete(code);
        return code;
    }

    /** The exit code of the signal that is ending the process now (the command's outcome no longer matters), else 0. */
    static int terminating() {
        return terminatingBy;
    }

    /** Whether a signal stopped work early in this process (for {@link Main#run}'s exit code). */
    static boolean wasStoppedEarly() {
        return stoppedEarly;
    }
}
