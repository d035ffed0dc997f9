package org.clipwsss.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.clipwsss.runtime.ClipWsssException;
import org.clipwsss.runtime.text.ClipTokenizer;
import org.clipwsss.runtime.text.Tokens;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "tokenize", description = "Tokenises texts as CLIP does: one JSON line per input line.")
final class TokenizeCommand implements Callable<Integer> {
    @Option(names = "--jsonl", required = true, paramLabel = "IN.jsonl", description = "Lines of {\"text\": ...}.")
    Path jsonl;

    @Option(names = "--model", paramLabel = "DIR", description = "Use this model folder's tokenizer (default: bundled CLIP).")
    Path model;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        ObjectMapper json = new ObjectMapper();
        PrintWriter out = spec.commandLine().getOut();
        try (ClipTokenizer tok = model == null ? ClipTokenizer.bundled() : ClipTokenizer.forModel(model);
                BufferedReader in = Files.newBufferedReader(jsonl, StandardCharsets.UTF_8)) {
            String line;
            int number = 0;
            while ((line = in.readLine()) != null) {
                number++;
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
        } catch (NoSuchFileException e) {
            throw ClipWsssException.file(jsonl, "no such file");
        }
        out.flush();
        return 0;
    }
}
