package org.clipwsss.runtime.models;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.clipwsss.runtime.ClipWsssException;

/**
 * The list of known models: {@code onnx-models/manifest.json} in the source tree, packaged as the classpath
 * resource {@value #RESOURCE}. Format:
 *
 * <pre>
 * {"format": 1, "models": [{"id": "openai/clip-vit-base-patch32", "name": "...", "license": "MIT",
 *   "homepage": "https://...", "url": "https://huggingface.co/openai/clip-vit-base-patch32/resolve/main/",
 *   "bundled": null, "note": "...",
 *   "files": [{"path": "config.json", "size": 4519, "sha256": "...", "optional": false}, ...]}, ...]}
 * </pre>
 *
 * {@code size} and {@code sha256} may be {@code null} when not known; a model needs a {@code url} or a
 * {@code bundled} folder. Unknown keys are errors, so that a misspelt key is not silently ignored.
 */
public final class ModelManifest {
    public static final String RESOURCE = "/org/clipwsss/models/manifest.json";

    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)?");
    private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._-]*");
    private static final Pattern SHA256 = Pattern.compile("[0-9a-fA-F]{64}");
    private static final Set<String> ROOT_KEYS = Set.of("format", "models");
    private static final Set<String> MODEL_KEYS = Set.of("id", "name", "license", "homepage", "url", "bundled", "note",
            "files");
    private static final Set<String> FILE_KEYS = Set.of("path", "size", "sha256", "optional");

    private final String source;
    private final List<ManifestModel> models;

    private ModelManifest(String source, List<ManifestModel> models) {
        this.source = source;
        this.models = List.copyOf(models);
    }

    /** The manifest packaged with clip-wsss. */
    public static ModelManifest bundled() {
        try (InputStream in = ModelManifest.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new ClipWsssException(RESOURCE + ": the model manifest is missing from the clip-wsss jar");
            }
            return parse(in.readAllBytes(), RESOURCE);
        } catch (IOException e) {
            throw new ClipWsssException(RESOURCE + ": could not read the model manifest (" + e.getMessage() + ")", e);
        }
    }

    /** Reads a manifest file; errors name the file. */
    public static ModelManifest load(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw ClipWsssException.file(file, "model manifest not found", e);
        } catch (IOException e) {
            throw ClipWsssException.file(file, "could not read the model manifest (" + e.getMessage() + ")", e);
        }
        return parse(bytes, file.toString());
    }

    private static ModelManifest parse(byte[] json, String source) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(json);
        } catch (IOException e) {
            throw new ClipWsssException(source + ": not valid JSON (" + e.getMessage().lines().findFirst().orElse("")
                    + ")", e);
        }
        try {
            return new ModelManifest(source, models(root));
        } catch (IllegalArgumentException e) {
            throw new ClipWsssException(source + ": not a valid model manifest: " + e.getMessage(), e);
        }
    }

    /** Where it was read from (a file or the classpath resource). */
    public String source() {
        return source;
    }

    public List<ManifestModel> models() {
        return models;
    }

    /** The model with this id; the error lists the known ids. */
    public ManifestModel find(String id) {
        return models.stream().filter(m -> m.id().equals(id)).findFirst().orElseThrow(() -> new ClipWsssException(
                source + ": no model '" + id + "' (known: " + ids() + ")"));
    }

    private String ids() {
        return models.stream().map(ManifestModel::id).collect(Collectors.joining(", "));
    }

    private static List<ManifestModel> models(JsonNode root) {
        requireObject(root, "the manifest", ROOT_KEYS);
        JsonNode format = root.get("format");
        if (format == null || !format.isInt() || format.intValue() != 1) {
            throw new IllegalArgumentException("\"format\" must be 1, got " + format);
        }
        JsonNode list = root.get("models");
        if (list == null || !list.isArray()) {
            throw new IllegalArgumentException("\"models\" must be a list");
        }
        List<ManifestModel> models = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < list.size(); i++) {
            ManifestModel m = model(list.get(i), "model " + (i + 1));
            if (!ids.add(m.id())) {
                throw new IllegalArgumentException("model id '" + m.id() + "' appears twice");
            }
            models.add(m);
        }
        return models;
    }

    private static ManifestModel model(JsonNode node, String where) {
        requireObject(node, where, MODEL_KEYS);
        String id = text(node, "id", true, where);
        if (!ID.matcher(id).matches()) {
            throw new IllegalArgumentException(where + ": id '" + id + "' is not of the form NAME or OWNER/NAME");
        }
        where = "model '" + id + "'";
        String url = text(node, "url", false, where);
        if (url != null) {
            checkUrl(url, where);
        }
        String bundled = text(node, "bundled", false, where);
        if (url == null && bundled == null) {
            throw new IllegalArgumentException(where + ": needs a download \"url\" or a \"bundled\" folder");
        }
        JsonNode list = node.get("files");
        if (list == null || !list.isArray() || list.isEmpty()) {
            throw new IllegalArgumentException(where + ": \"files\" must be a non-empty list");
        }
        List<ManifestFile> files = new ArrayList<>();
        Set<String> paths = new HashSet<>();
        for (JsonNode f : list) {
            ManifestFile file = file(f, where);
            if (!paths.add(file.path())) {
                throw new IllegalArgumentException(where + ": file '" + file.path() + "' appears twice");
            }
            files.add(file);
        }
        return new ManifestModel(id, text(node, "name", true, where), text(node, "license", false, where),
                text(node, "homepage", false, where), url, bundled, text(node, "note", false, where), files);
    }

    private static ManifestFile file(JsonNode node, String model) {
        requireObject(node, model + ": a file", FILE_KEYS);
        String path = text(node, "path", true, model + ": a file");
        String where = model + ": file '" + path + "'";
        for (String segment : path.split("/", -1)) {
            if (!SEGMENT.matcher(segment).matches()) {
                throw new IllegalArgumentException(where + ": path must be a relative path of letters, digits, "
                        + "'.', '_', '-' separated by '/'");
            }
        }
        JsonNode size = node.get("size");
        if (size != null && !size.isNull() && !(size.canConvertToLong() && size.isIntegralNumber()
                && size.longValue() >= 0)) {
            throw new IllegalArgumentException(where + ": size must be a byte count or null, got " + size);
        }
        String sha = text(node, "sha256", false, where);
        if (sha != null && !SHA256.matcher(sha).matches()) {
            throw new IllegalArgumentException(where + ": sha256 must be 64 hex digits or null, got '" + sha + "'");
        }
        JsonNode optional = node.get("optional");
        if (optional != null && !optional.isNull() && !optional.isBoolean()) {
            throw new IllegalArgumentException(where + ": optional must be true or false, got " + optional);
        }
        return new ManifestFile(path, size == null || size.isNull() ? null : size.longValue(),
                sha == null ? null : sha.toLowerCase(Locale.ROOT), optional != null && optional.asBoolean());
    }

    private static void requireObject(JsonNode node, String what, Set<String> keys) {
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException(what + " must be a JSON object");
        }
        for (Iterator<String> it = node.fieldNames(); it.hasNext();) {
            String key = it.next();
            if (!keys.contains(key)) {
                throw new IllegalArgumentException(what + ": unknown key \"" + key + "\" (known: "
                        + keys.stream().sorted().collect(Collectors.joining(", ")) + ")");
            }
        }
    }

    private static String text(JsonNode node, String key, boolean required, String where) {
        JsonNode v = node.get(key);
        if (v == null || v.isNull()) {
            if (required) {
                throw new IllegalArgumentException(where + ": \"" + key + "\" is missing");
            }
            return null;
        }
        if (!v.isTextual() || v.textValue().isBlank()) {
            throw new IllegalArgumentException(where + ": \"" + key + "\" must be a non-empty string, got " + v);
        }
        return v.textValue();
    }

    private static void checkUrl(String url, String where) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(where + ": url '" + url + "' is not a URL (" + e.getReason() + ")", e);
        }
        if (!(uri.getHost() != null && ("https".equals(uri.getScheme()) || "http".equals(uri.getScheme())))) {
            throw new IllegalArgumentException(where + ": url '" + url + "' must be an http(s) URL");
        }
    }
}
