import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.stream.Stream;

/**
 * hatch-harmony's test stand-in for a private agent loading a connector jar.
 *
 * <p>Usage: {@code java AgentLoad [--provided SDK.jar] CONNECTOR.jar CLASS...}
 *
 * <p>What an agent does with a connector jar, and therefore what a connector jar must allow: it
 * reads the manifest's {@code Class-Path}, takes each entry from inside the jar (the bundled
 * {@code lib/*.jar}; a URLClassLoader cannot read a jar nested in a jar, so they are extracted to
 * a temporary folder), and loads the connector's classes through one class loader over the
 * connector jar plus those jars. The Jitterbit SDK is the agent's own: {@code --provided} puts it
 * in the parent loader, never in the connector's. The parent of everything is the platform class
 * loader, so nothing leaks in from this program's own class path.
 *
 * <p>Each CLASS is loaded with {@code Class.forName(name, true, loader)}: its static initializer
 * runs, so a connector class that uses a dependency resolves that dependency right then. For each
 * class one line is printed: {@code loaded NAME from SOURCE}, SOURCE being {@code connector},
 * the Class-Path entry (e.g. {@code lib/textutil-1.2.jar}) or {@code provided}. Exit 1 with the
 * Java error on stderr when a class cannot be loaded, 2 when a Class-Path entry is not in the jar
 * or the arguments are wrong.
 */
public final class AgentLoad {
    private AgentLoad() {}

    public static void main(String[] args) throws IOException {
        int next = 0;
        Path provided = null;
        if (args.length > 1 && args[0].equals("--provided")) {
            provided = Path.of(args[1]).toAbsolutePath();
            next = 2;
        }
        if (args.length - next < 2) {
            System.err.println("usage: AgentLoad [--provided SDK.jar] CONNECTOR.jar CLASS...");
            System.exit(2);
        }
        Path connector = Path.of(args[next]).toAbsolutePath();
        Path work = Files.createTempDirectory("agent-load");
        int status = 0;
        try {
            Map<Path, String> sources = new HashMap<>();
            List<URL> urls = new ArrayList<>();
            urls.add(connector.toUri().toURL());
            sources.put(connector, "connector");
            for (String entry : classPath(connector)) {
                Path extracted = extract(connector, entry, work);
                if (extracted == null) {
                    System.err.println("Class-Path entry " + entry + " is not in " + connector);
                    status = 2;
                    return;
                }
                urls.add(extracted.toUri().toURL());
                sources.put(extracted, entry);
            }
            ClassLoader parent = ClassLoader.getPlatformClassLoader();
            if (provided != null) {
                parent = new URLClassLoader(new URL[] {provided.toUri().toURL()}, parent);
                sources.put(provided, "provided");
            }
            try (URLClassLoader loader = new URLClassLoader(urls.toArray(new URL[0]), parent)) {
                for (int i = next + 1; i < args.length; i++) {
                    Class<?> loaded = Class.forName(args[i], true, loader);
                    System.out.println("loaded " + args[i] + " from " + source(loaded, sources));
                }
            }
        } catch (ClassNotFoundException | LinkageError e) {
            System.err.println("cannot load: " + e);
            status = 1;
        } finally {
            deleteTree(work);
            System.out.flush();
            if (status != 0) {
                System.exit(status);
            }
        }
    }

    /** The main section's Class-Path, split on spaces, each entry URL-decoded (the writer encodes). */
    private static List<String> classPath(Path connector) throws IOException {
        List<String> entries = new ArrayList<>();
        try (JarFile jar = new JarFile(connector.toFile())) {
            Manifest manifest = jar.getManifest();
            String value = manifest == null ? null : manifest.getMainAttributes().getValue(Attributes.Name.CLASS_PATH);
            if (value == null || value.isBlank()) {
                return entries;
            }
            for (String raw : value.trim().split("\\s+")) {
                try {
                    entries.add(new URI(raw).getPath());
                } catch (URISyntaxException e) {
                    throw new IOException("Class-Path entry " + raw + " is not a relative URL", e);
                }
            }
        }
        return entries;
    }

    /** Copy the jar entry `name` to `work/name`; null when the connector jar has no such entry. */
    private static Path extract(Path connector, String name, Path work) throws IOException {
        Path target = work.resolve(name).normalize();
        if (!target.startsWith(work)) {
            throw new IOException("Class-Path entry " + name + " leaves the jar's folder");
        }
        try (JarFile jar = new JarFile(connector.toFile())) {
            JarEntry entry = jar.getJarEntry(name);
            if (entry == null || entry.isDirectory()) {
                return null;
            }
            Files.createDirectories(target.getParent());
            try (InputStream in = jar.getInputStream(entry)) {
                Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
            }
        }
        return target;
    }

    private static String source(Class<?> loaded, Map<Path, String> sources) {
        CodeSource code = loaded.getProtectionDomain().getCodeSource();
        if (code == null || code.getLocation() == null) {
            return "the platform";
        }
        try {
            Path location = Path.of(code.getLocation().toURI()).toAbsolutePath();
            return sources.getOrDefault(location, location.toString());
        } catch (URISyntaxException e) {
            return code.getLocation().toString();
        }
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path path : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
