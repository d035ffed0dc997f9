package org.clipwsss.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.clipwsss.runtime.ClipWsssException;
import org.clipwsss.runtime.clip.ClipModel;
import org.clipwsss.runtime.io.Npy;
import org.clipwsss.runtime.io.NpyArray;
import org.clipwsss.runtime.session.SessionFactory;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "embed-text", description = "Text embeddings [N,E] from texts or token ids.")
final class EmbedTextCommand implements Callable<Integer> {
    @Mixin
    ModelOptions modelOptions;

    @Option(names = "--out", required = true, paramLabel = "OUT.npy")
    Path out;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Input input;

    static final class Input {
        @Option(names = "--input-ids", paramLabel = "IDS.npy", description = "Token ids [N,L] int64 or int32.")
        Path ids;

        @Option(names = "--text", arity = "1..*", paramLabel = "T", description = "One or more texts.")
        List<String> texts;
    }

    @Override
    public Integer call() {
        try (SessionFactory sessions = modelOptions.sessions(); ClipModel model = modelOptions.open(sessions)) {
            NpyArray result;
            if (input.ids != null) {
                NpyArray ids = Npy.read(input.ids);
                if (ids.dtype() == NpyArray.DType.FLOAT32 || ids.shape().length != 2) {
                    throw ClipWsssException.file(input.ids, "token ids must be an int64 or int32 [N,L] array, not "
                            + ids.dtype() + " " + java.util.Arrays.toString(ids.shape()));
                }
                try {
                    result = model.textEmbeds(NpyArray.ofLongs(ids.toLongs(), ids.shape()), null);
                } catch (ClipWsssException e) {
                    throw ClipWsssException.file(input.ids, e.getMessage(), e);
                }
            } else {
                result = model.textEmbeds(input.texts);
            }
            Npy.write(out, result);
        }
        return 0;
    }
}
