package org.clipwsss.runtime.models;

import java.net.URI;
import java.util.List;
import java.util.OptionalLong;

/**
 * A model listed in a {@link ModelManifest}, in the Hugging Face layout.
 *
 * @param id       the Hugging Face id, e.g. {@code openai/clip-vit-base-patch32}
 * @param name     the display name
 * @param license  the licence, as free text (e.g. {@code MIT}); may be {@code null}
 * @param homepage the model's page; may be {@code null}
 * @param url      the base download URL (each file's path is resolved against it), or {@code null} when the model
 *                 is not downloaded (it is bundled)
 * @param bundled  where the model ships with clip-wsss, relative to the project root, or {@code null}
 * @param note     remarks for users; may be {@code null}
 * @param files    the model's files
 */
public record ManifestModel(String id, String name, String license, String homepage, String url, String bundled,
        String note, List<ManifestFile> files) {

    public ManifestModel {
        files = List.copyOf(files);
    }

    /** Whether {@link ModelStore#install} can download it (it has a download URL). */
    public boolean downloadable() {
        return url != null;
    }

    /** The files {@link ModelStore#install} downloads: all but the optional ones. */
    public List<ManifestFile> requiredFiles() {
        return files.stream().filter(f -> !f.optional()).toList();
    }

    /** Where a file is downloaded from. */
    public URI fileUrl(ManifestFile file) {
        if (url == null) {
            throw new IllegalStateException(id + " has no download URL");
        }
        return URI.create(url.endsWith("/") ? url : url + "/").resolve(file.path());
    }

    /** The total size of the required files, when every one is recorded. */
    public OptionalLong downloadSize() {
        long total = 0;
        for (ManifestFile f : requiredFiles()) {
            if (f.size() == null) {
                return OptionalLong.empty();
            }
            total += f.size();
        }
        return OptionalLong.of(total);
    }

    /** The name of its folder in a {@link ModelStore}: the id with {@code /} replaced by {@code --}. */
    public String folderName() {
        return id.replace("/", "--");
    }
}
