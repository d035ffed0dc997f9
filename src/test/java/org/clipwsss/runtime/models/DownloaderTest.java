package org.clipwsss.runtime.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.clipwsss.runtime.ClipWsssException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DownloaderTest {
    private static final String WEIGHTS = "model.safetensors";
    private static final Path SOURCE = ModelFiles.CLIP_TINY.resolve(WEIGHTS);

    @TempDir
    Path tmp;
    private FileServer server;
    private final Downloader downloader = new Downloader(Duration.ofSeconds(5), Duration.ofSeconds(10));

    @BeforeEach
    void start() throws IOException {
        Path served = tmp.resolve("served");
        ModelFiles.copyTree(ModelFiles.CLIP_TINY, served);
        server = new FileServer(served);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private URI url(String path) {
        return URI.create(server.url(path));
    }

    @Test
    void reportsProgressUpToTheSize() throws IOException {
        List<long[]> reports = new ArrayList<>();
        Path target = tmp.resolve("out/" + WEIGHTS);
        long size = Files.size(SOURCE);
        downloader.download(url("files/" + WEIGHTS), target, size, ModelFiles.sha256(SOURCE),
                (file, done, total) -> {
                    assertEquals(WEIGHTS, file);
                    reports.add(new long[] {done, total});
                }, () -> false);
        assertArrayEquals(Files.readAllBytes(SOURCE), Files.readAllBytes(target));
        assertFalse(Files.exists(Downloader.partFile(target)));
        assertTrue(reports.size() >= 3 && reports.size() <= 2 + size / (1 << 20) + 100, "reports: " + reports.size());
        assertArrayEquals(new long[] {size, size}, reports.get(reports.size() - 1));
        for (int i = 1; i < reports.size(); i++) {
            assertTrue(reports.get(i)[0] >= reports.get(i - 1)[0], "progress goes forward");
        }
    }

    @Test
    void wrongChecksumDeletesTheDownloadAndNamesBothChecksums() {
        Path target = tmp.resolve("out/" + WEIGHTS);
        String wrong = "ab".repeat(32);
        ClipWsssException e = assertThrows(ClipWsssException.class, () -> downloader.download(
                url("files/" + WEIGHTS), target, null, wrong, DownloadListener.NONE, () -> false));
        String message = e.getMessage();
        assertTrue(message.startsWith(url("files/" + WEIGHTS) + ": checksum mismatch") && message.contains(wrong)
                && message.contains(ModelFiles.sha256(SOURCE)), message);
        assertFalse(Files.exists(target));
        assertFalse(Files.exists(Downloader.partFile(target)));
    }

    @Test
    void wrongSizeDeletesTheDownload() {
        Path target = tmp.resolve("out/config.json");
        ClipWsssException e = assertThrows(ClipWsssException.class, () -> downloader.download(
                url("files/config.json"), target, 3L, null, DownloadListener.NONE, () -> false));
        assertTrue(e.getMessage().contains("expected 3"), e.getMessage());
        assertFalse(Files.exists(target));
        assertFalse(Files.exists(Downloader.partFile(target)));
    }

    @Test
    void notFoundIsAClearError() {
        Path target = tmp.resolve("out/missing.bin");
        ClipWsssException e = assertThrows(ClipWsssException.class, () -> downloader.download(
                url("files/missing.bin"), target, null, null, DownloadListener.NONE, () -> false));
        assertEquals(url("files/missing.bin") + ": HTTP 404 (not found)", e.getMessage());
        assertFalse(Files.exists(target));
    }

    @Test
    void followsRedirects() throws IOException {
        Path target = tmp.resolve("out/config.json");
        Path source = ModelFiles.CLIP_TINY.resolve("config.json");
        downloader.download(url("redirect/config.json"), target, Files.size(source), ModelFiles.sha256(source),
                DownloadListener.NONE, () -> false);
        assertArrayEquals(Files.readAllBytes(source), Files.readAllBytes(target));
        assertEquals(List.of("/redirect/config.json", "/files/config.json"),
                server.requests().stream().map(FileServer.Request::path).toList());
    }

    @Test
    void cancellationKeepsThePartAndTheNextRunResumesIt() throws IOException {
        Path target = tmp.resolve("out/" + WEIGHTS);
        AtomicInteger polls = new AtomicInteger();
        ClipWsssException e = assertThrows(DownloadCancelledException.class, () -> downloader.download(
                url("files/" + WEIGHTS), target, null, null, DownloadListener.NONE, () -> polls.incrementAndGet() > 5));
        Path part = Downloader.partFile(target);
        long kept = Files.size(part);
        assertTrue(kept > 0 && kept < Files.size(SOURCE), "kept " + kept);
        assertTrue(e.getMessage().contains("cancelled") && e.getMessage().contains(kept + " bytes kept"), e.getMessage());
        assertFalse(Files.exists(target));

        downloader.download(url("files/" + WEIGHTS), target, null, ModelFiles.sha256(SOURCE), DownloadListener.NONE,
                () -> false);
        assertEquals("bytes=" + kept + "-", server.requests().get(1).range());
        assertEquals(ModelFiles.sha256(SOURCE), ModelFiles.sha256(target));
    }

    @Test
    void aServerWithoutRangeSupportRestartsFromTheBeginning() throws IOException {
        Path target = tmp.resolve("out/" + WEIGHTS);
        Files.createDirectories(target.getParent());
        Files.write(Downloader.partFile(target), new byte[1000]); // not a prefix of the file
        server.ignoreRange(true);
        downloader.download(url("files/" + WEIGHTS), target, Files.size(SOURCE), ModelFiles.sha256(SOURCE),
                DownloadListener.NONE, () -> false);
        assertEquals("bytes=1000-", server.requests().get(0).range());
        assertArrayEquals(Files.readAllBytes(SOURCE), Files.readAllBytes(target));
    }

    @Test
    void aRefusedConnectionIsAClearError() {
        URI url = url("files/config.json");
        server.close();
        ClipWsssException e = assertThrows(ClipWsssException.class, () -> downloader.download(url,
                tmp.resolve("out/config.json"), null, null, DownloadListener.NONE, () -> false));
        assertTrue(e.getMessage().startsWith(url + ": could not connect"), e.getMessage());
        assertEquals(1, e.getMessage().lines().count());
    }
}
