package org.clipwsss.runtime.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.clipwsss.runtime.ClipWsssException;
import org.clipwsss.runtime.clip.ModelFolder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelStoreTest {
    private static final String ID = "test/clip-tiny";
    private static final String WEIGHTS = "model.safetensors";

    @TempDir
    Path tmp;
    private Path served;
    private FileServer server;
    private ModelStore store;

    @BeforeEach
    void start() throws IOException {
        served = tmp.resolve("served");
        ModelFiles.copyTree(ModelFiles.CLIP_TINY, served);
        server = new FileServer(served);
        store = new ModelStore(tmp.resolve("store"), new Downloader(Duration.ofSeconds(5), Duration.ofSeconds(10)));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    /** The test model as a manifest entry with the real sizes and checksums, downloaded from {@code base}. */
    private ManifestModel model(String base) throws IOException {
        return ModelManifest.load(ModelFiles.writeManifest(tmp.resolve("manifest.json"), ID, server.url(base), served))
                .find(ID);
    }

    private Path install(ManifestModel model) {
        return store.install(model, DownloadListener.NONE, () -> false);
    }

    private void assertInstalledCopy(Path dir) throws IOException {
        assertEquals(tmp.resolve("store/test--clip-tiny"), dir);
        for (String f : ModelFiles.files(served)) {
            assertEquals(ModelFiles.sha256(served.resolve(f)), ModelFiles.sha256(dir.resolve(f)), f);
        }
        assertTrue(ModelFolder.open(dir, "auto").hasOnnx());
        assertEquals(List.of(new InstalledModel(ID, dir, ID)), store.installed());
    }

    @Test
    void installsFromTheServerListsResolvesAndRemoves() throws IOException {
        List<String> progress = new ArrayList<>();
        Path dir = store.install(model("files/"), (file, done, total) -> {
            if (done == total) {
                progress.add(file);
            }
        }, () -> false);
        assertInstalledCopy(dir);
        assertTrue(progress.containsAll(ModelFiles.files(served)), "each file reported complete: " + progress);
        assertEquals(dir, store.resolve(ID));

        int requests = server.requests().size();
        assertEquals(dir, install(model("files/")));
        assertEquals(requests, server.requests().size(), "complete files are not downloaded again");

        store.remove(ID);
        assertEquals(List.of(), store.installed());
        assertFalse(Files.exists(dir));
    }

    @Test
    void aBrokenDownloadFailsClearlyAndTheNextInstallResumesIt() throws IOException {
        long size = Files.size(served.resolve(WEIGHTS));
        server.dropOnce(WEIGHTS, size / 2);
        ManifestModel model = model("files/");
        ClipWsssException e = assertThrows(ClipWsssException.class, () -> install(model));
        Path part = Downloader.partFile(tmp.resolve("store/test--clip-tiny/" + WEIGHTS));
        long kept = Files.size(part);
        assertTrue(kept > 0 && kept <= size / 2, "kept " + kept);
        assertTrue(e.getMessage().startsWith(server.url("files/" + WEIGHTS) + ": download broken off ")
                && e.getMessage().contains(part.toString()), e.getMessage());
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
        assertEquals(List.of(), store.installed(), "an unfinished install is not installed");

        assertInstalledCopy(install(model));
        assertTrue(server.requests().contains(new FileServer.Request("/files/" + WEIGHTS, "bytes=" + kept + "-")),
                "resumed with a Range request: " + server.requests());
        assertFalse(Files.exists(part));
    }

    @Test
    void aWrongChecksumInTheManifestNamesBothAndKeepsNothing() throws IOException {
        String wrong = "0".repeat(64);
        String right = ModelFiles.sha256(served.resolve(WEIGHTS));
        Path manifest = ModelFiles.writeManifest(tmp.resolve("manifest.json"), ID, server.url("files/"), served);
        Files.writeString(manifest, Files.readString(manifest).replace(right, wrong));
        ManifestModel model = ModelManifest.load(manifest).find(ID);
        ClipWsssException e = assertThrows(ClipWsssException.class, () -> install(model));
        assertTrue(e.getMessage().contains("expected sha256 " + wrong + ", got " + right), e.getMessage());
        Path target = tmp.resolve("store/test--clip-tiny/" + WEIGHTS);
        assertFalse(Files.exists(target));
        assertFalse(Files.exists(Downloader.partFile(target)));
        assertEquals(List.of(), store.installed());
    }

    @Test
    void aMissingFileOnTheServerIsAClearError() throws IOException {
        ManifestModel model = model("files/");
        Files.delete(served.resolve("config.json"));
        ClipWsssException e = assertThrows(ClipWsssException.class, () -> install(model));
        assertEquals(server.url("files/config.json") + ": HTTP 404 (not found)", e.getMessage());
        assertEquals(List.of(), store.installed());
    }

    @Test
    void followsRedirects() throws IOException {
        assertInstalledCopy(install(model("redirect/")));
        assertTrue(server.requests().contains(new FileServer.Request("/redirect/" + WEIGHTS, null)));
    }

    @Test
    void cancellingKeepsThePart() throws IOException {
        ManifestModel model = model("files/");
        AtomicInteger polls = new AtomicInteger();
        assertThrows(DownloadCancelledException.class,
                () -> store.install(model, DownloadListener.NONE, () -> polls.incrementAndGet() > 10));
        List<Path> parts;
        try (var walk = Files.walk(tmp.resolve("store"))) {
            parts = walk.filter(p -> p.toString().endsWith(".part")).toList();
        }
        assertEquals(1, parts.size(), "one .part kept: " + parts);
        assertTrue(Files.size(parts.get(0)) > 0);
        assertEquals(List.of(), store.installed());
        assertInstalledCopy(install(model));
    }

    @Test
    void aBundledModelIsNotDownloaded() {
        ManifestModel tiny = ModelManifest.load(Path.of("onnx-models/manifest.json")).find("clip-tiny");
        ClipWsssException e = assertThrows(ClipWsssException.class, () -> install(tiny));
        assertTrue(e.getMessage().contains("onnx-models/clip-tiny"), e.getMessage());
        assertTrue(server.requests().isEmpty());
    }

    @Test
    void registersAndUnregistersALocalFolder() throws IOException {
        InstalledModel mine = store.register(served, "mine");
        assertEquals(new InstalledModel("mine", served.toAbsolutePath().normalize(), "local"), mine);
        assertTrue(mine.local());
        assertTrue(Files.isRegularFile(tmp.resolve("store/registry.json")));
        ModelStore reopened = new ModelStore(tmp.resolve("store"));
        assertEquals(List.of(mine), reopened.installed(), "kept in registry.json");
        assertEquals(mine.folder(), reopened.resolve("mine"));

        ClipWsssException twice = assertThrows(ClipWsssException.class, () -> store.register(served, "mine"));
        assertTrue(twice.getMessage().contains("already installed"), twice.getMessage());

        reopened.remove("mine");
        assertEquals(List.of(), store.installed());
        assertTrue(Files.isRegularFile(served.resolve("config.json")), "a registered folder is not deleted");
        ClipWsssException gone = assertThrows(ClipWsssException.class, () -> store.remove("mine"));
        assertEquals("no installed model 'mine' (installed: none)", gone.getMessage());
    }

    @Test
    void registeringAFolderThatIsNoModelFails() throws IOException {
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        ClipWsssException e = assertThrows(ClipWsssException.class, () -> store.register(empty, "x"));
        assertTrue(e.getMessage().startsWith(empty.resolve("config.json") + ": missing"), e.getMessage());
        assertEquals(List.of(), store.installed());
        assertFalse(Files.exists(tmp.resolve("store/registry.json")));
    }

    @Test
    void resolvesFoldersAndExplainsUnknownNames() {
        assertEquals(served, store.resolve(served.toString()));
        ClipWsssException e = assertThrows(ClipWsssException.class, () -> store.resolve("no-such-model"));
        assertTrue(e.getMessage().startsWith("'no-such-model' is neither an installed model nor a model folder")
                && e.getMessage().contains("Manage Models"), e.getMessage());
    }

    @Test
    void defaultFolderFollowsTheEnvironment() {
        assertEquals(Path.of("/data/models"), ModelStore.defaultFolder("/data/models", "/home/u"));
        assertEquals(Path.of("/home/u/.cache/clip-wsss/models"), ModelStore.defaultFolder(null, "/home/u"));
        assertEquals(Path.of("/home/u/.cache/clip-wsss/models"), ModelStore.defaultFolder(" ", "/home/u"));
    }
}
