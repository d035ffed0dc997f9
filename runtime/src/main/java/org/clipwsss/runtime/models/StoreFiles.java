package org.clipwsss.runtime.models;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.clipwsss.runtime.ClipWsssException;
import org.clipwsss.runtime.io.AtomicFiles;
import org.clipwsss.runtime.io.IoProblems;

/** File operations of the model store, with errors that name the file: folders, small JSON files, SHA-256. */
final class StoreFiles {
    private static final ObjectMapper JSON = new ObjectMapper();

    private StoreFiles() {
    }

    static void createFolder(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw ClipWsssException.file(dir, IoProblems.describe("could not create the folder", e), e);
        }
    }

    /** The entries of a folder, sorted; none when it does not exist. */
    static List<Path> list(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.sorted().toList();
        } catch (IOException e) {
            throw ClipWsssException.file(dir, IoProblems.describe("could not list the folder", e), e);
        }
    }

    /** Deletes a folder and everything in it, {@code first} (inside it) before the rest. */
    static void deleteTree(Path dir, Path first) {
        try {
            Files.deleteIfExists(first);
        } catch (IOException e) {
            throw ClipWsssException.file(first, IoProblems.describe("could not delete", e), e);
        }
        AtomicFiles.deleteTree(dir);
    }

    static ObjectNode object() {
        return JSON.createObjectNode();
    }

    /** Reads a JSON object; {@code what} names the kind of file in errors ("model registry"). */
    static JsonNode readJson(Path file, String what) {
        JsonNode root;
        try {
            root = JSON.readTree(Files.readAllBytes(file));
        } catch (JsonProcessingException e) {
            throw ClipWsssException.file(file, "not a valid " + what + " (" + e.getOriginalMessage() + ")", e);
        } catch (IOException e) {
            throw ClipWsssException.file(file, IoProblems.describe("could not read the " + what, e), e);
        }
        if (root == null || !root.isObject()) {
            throw ClipWsssException.file(file, "not a valid " + what + " (not a JSON object)");
        }
        return root;
    }

    /** Writes {@code node} to {@code file} atomically, creating the folder. */
    static void writeJson(Path file, JsonNode node) {
        String text;
        try {
            text = JSON.writerWithDefaultPrettyPrinter().writeValueAsString(node) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree always serialises", e);
        }
        createFolder(file.toAbsolutePath().getParent());
        AtomicFiles.writeString(file, text);
    }

    /** The file's SHA-256 as lower-case hex. */
    static String sha256(Path file) {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
        byte[] buffer = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buffer)) >= 0;) {
                digest.update(buffer, 0, n);
            }
        } catch (IOException e) {
            throw ClipWsssException.file(file, IoProblems.describe("could not read", e), e);
        }
        return HexFormat.of().formatHex(digest.digest());
    }
}
