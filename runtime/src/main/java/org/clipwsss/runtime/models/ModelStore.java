package org.clipwsss.runtime.models;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.clipwsss.runtime.ClipWsssException;
import org.clipwsss.runtime.clip.ModelFolder;

/**
 * The models a user has: a cache folder ({@link #defaultFolder()}) holding the models downloaded from a
 * {@link ModelManifest}, one folder per id ({@code openai/clip-vit-base-patch32} in
 * {@code openai--clip-vit-base-patch32/}), plus model folders elsewhere registered under a name (kept in the
 * store's {@code registry.json}).
 *
 * <p>A downloaded model counts as installed once all its required files are present and verified (checksum or size
 * when the manifest records them, and structure: see {@link FileChecks}) and the folder opens as a CLIP model;
 * {@link #install} then writes {@value #INSTALL_RECORD} into it, with the id, the name and each file's path, size
 * and SHA-256. An interrupted install leaves its files (and {@code .part} files) for the next {@link #install} to
 * continue. Every call reads the store afresh; two installs of the same model at once (threads or processes) are
 * not guarded against.
 */
public final class ModelStore {
    /** The environment variable naming the store folder. */
    public static final String ENV = "CLIP_WSSS_MODELS";
    /** Written into a downloaded model's folder when its install is complete. */
    public static final String INSTALL_RECORD = ".clip-wsss-install.json";

    private final Path folder;
    private final Downloader downloader;
    private final LocalRegistry registry;

    public ModelStore(Path folder) {
        this(folder, new Downloader());
    }

    /** A store that downloads with {@code downloader} (for other timeouts). */
    public ModelStore(Path folder, Downloader downloader) {
        this.folder = folder;
        this.downloader = downloader;
        this.registry = new LocalRegistry(folder.resolve("registry.json"));
    }

    /** {@code $CLIP_WSSS_MODELS}, else {@code ~/.cache/clip-wsss/models}. */
    public static Path defaultFolder() {
        return defaultFolder(System.getenv(ENV), System.getProperty("user.home"));
    }

    static Path defaultFolder(String env, String home) {
        return env != null && !env.isBlank() ? Path.of(env) : Path.of(home, ".cache", "clip-wsss", "models");
    }

    public Path folder() {
        return folder;
    }

    /** The downloaded models (sorted by id), then the registered folders (in registration order). */
    public List<InstalledModel> installed() {
        List<InstalledModel> models = new ArrayList<>();
        for (Path dir : StoreFiles.list(folder)) {
            Path record = dir.resolve(INSTALL_RECORD);
            if (Files.isRegularFile(record)) {
                String id = StoreFiles.readJson(record, "install record").path("id").asText("");
                if (id.isBlank()) {
                    throw ClipWsssException.file(record, "not a valid install record (no \"id\")");
                }
                models.add(new InstalledModel(id, dir, id));
            }
        }
        models.addAll(registry.read());
        return models;
    }

    /** The installed model called {@code name}, if any. */
    public Optional<InstalledModel> find(String name) {
        return installed().stream().filter(m -> m.name().equals(name)).findFirst();
    }

    /**
     * Downloads the model's required files into {@code <store>/<id with / as -->/}, skipping files already there
     * with the right checksum (or size, when that is all the manifest records), checks each file's structure (a
     * broken file is deleted and the install fails naming it) and that the folder opens as a CLIP model. Running it
     * again after a failure or cancellation resumes.
     *
     * @param listener  progress per file, under the file's path in the model folder
     * @param cancelled polled while downloading; when true the install stops with a
     *                  {@link DownloadCancelledException}
     * @return the model folder
     */
    public Path install(ManifestModel model, DownloadListener listener, BooleanSupplier cancelled) {
        if (!model.downloadable()) {
            throw new ClipWsssException(model.id() + ": ships with clip-wsss in " + model.bundled()
                    + " and is not downloaded; use that folder as the model, or register it");
        }
        Optional<InstalledModel> clash = find(model.id()).filter(InstalledModel::local);
        if (clash.isPresent()) {
            throw new ClipWsssException(model.id() + ": a registered folder (" + clash.get().folder()
                    + ") already has this name; remove it first");
        }
        Path dir = folder.resolve(model.folderName());
        Map<ManifestFile, String> sha256 = new LinkedHashMap<>();
        for (ManifestFile file : model.requiredFiles()) {
            Path target = dir.resolve(file.path());
            String present = completeSha256(target, file);
            if (present != null) {
                long size = target.toFile().length();
                listener.progress(file.path(), size, size);
                sha256.put(file, present);
            } else {
                sha256.put(file, downloader.download(model.fileUrl(file), target, file.size(), file.sha256(),
                        (name, done, total) -> listener.progress(file.path(), done, total), cancelled));
            }
        }
        // checked once all are present: an ONNX file may need a data file listed after it
        for (ManifestFile file : model.requiredFiles()) {
            check(dir.resolve(file.path()), model.fileUrl(file));
        }
        ModelFolder.open(dir, "auto");
        ObjectNode record = StoreFiles.object().put("id", model.id()).put("name", model.name());
        ArrayNode files = record.putArray("files");
        sha256.forEach((file, sha) -> files.addObject().put("path", file.path())
                .put("size", dir.resolve(file.path()).toFile().length()).put("sha256", sha));
        StoreFiles.writeJson(dir.resolve(INSTALL_RECORD), record);
        return dir;
    }

    /**
     * The SHA-256 of {@code file} when it is present and complete: with the right checksum, else with the right
     * size, when the manifest records them; else {@code null}.
     */
    private static String completeSha256(Path file, ManifestFile expected) {
        if (!Files.isRegularFile(file)
                || (expected.size() != null && file.toFile().length() != expected.size())) {
            return null;
        }
        String sha = StoreFiles.sha256(file);
        return expected.sha256() == null || sha.equals(expected.sha256()) ? sha : null;
    }

    /**
     * Checks a file's structure ({@link FileChecks}); a broken file is deleted and the install fails naming it.
     */
    private static void check(Path file, URI url) {
        String problem = FileChecks.problem(file);
        if (problem == null) {
            return;
        }
        ClipWsssException e = ClipWsssException.file(file, problem + "; downloaded from " + url
                + ", it was deleted");
        try {
            Files.deleteIfExists(file);
        } catch (IOException io) {
            e.addSuppressed(io);
        }
        throw e;
    }

    /**
     * Registers a model folder of one's own under {@code name}; the folder must open as a CLIP model.
     *
     * @return the registered model
     */
    public InstalledModel register(Path modelFolder, String name) {
        if (name == null || name.isBlank()) {
            throw new ClipWsssException(modelFolder + ": a registered model needs a name");
        }
        String key = name.strip();
        ModelFolder.open(modelFolder, "auto");
        Optional<InstalledModel> clash = find(key);
        if (clash.isPresent()) {
            throw new ClipWsssException("a model called '" + key + "' is already installed (" + clash.get().folder()
                    + "); choose another name or remove it first");
        }
        InstalledModel model = new InstalledModel(key, modelFolder.toAbsolutePath().normalize(), InstalledModel.LOCAL);
        List<InstalledModel> models = new ArrayList<>(registry.read());
        models.add(model);
        registry.write(models);
        return model;
    }

    /** Deletes a downloaded model's folder, or unregisters a registered one (its folder is left alone). */
    public void remove(String name) {
        InstalledModel model = find(name).orElseThrow(() -> new ClipWsssException("no installed model '" + name
                + "' (installed: " + names() + ")"));
        if (model.local()) {
            List<InstalledModel> models = new ArrayList<>(registry.read());
            models.removeIf(m -> m.name().equals(name));
            registry.write(models);
        } else {
            StoreFiles.deleteTree(model.folder(), model.folder().resolve(INSTALL_RECORD));
        }
    }

    /**
     * The folder of an installed model (by name or manifest id) or, failing that, {@code nameOrPath} as a path
     * when it is an existing folder.
     */
    public Path resolve(String nameOrPath) {
        Optional<InstalledModel> model = find(nameOrPath);
        if (model.isPresent()) {
            return model.get().folder();
        }
        Path path = asPath(nameOrPath);
        if (path != null && Files.isDirectory(path)) {
            return path;
        }
        throw new ClipWsssException("'" + nameOrPath + "' is neither an installed model nor a model folder "
                + "(installed: " + names() + "); download a known model with Manage Models... or the command line's "
                + "models command, register a folder of your own, or give the path of a model folder");
    }

    private static Path asPath(String text) {
        try {
            return Path.of(text);
        } catch (InvalidPathException e) {
            return null; // not a path on this system, so certainly not a folder
        }
    }

    private String names() {
        String names = installed().stream().map(InstalledModel::name).collect(Collectors.joining(", "));
        return names.isEmpty() ? "none" : names;
    }
}
