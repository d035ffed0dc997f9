package org.clipwsss.runtime.models;

/**
 * One file of a model in a {@link ModelManifest}.
 *
 * @param path     the path inside the model folder, with {@code /} separators (also the path under the download URL)
 * @param size     the size in bytes, or {@code null} when not recorded
 * @param sha256   the lower-case hex SHA-256, or {@code null} when not recorded
 * @param optional whether {@link ModelStore#install} leaves it out (e.g. a quantized variant)
 */
public record ManifestFile(String path, Long size, String sha256, boolean optional) {
}
