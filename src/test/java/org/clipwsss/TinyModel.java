package org.clipwsss;

import java.nio.file.Path;
import org.clipwsss.runtime.clip.ClipModel;
import org.clipwsss.runtime.session.Device;
import org.clipwsss.runtime.session.SessionFactory;

/** The bundled clip-tiny model on a CPU session factory of its own, with built graphs cached in {@code cache}. */
public final class TinyModel implements AutoCloseable {
    public final SessionFactory sessions = new SessionFactory(Device.CPU, 2);
    public final ClipModel model;

    public TinyModel(Path cache) {
        model = ClipModel.open(Fixtures.CLIP_TINY, ClipModel.Options.defaults().withSessions(sessions).withCacheRoot(cache));
    }

    @Override
    public void close() {
        model.close();
        sessions.close();
    }
}
