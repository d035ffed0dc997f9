package org.clipwsss.host;

/** {@link Hosts}' hostile files for tests in other packages. */
public final class HostsAccess {
    private HostsAccess() {
    }

    public static byte[] pngDeclaring(int width, int height) throws java.io.IOException {
        return Hosts.pngDeclaring(width, height);
    }
}
