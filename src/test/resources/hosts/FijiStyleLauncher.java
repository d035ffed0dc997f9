import java.lang.reflect.InvocationTargetException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Starts ImageJ 1.x headless the way Fiji's launcher does, for the host tests (run with the JDK's source-file
 * mode, so nothing of the project is on the class path): every jar of APP/jars on one class loader whose parent
 * is the platform loader (it sees no plugin, and the thread's context loader sees none of the jars either),
 * plugins.dir set to APP, ij1-patcher's LegacyEnvironment patching ImageJ for headless use; ImageJ itself finds
 * the plugins in APP/plugins. Runs the macro file with its argument, like {@code fiji --headless -macro FILE ARG}.
 *   java FijiStyleLauncher.java APP MACRO.ijm "ARG"
 */
public class FijiStyleLauncher {
    public static void main(String[] args) throws Exception {
        Path app = Path.of(args[0]).toAbsolutePath();
        List<URL> urls = new ArrayList<>();
        try (DirectoryStream<Path> jars = Files.newDirectoryStream(app.resolve("jars"), "*.jar")) {
            for (Path jar : jars) {
                urls.add(jar.toUri().toURL());
            }
        }
        ClassLoader fiji = new URLClassLoader("fiji-jars", urls.toArray(new URL[0]), ClassLoader.getPlatformClassLoader());
        System.setProperty("plugins.dir", app.toString());
        System.setProperty("ij.dir", app.toString());
        Thread.currentThread().setContextClassLoader(ClassLoader.getSystemClassLoader());
        try {
            fiji.loadClass("org.clipwsss.plugin.ClipWsss");
            System.out.println("launcher: the plugin is on the jars/ class path (it must not be)");
            System.exit(5);
        } catch (ClassNotFoundException expected) {
            // the plugin is in plugins/ only: ImageJ must find it there
        }
        Class<?> legacy = fiji.loadClass("net.imagej.patcher.LegacyEnvironment");
        Object env = legacy.getConstructor(ClassLoader.class, boolean.class).newInstance(fiji, true);
        try {
            legacy.getMethod("runMacro", String.class, String.class).invoke(env, Files.readString(Path.of(args[1])), args[2]);
        } catch (InvocationTargetException e) {
            System.out.println("launcher: the macro failed: " + e.getCause());
            System.exit(4);
        }
        System.out.println("launcher: macro finished");
        System.exit(0);
    }
}
