package org.clipwsss.runtime.text;

import ai.djl.engine.EngineException;
import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import org.clipwsss.runtime.ClipWsssException;

/**
 * OpenAI CLIP's tokenizer ({@code clip.tokenize(texts, context_length=77, truncate=True)}): the text is cleaned in
 * Java ({@link TextCleaner}), split and byte-pair encoded by Hugging Face tokenizers (through DJL, from a local
 * tokenizer.json only), and framed with the start and end tokens here. Instances wrap native memory: close them.
 */
public final class ClipTokenizer implements AutoCloseable {
    public static final int CONTEXT_LENGTH = 77;
    public static final int SOT = 49406;
    public static final int EOT = 49407;

    private static final System.Logger LOG = System.getLogger(ClipTokenizer.class.getName());
    /** Ids exactly as the model gives them: no special tokens (added here), no truncation, no padding. */
    private static final Map<String, String> DJL_OPTIONS =
            Map.of("addSpecialTokens", "false", "truncation", "false", "padding", "false");

    /**
     * DJL logs its native-library housekeeping at INFO, and probes for CUDA while loading the tokenizer library
     * (always loaded here in its CPU flavour): on a machine with a CUDA toolkit but no driver that probe warns,
     * which is noise (ONNX Runtime's own device choice is logged separately). Where DJL's SLF4J messages reach
     * java.util.logging (the command line, a plain ImageJ), only its warnings, and no CUDA probe, are shown. The
     * loggers are kept here because java.util.logging holds them weakly.
     */
    private static final java.util.logging.Logger DJL_LOG = java.util.logging.Logger.getLogger("ai.djl");
    private static final java.util.logging.Logger DJL_CUDA_LOG = java.util.logging.Logger.getLogger("ai.djl.util.cuda");

    static {
        DJL_LOG.setLevel(java.util.logging.Level.WARNING);
        DJL_CUDA_LOG.setLevel(java.util.logging.Level.SEVERE);
        // Before any DJL class runs: use the CPU library inside the DJL jar, never download one.
        setUnlessSet("ai.djl.offline", "DJL_OFFLINE", "true");
        setUnlessSet("RUST_FLAVOR", "RUST_FLAVOR", "cpu");
    }

    private final HuggingFaceTokenizer tokenizer;
    private final byte[] json;
    private final long sot;
    private final long eot;

    private ClipTokenizer(byte[] json, Path source) {
        this.json = json;
        this.tokenizer = load(json, source);
        try {
            this.sot = specialId(TokenizerJson.SOT_TOKEN, source);
            this.eot = specialId(TokenizerJson.EOT_TOKEN, source);
        } catch (RuntimeException e) {
            tokenizer.close();
            throw e;
        }
    }

    /** The tokenizer of every OpenAI CLIP model, from the vocabulary bundled in this library. */
    public static ClipTokenizer bundled() {
        return new ClipTokenizer(ClipBpeVocabulary.bundledTokenizerJson(), null);
    }

    /** A model folder's tokenizer.json, else its vocab.json and merges.txt, else the bundled vocabulary. */
    public static ClipTokenizer forModel(Path modelDir) {
        if (!Files.isDirectory(modelDir)) {
            throw ClipWsssException.file(modelDir, "model folder not found");
        }
        Path tokenizerJson = modelDir.resolve("tokenizer.json");
        Path vocabJson = modelDir.resolve("vocab.json");
        Path mergesTxt = modelDir.resolve("merges.txt");
        if (Files.exists(tokenizerJson)) {
            return fromTokenizerJson(tokenizerJson);
        } else if (Files.exists(vocabJson) || Files.exists(mergesTxt)) {
            return fromVocabAndMerges(vocabJson, mergesTxt);
        }
        LOG.log(System.Logger.Level.DEBUG, "{0}: no tokenizer files, using the bundled CLIP vocabulary", modelDir);
        return bundled();
    }

    /** A Hugging Face tokenizer.json (for instance from a CLIP repository on the Hub, or written by an export). */
    public static ClipTokenizer fromTokenizerJson(Path file) {
        return new ClipTokenizer(TokenizerJson.read(file), file);
    }

    /** A Hugging Face vocab.json and merges.txt pair (CLIPTokenizer's slow-tokenizer files). */
    public static ClipTokenizer fromVocabAndMerges(Path vocabJson, Path mergesTxt) {
        return new ClipTokenizer(ClipBpeVocabulary.fromVocabAndMerges(vocabJson, mergesTxt).toTokenizerJson(),
                mergesTxt);
    }

    /** The tokenizer.json of the bundled vocabulary, as {@link #bundled()} uses it. */
    public static String bundledTokenizerJson() {
        return new String(ClipBpeVocabulary.bundledTokenizerJson(), StandardCharsets.UTF_8);
    }

    /** The tokenizer.json this tokenizer was built from (user files with any missing special tokens added). */
    public String tokenizerJson() {
        return new String(json, StandardCharsets.UTF_8);
    }

    /** Writes {@link #tokenizerJson()} to a file, for instance into an exported model folder. */
    public void writeTokenizerJson(Path file) {
        try {
            Files.write(file, json);
        } catch (IOException e) {
            throw ClipWsssException.file(file, "cannot write: " + e.getMessage(), e);
        }
    }

    /** The BPE ids of the cleaned text, without start/end tokens and never truncated. */
    public int[] bpeIds(String text) {
        return LongStream.of(bpe(List.of(text)).get(0)).mapToInt(Math::toIntExact).toArray();
    }

    /** {@code [SOT] + bpe[:75] + [EOT]}, zero-padded to 77. */
    public Tokens encode(String text) {
        return encode(List.of(text)).get(0);
    }

    /** {@link #encode(String)} for each text, tokenized as one batch. */
    public List<Tokens> encode(List<String> texts) {
        List<long[]> ids = bpe(texts);
        List<Tokens> out = new ArrayList<>(texts.size());
        for (int i = 0; i < texts.size(); i++) {
            out.add(frame(texts.get(i), ids.get(i)));
        }
        return out;
    }

    @Override
    public void close() {
        tokenizer.close();
    }

    /** Each text cleaned and byte-pair encoded, all pieces (see {@link RegexQuirks}) in one batch. */
    private List<long[]> bpe(List<String> texts) {
        List<List<String>> segments =
                texts.stream().map(text -> RegexQuirks.segments(TextCleaner.clean(text))).toList();
        String[] flat = segments.stream().flatMap(List::stream).toArray(String[]::new);
        Encoding[] encodings = flat.length == 0 ? new Encoding[0] : tokenizer.batchEncode(flat, false, false);
        List<long[]> out = new ArrayList<>(texts.size());
        int next = 0;
        for (List<String> textSegments : segments) {
            LongStream ids = LongStream.empty();
            for (int k = 0; k < textSegments.size(); k++) {
                ids = LongStream.concat(ids, LongStream.of(encodings[next++].getIds()));
            }
            out.add(ids.toArray());
        }
        return out;
    }

    private Tokens frame(String text, long[] bpe) {
        int n = Math.min(bpe.length, CONTEXT_LENGTH - 2);
        long[] ids = new long[CONTEXT_LENGTH];
        ids[0] = sot;
        System.arraycopy(bpe, 0, ids, 1, n);
        ids[n + 1] = eot;
        return new Tokens(text, ids, n + 2);
    }

    private long specialId(String token, Path source) {
        long[] ids = tokenizer.encode(token, false, false).getIds();
        if (ids.length != 1) {
            throw failure(source, token + " does not encode to one token", null);
        }
        return ids[0];
    }

    /**
     * DJL finds its native library and the properties naming its version through the thread's context class
     * loader; in ImageJ (PluginClassLoader) or Fiji that loader need not see DJL's jar, so it is set to the one
     * that loaded DJL while the tokenizer (and, the first time, its native library) loads.
     */
    private static HuggingFaceTokenizer load(byte[] json, Path source) {
        Thread thread = Thread.currentThread();
        ClassLoader saved = thread.getContextClassLoader();
        thread.setContextClassLoader(HuggingFaceTokenizer.class.getClassLoader());
        try {
            return HuggingFaceTokenizer.newInstance(new ByteArrayInputStream(json), DJL_OPTIONS);
        } catch (EngineException e) {
            throw new ClipWsssException("cannot load the Hugging Face tokenizers native library: " + e.getMessage(), e);
        } catch (IOException | RuntimeException e) {
            throw failure(source, "not a usable Hugging Face tokenizer: " + e.getMessage(), e);
        } catch (AssertionError | LinkageError e) {
            // DJL signals a missing or unloadable native library with these Errors
            throw new ClipWsssException("cannot load the Hugging Face tokenizers native library (DJL): "
                    + e.getClass().getSimpleName() + ": " + e.getMessage(), e);
        } finally {
            thread.setContextClassLoader(saved);
        }
    }

    private static ClipWsssException failure(Path source, String problem, Throwable cause) {
        return source == null
                ? new ClipWsssException("bundled CLIP vocabulary: " + problem, cause)
                : ClipWsssException.file(source, problem, cause);
    }

    private static void setUnlessSet(String property, String environmentVariable, String value) {
        if (System.getProperty(property) == null && System.getenv(environmentVariable) == null) {
            System.setProperty(property, value);
        }
    }
}
