package org.clipwsss.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.clipwsss.runtime.ClipWsssException;
import org.clipwsss.runtime.io.IoProblems;
import org.clipwsss.runtime.text.ClipTokenizer;
import org.clipwsss.runtime.text.Tokens;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "tokenize", description = "Tokenises texts as CLIP does: one JSON line per input line.")
final class TokenizeCommand implements Callable<Integer> {
    /** The longest input line read (bytes); a file without line breaks must not exhaust the memory. */
    static final int MAX_LINE_BYTES = 16 << 20;

    @Option(names = "--jsonl", required = true, paramLabel = "IN.jsonl", description = "Lines of {\"text\": ...} (UTF-8).")
    Path jsonl;

    @Option(names = "--model", paramLabel = "DIR", description = "Use this model folder's tokenizer (default: bundled CLIP).")
    Path model;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        if (Files.isDirectory(jsonl)) {
            throw ClipWsssException.file(jsonl, "is a folder, not a .jsonl file");
        }
        if (!Files.exists(jsonl)) {
            throw ClipWsssException.file(jsonl, "no such file");
        }
        ObjectMapper json = new ObjectMapper();
        PrintWriter out = spec.commandLine().getOut();
        try (ClipTokenizer tok = model == null ? ClipTokenizer.bundled() : ClipTokenizer.forModel(model);
                InputStream in = openJsonl()) {
            CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
            ByteArrayOutputStream buffer = new ByteArrayOutputStream();
            int number = 0;
            while (readLine(in, buffer, number + 1)) {
                number++;
                String line;
                try {
                    line = utf8.decode(ByteBuffer.wrap(buffer.toByteArray())).toString();
                } catch (CharacterCodingException e) {
                    throw ClipWsssException.file(jsonl, "line " + number + " is not valid UTF-8 text");
                }
                if (number == 1 && line.startsWith("\uFEFF")) {
                    line = line.substring(1); // a byte order mark
                }
                if (line.isBlank()) {
                    continue;
                }
                JsonNode node;
                try {
                    node = json.readTree(line);
                } catch (IOException e) {
                    throw ClipWsssException.file(jsonl, "line " + number + " is not JSON");
                }
                if (node == null || !node.path("text").isTextual()) {
                    throw ClipWsssException.file(jsonl, "line " + number + " has no string field \"text\"");
                }
                String text = node.get("text").asText();
                Tokens t = tok.encode(text);
                ObjectNode o = json.createObjectNode();
                o.put("text", text);
                ArrayNode ids = o.putArray("input_ids");
                for (long id : t.inputIds()) {
                    ids.add(id);
                }
                out.println(json.writeValueAsString(o));
            }
        }
        out.flush();
        return 0;
    }

    private InputStream openJsonl() {
        try {
            return new BufferedInputStream(Files.newInputStream(jsonl), 1 << 16);
        } catch (IOException e) {
            throw ClipWsssException.file(jsonl, IoProblems.describe("could not read", e), e);
        }
    }

    /**
     * Reads the bytes of the next line (without its "\n" or "\r\n") into {@code line}; false at the end of the file.
     */
    private boolean readLine(InputStream in, ByteArrayOutputStream line, int number) {
        line.reset();
        try {
            int b = in.read();
            if (b < 0) {
                return false;
            }
            while (b >= 0 && b != '\n') {
                if (line.size() >= MAX_LINE_BYTES) {
                    throw ClipWsssException.file(jsonl, "line " + number + " is longer than " + (MAX_LINE_BYTES >> 20)
                            + " MiB; is this a .jsonl file?");
                }
                line.write(b);
                b = in.read();
            }
        } catch (IOException e) {
            throw ClipWsssException.file(jsonl, IoProblems.describe("could not read", e), e);
        }
        byte[] bytes = line.toByteArray();
        if (bytes.length > 0 && bytes[bytes.length - 1] == '\r') {
            line.reset();
            line.write(bytes, 0, bytes.length - 1);
        }
        return true;
    }
}
