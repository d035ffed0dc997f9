package org.clipwsss.runtime.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtProvider;
import java.nio.file.Path;
import java.util.EnumSet;
import org.clipwsss.Fixtures;
import org.clipwsss.runtime.ClipWsssException;
import org.junit.jupiter.api.Test;

class SessionFactoryTest {
    private static final Path VISION = Fixtures.CLIP_TINY.resolve("onnx/vision_model.onnx");

    @Test
    void autoPicksCudaOnlyWhenTheBuildHasIt() {
        assertEquals(Device.CPU, SessionFactory.resolve(Device.AUTO, EnumSet.of(OrtProvider.CPU)));
        assertEquals(Device.CUDA, SessionFactory.resolve(Device.AUTO, EnumSet.of(OrtProvider.CPU, OrtProvider.CUDA)));
        assertEquals(Device.CPU, SessionFactory.resolve(Device.CPU, EnumSet.of(OrtProvider.CPU, OrtProvider.CUDA)));
    }

    @Test
    void cudaRequestedWithoutProviderIsAClearError() {
        ClipWsssException e = assertThrows(ClipWsssException.class,
                () -> SessionFactory.resolve(Device.CUDA, EnumSet.of(OrtProvider.CPU)));
        assertTrue(e.getMessage().contains("no CUDA provider"), e.getMessage());
    }

    @Test
    void thisBuildRunsOnCpuWithAuto() {
        try (SessionFactory f = new SessionFactory(Device.AUTO, 1)) {
            // the stock onnxruntime jar has no CUDA provider: AUTO must land on CPU and work
            assertEquals(Device.CPU, f.device());
            assertTrue(f.session(VISION) != null);
        }
    }

    @Test
    void autoFallsBackToCpuWhenCudaDoesNotStart() throws Exception {
        SessionFactory.CudaHook broken = o -> {
            throw new OrtException("CUDA driver version is insufficient");
        };
        try (SessionFactory f = new SessionFactory(Device.AUTO, 1, EnumSet.of(OrtProvider.CPU, OrtProvider.CUDA), broken)) {
            assertEquals(Device.CUDA, f.device());
            f.session(VISION);
            assertEquals(Device.CPU, f.device(), "fell back to CPU");
        }
        try (SessionFactory f = new SessionFactory(Device.CUDA, 1, EnumSet.of(OrtProvider.CPU, OrtProvider.CUDA), broken)) {
            ClipWsssException e = assertThrows(ClipWsssException.class, () -> f.session(VISION));
            assertTrue(e.getMessage().contains("CUDA provider did not start"), e.getMessage());
        }
    }

    @Test
    void sessionsAreCachedAndClosedWithTheFactory() {
        SessionFactory f = new SessionFactory(Device.CPU, 1);
        var a = f.session(VISION);
        var b = f.session(Path.of(VISION.toString()).toAbsolutePath());
        assertSame(a, b);
        assertEquals(1, f.cachedSessions());
        f.close();
        assertTrue(f.isClosed());
        assertEquals(0, f.cachedSessions());
        assertThrows(IllegalStateException.class, () -> f.session(VISION));
    }

    @Test
    void missingAndCorruptOnnxFilesNameTheFile(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        try (SessionFactory f = new SessionFactory(Device.CPU, 1)) {
            Path missing = tmp.resolve("nothing.onnx");
            ClipWsssException e = assertThrows(ClipWsssException.class, () -> f.session(missing));
            assertTrue(e.getMessage().contains("nothing.onnx"), e.getMessage());
            Path corrupt = tmp.resolve("corrupt.onnx");
            byte[] head = java.util.Arrays.copyOf(java.nio.file.Files.readAllBytes(VISION), 5000);
            java.nio.file.Files.write(corrupt, head);
            e = assertThrows(ClipWsssException.class, () -> f.session(corrupt));
            assertTrue(e.getMessage().startsWith(corrupt.toString()) && e.getMessage().contains("cannot load"), e.getMessage());
        }
    }

    /** Sessions' threads do not spin after a run (they took the cores from the next session's run); the property brings it back. */
    @Test
    void sessionThreadsDoNotSpinUnlessAsked() throws Exception {
        try (SessionFactory f = new SessionFactory(Device.CPU, 2);
                ai.onnxruntime.OrtSession.SessionOptions o = f.options()) {
            assertEquals("0", o.getConfigEntries().get("session.intra_op.allow_spinning"));
        }
        System.setProperty("clipwsss.ortSpinning", "true");
        try (SessionFactory f = new SessionFactory(Device.CPU, 2);
                ai.onnxruntime.OrtSession.SessionOptions o = f.options()) {
            assertEquals("1", o.getConfigEntries().get("session.intra_op.allow_spinning"));
        } finally {
            System.clearProperty("clipwsss.ortSpinning");
        }
    }
}
