package org.clipwsss.runtime.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.clipwsss.runtime.ClipWsssException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Downloads are bounded and verified: never past the expected size, never waiting for ever, resumed only onto the
 * same version of the server's file, through a bounded number of redirects. Every server is a local one on
 * 127.0.0.1; every loop in it is bounded.
 */
class DownloaderBoundsTest {
    private static final String WEIGHTS = "model.safetensors";
    private static final Path SOURCE = ModelFiles.CLIP_TINY.resolve(WEIGHTS);
    private static final Duration LIMIT = Duration.ofSeconds(20);

    @TempDir
    Path tmp;
    private Path served;
    private FileServer server;
    /** Released at the end of each test so that stalling handlers return. */
    private final CountDownLatch release = new CountDownLatch(1);
    private final Downloader downloader = new Downloader(Duration.ofSeconds(5), Duration.ofSeconds(1), 1 << 20);

    @BeforeEach
    void start() throws IOException {
        served = tmp.resolve("served");
        ModelFiles.copyTree(ModelFiles.CLIP_TINY, served);
        server = new FileServer(served);
    }

    @AfterEach
    void stop() {
        release.countDown();
        server.close();
    }

    private URI url(String path) {
        return URI.create(server.url(path));
    }

    private static void assertOneLine(Throwable e) {
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
    }

    /** A body that never ends (up to 1 GiB): counts what it wrote and signals when the client went away. */
    private static final class EndlessBody {
        final AtomicLong written = new AtomicLong();
        final CountDownLatch ended = new CountDownLatch(1);

        void handle(HttpExchange exchange) throws IOException {
            try (exchange) {
                exchange.sendResponseHeaders(200, 0); // chunked: no Content-Length
                OutputStream body = exchange.getResponseBody();
                byte[] chunk = new byte[1 << 16];
                for (int i = 0; i < (1 << 14); i++) {
                    body.write(chunk);
                    written.addAndGet(chunk.length);
                }
            } catch (IOException e) {
                // the client stopped reading and closed the connection
            } finally {
                ended.countDown();
            }
        }
    }

    // 1. size bounds

    @Test
    void anEndlessBodyStopsAtTheExpectedSize() throws InterruptedException {
        EndlessBody endless = new EndlessBody();
        server.handle("/endless/", endless::handle);
        Path target = tmp.resolve("out/endless.bin");
        ClipWsssException e = assertThrows(ClipWsssException.class, () -> assertTimeoutPreemptively(LIMIT,
                () -> downloader.download(url("endless/x"), target, 100_000L, null, DownloadListener.NONE,
                        () -> false)));
        assertEquals(url("endless/x") + ": the server sent more than the expected 100000 bytes (the download was "
                + "deleted)", e.getMessage());
        assertFalse(Files.exists(target));
        assertFalse(Files.exists(Downloader.partFile(target)));
        assertFalse(Files.exists(Downloader.validatorFile(target)));
        assertTrue(endless.ended.await(10, TimeUnit.SECONDS), "the connection was closed");
        assertTrue(endless.written.get() < (1L << 30), "stopped reading: " + endless.written.get());
    }

    @Test
    void anEndlessBodyOfUnknownSizeStopsAtTheCap() throws InterruptedException {
        EndlessBody endless = new EndlessBody();
        server.handle("/endless/", endless::handle);
        Path target = tmp.resolve("out/endless.bin");
        ClipWsssException e = assertThrows(ClipWsssException.class, () -> assertTimeoutPreemptively(LIMIT,
                () -> downloader.download(url("endless/x"), target, null, null, DownloadListener.NONE, () -> false)));
        assertEquals(url("endless/x") + ": the server sent more than 1048576 bytes, the most accepted for a file "
                + "of unknown size (the download was deleted)", e.getMessage());
        assertFalse(Files.exists(target));
        assertFalse(Files.exists(Downloader.partFile(target)));
        assertTrue(endless.ended.await(10, TimeUnit.SECONDS), "the connection was closed");
    }

    @Test
    void aFileLongerThanTheManifestSaysIsNotReadToTheEnd() {
        Path target = tmp.resolve("out/" + WEIGHTS);
        ClipWsssException e = assertThrows(ClipWsssException.class, () -> downloader.download(url("files/" + WEIGHTS),
                target, 1000L, null, DownloadListener.NONE, () -> false));
        assertEquals(url("files/" + WEIGHTS) + ": the server sent more than the expected 1000 bytes (the download "
                + "was deleted)", e.getMessage());
        assertFalse(Files.exists(Downloader.partFile(target)));
    }

    @Test
    void aFileUpToTheCapIsAccepted() throws IOException {
        byte[] data = new byte[1 << 20]; // exactly the cap, chunked (no Content-Length)
        data[12345] = 7;
        server.handle("/chunked/", exchange -> {
            try (exchange) {
                exchange.sendResponseHeaders(200, 0);
                exchange.getResponseBody().write(data);
            }
        });
        Path target = tmp.resolve("out/chunked.bin");
        String sha = downloader.download(url("chunked/x"), target, null, null, DownloadListener.NONE, () -> false);
        assertArrayEquals(data, Files.readAllBytes(target));
        assertEquals(ModelFiles.sha256(data), sha);
    }

    // 2. time limits

    @Test
    void aServerThatStallsAfterTheHeadersTimesOut() throws IOException {
        server.handle("/stall/", exchange -> {
            try (exchange) {
                exchange.sendResponseHeaders(200, 1000);
                exchange.getResponseBody().write(new byte[10]);
                exchange.getResponseBody().flush();
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        Path target = tmp.resolve("out/stall.bin");
        long t0 = System.nanoTime();
        ClipWsssException e = assertThrows(ClipWsssException.class, () -> assertTimeoutPreemptively(LIMIT,
                () -> downloader.download(url("stall/x"), target, null, "ab".repeat(32), DownloadListener.NONE,
                        () -> false)));
        double seconds = (System.nanoTime() - t0) / 1e9;
        Path part = Downloader.partFile(target);
        assertEquals(url("stall/x") + ": download broken off (no data for 1 s); 10 bytes kept in " + part
                + ", run again to resume", e.getMessage());
        assertTrue(seconds >= 0.9 && seconds < 10, "gave up after " + seconds + " s");
        assertEquals(10, Files.size(part));
    }

    @Test
    void aSlowButSteadyServerIsNotCutOff() throws IOException {
        // 8 pieces 400 ms apart: 2.8 s in all, longer than the 1 s limit, which is per wait, not per download
        server.handle("/slow/", exchange -> {
            try (exchange) {
                exchange.sendResponseHeaders(200, 8 * 100);
                for (int i = 0; i < 8; i++) {
                    Thread.sleep(400);
                    exchange.getResponseBody().write(new byte[100]);
                    exchange.getResponseBody().flush();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        Path target = tmp.resolve("out/slow.bin");
        assertTimeoutPreemptively(LIMIT, () -> downloader.download(url("slow/x"), target, 800L, null,
                DownloadListener.NONE, () -> false));
        assertEquals(800, Files.size(target));
    }

    @Test
    void aServerThatSendsNoHeadersTimesOut() {
        server.handle("/silent/", exchange -> {
            try (exchange) {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        ClipWsssException e = assertThrows(ClipWsssException.class, () -> assertTimeoutPreemptively(LIMIT,
                () -> downloader.download(url("silent/x"), tmp.resolve("out/x"), null, null, DownloadListener.NONE,
                        () -> false)));
        assertEquals(url("silent/x") + ": no answer within 1 s", e.getMessage());
    }

    @Test
    void aConnectionThatIsNeverAcceptedTimesOut() throws IOException {
        // a listening socket whose accept queue is full: the kernel leaves further connection attempts unanswered
        try (ServerSocket full = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            List<Socket> queued = new ArrayList<>();
            try {
                boolean ignored = false;
                for (int i = 0; i < 8 && !ignored; i++) {
                    Socket s = new Socket();
                    try {
                        s.connect(full.getLocalSocketAddress(), 300);
                        queued.add(s);
                    } catch (SocketTimeoutException e) {
                        s.close();
                        ignored = true; // the queue is full and the kernel ignores further attempts
                    } catch (IOException e) {
                        s.close();
                        break; // refused: this system answers a full queue at once
                    }
                }
                assumeTrue(ignored, "this system refuses connections to a full accept queue instead of ignoring them");
                URI url = URI.create("http://127.0.0.1:" + full.getLocalPort() + "/x");
                Downloader quick = new Downloader(Duration.ofSeconds(1), Duration.ofSeconds(1));
                long t0 = System.nanoTime();
                ClipWsssException e = assertThrows(ClipWsssException.class, () -> assertTimeoutPreemptively(LIMIT,
                        () -> quick.download(url, tmp.resolve("out/x"), null, null, DownloadListener.NONE,
                                () -> false)));
                assertEquals(url + ": could not connect within 1 s", e.getMessage());
                assertTrue((System.nanoTime() - t0) / 1e9 < 10);
            } finally {
                for (Socket s : queued) {
                    s.close();
                }
            }
        }
    }

    @Test
    void cancellingWorksWhileTheServerStalls() {
        server.handle("/stall/", exchange -> {
            try (exchange) {
                exchange.sendResponseHeaders(200, 1000);
                exchange.getResponseBody().write(new byte[10]);
                exchange.getResponseBody().flush();
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        Downloader patient = new Downloader(Duration.ofSeconds(5), Duration.ofSeconds(60));
        long deadline = System.nanoTime() + 500_000_000L;
        long t0 = System.nanoTime();
        ClipWsssException e = assertThrows(DownloadCancelledException.class, () -> assertTimeoutPreemptively(LIMIT,
                () -> patient.download(url("stall/x"), tmp.resolve("out/x"), null, null, DownloadListener.NONE,
                        () -> System.nanoTime() > deadline)));
        assertTrue((System.nanoTime() - t0) / 1e9 < 5, "cancelled while waiting, not after the 60 s limit");
        assertTrue(e.getMessage().contains("download cancelled; 10 bytes kept"), e.getMessage());
    }

    // 3. resuming onto the same version of the file only

    /** Downloads {@code WEIGHTS} until cancelled part-way; returns the bytes kept. */
    private long cancelPartWay(Path target) throws IOException {
        AtomicInteger polls = new AtomicInteger();
        assertThrows(DownloadCancelledException.class, () -> downloader.download(url("files/" + WEIGHTS), target,
                null, null, DownloadListener.NONE, () -> polls.incrementAndGet() > 5));
        long kept = Files.size(Downloader.partFile(target));
        assertTrue(kept > 0 && kept < Files.size(SOURCE), "kept " + kept);
        return kept;
    }

    @Test
    void aResumeSendsIfRangeWithTheETagAndContinues() throws IOException {
        Path target = tmp.resolve("out/" + WEIGHTS);
        long kept = cancelPartWay(target);
        assertTrue(Files.readString(Downloader.validatorFile(target)).contains("etag"));

        String sha = downloader.download(url("files/" + WEIGHTS), target, null, null, DownloadListener.NONE,
                () -> false);
        assertEquals("bytes=" + kept + "-", server.requests().get(1).range());
        assertEquals(FileServer.etag(Files.readAllBytes(SOURCE)), server.ifRanges().get(1));
        assertEquals(ModelFiles.sha256(SOURCE), ModelFiles.sha256(target));
        assertEquals(ModelFiles.sha256(SOURCE), sha);
        assertFalse(Files.exists(Downloader.partFile(target)));
        assertFalse(Files.exists(Downloader.validatorFile(target)));
    }

    @Test
    void aFileThatChangedOnTheServerIsDownloadedAgainFromTheStart() throws IOException {
        Path target = tmp.resolve("out/" + WEIGHTS);
        byte[] old = Files.readAllBytes(SOURCE);
        cancelPartWay(target);
        byte[] changed = old.clone();
        for (int i = 0; i < changed.length; i++) {
            changed[i] ^= 0x5a; // same size, other content: the kept prefix is no longer a prefix
        }
        Files.write(served.resolve(WEIGHTS), changed);

        downloader.download(url("files/" + WEIGHTS), target, null, null, DownloadListener.NONE, () -> false);
        assertEquals(FileServer.etag(old), server.ifRanges().get(1), "resumed only if still the old version");
        assertArrayEquals(changed, Files.readAllBytes(target), "the server's 200 replaced the .part");
    }

    @Test
    void lastModifiedIsTheValidatorWhenThereIsNoETag() throws IOException {
        server.validators(false, true);
        Path target = tmp.resolve("out/" + WEIGHTS);
        long kept = cancelPartWay(target);
        downloader.download(url("files/" + WEIGHTS), target, null, null, DownloadListener.NONE, () -> false);
        assertEquals("bytes=" + kept + "-", server.requests().get(1).range());
        assertTrue(server.ifRanges().get(1).endsWith(" GMT"), "If-Range: " + server.ifRanges().get(1));
        assertEquals(ModelFiles.sha256(SOURCE), ModelFiles.sha256(target));
    }

    @Test
    void withoutValidatorOrChecksumTheDownloadStartsAgain() throws IOException {
        server.validators(false, false);
        Path target = tmp.resolve("out/" + WEIGHTS);
        cancelPartWay(target);
        assertFalse(Files.exists(Downloader.validatorFile(target)));
        downloader.download(url("files/" + WEIGHTS), target, null, null, DownloadListener.NONE, () -> false);
        assertEquals(null, server.requests().get(1).range(), "no blind resume");
        assertEquals(ModelFiles.sha256(SOURCE), ModelFiles.sha256(target));
    }

    @Test
    void withoutValidatorButWithAChecksumItResumes() throws IOException {
        server.validators(false, false);
        Path target = tmp.resolve("out/" + WEIGHTS);
        long kept = cancelPartWay(target);
        downloader.download(url("files/" + WEIGHTS), target, null, ModelFiles.sha256(SOURCE), DownloadListener.NONE,
                () -> false);
        assertEquals("bytes=" + kept + "-", server.requests().get(1).range());
        assertEquals("", server.ifRanges().get(1));
        assertEquals(ModelFiles.sha256(SOURCE), ModelFiles.sha256(target));
    }

    @Test
    void aWrongContentRangeAdvisesDeletingThePart() throws IOException {
        server.handle("/badrange/", exchange -> {
            try (exchange) {
                exchange.getResponseHeaders().set("Content-Range", "bytes 0-99/100");
                exchange.sendResponseHeaders(206, 100);
                exchange.getResponseBody().write(new byte[100]);
            }
        });
        Path target = tmp.resolve("out/x.bin");
        Path part = Downloader.partFile(target);
        Files.createDirectories(part.getParent());
        Files.write(part, new byte[50]);
        ClipWsssException e = assertThrows(ClipWsssException.class, () -> downloader.download(url("badrange/x"),
                target, null, "ab".repeat(32), DownloadListener.NONE, () -> false));
        assertEquals(url("badrange/x") + ": the server resumed with Content-Range 'bytes 0-99/100' instead of bytes "
                + "50-; delete " + part + " and retry", e.getMessage());
        assertEquals("bytes=50-", server.requests().get(0).range());
        assertEquals(50, Files.size(part), "kept for the user to decide");
    }

    // 5. redirects

    /** {@code /chain/N/FILE} redirects to {@code ../N-1/FILE} (relative), {@code /chain/0/FILE} to {@code /files/FILE}. */
    private void chain() {
        int[] codes = {301, 302, 303, 307, 308};
        server.handle("/chain/", exchange -> {
            try (exchange) {
                String[] parts = exchange.getRequestURI().getPath().split("/"); // "", chain, N, FILE
                int n = Integer.parseInt(parts[2]);
                String location = n == 0 ? "/files/" + parts[3] : "../" + (n - 1) + "/" + parts[3];
                exchange.getResponseHeaders().set("Location", location);
                exchange.sendResponseHeaders(codes[n % codes.length], -1);
            }
        });
    }

    @Test
    void followsFiveRedirectsOfEveryKindWithRelativeLocations() throws IOException {
        chain();
        Path source = ModelFiles.CLIP_TINY.resolve("config.json");
        Path target = tmp.resolve("out/config.json");
        downloader.download(url("chain/4/config.json"), target, Files.size(source), ModelFiles.sha256(source),
                DownloadListener.NONE, () -> false);
        assertArrayEquals(Files.readAllBytes(source), Files.readAllBytes(target));
        assertEquals(List.of("/chain/4/config.json", "/chain/3/config.json", "/chain/2/config.json",
                "/chain/1/config.json", "/chain/0/config.json", "/files/config.json"),
                server.requests().stream().map(FileServer.Request::path).toList());
    }

    @Test
    void sixRedirectsAreTooMany() {
        chain();
        Path target = tmp.resolve("out/config.json");
        ClipWsssException e = assertThrows(ClipWsssException.class, () -> downloader.download(
                url("chain/5/config.json"), target, null, null, DownloadListener.NONE, () -> false));
        assertEquals(url("chain/5/config.json") + ": too many redirects (more than 5; the last to /files/config.json)",
                e.getMessage());
        assertEquals(6, server.requests().size());
        assertFalse(Files.exists(target));
    }

    @Test
    void aRedirectLoopFailsClearly() {
        server.handle("/loop", exchange -> {
            try (exchange) {
                exchange.getResponseHeaders().set("Location", "/loop");
                exchange.sendResponseHeaders(302, -1);
            }
        });
        ClipWsssException e = assertThrows(ClipWsssException.class, () -> assertTimeoutPreemptively(LIMIT,
                () -> downloader.download(url("loop"), tmp.resolve("out/x"), null, null, DownloadListener.NONE,
                        () -> false)));
        assertEquals(url("loop") + ": too many redirects (more than 5; the last to /loop)", e.getMessage());
        assertOneLine(e);
        assertEquals(6, server.requests().size(), "the first request and 5 redirects followed");
    }

    @Test
    void aRedirectWithoutLocationFailsClearly() {
        server.handle("/nowhere", exchange -> {
            try (exchange) {
                exchange.sendResponseHeaders(307, -1);
            }
        });
        ClipWsssException e = assertThrows(ClipWsssException.class, () -> downloader.download(url("nowhere"),
                tmp.resolve("out/x"), null, null, DownloadListener.NONE, () -> false));
        assertEquals(url("nowhere") + ": HTTP 307 redirect without a Location", e.getMessage());
    }
}
