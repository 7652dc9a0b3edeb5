import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.JarInputStream;
import java.util.jar.Manifest;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * hatch-harmony's test oracle: what JDK's java.util.jar reads from manifests and jars.
 *
 * <p>Batch mode, so one JVM serves a whole test: paths come on stdin (one per line), a JSON
 * array goes to stdout with one object per path, in order. Everything is ASCII-escaped JSON so
 * no platform charset can alter a value on the way back to Python.
 *
 * <p>Per path: "main" (attributes in Java's order, original spelling), "sections" (Name to
 * attributes, sorted: Java keeps entries in a HashMap, so their order means nothing). For a jar
 * (zip magic) the manifest is what {@link JarInputStream} sees, the reader that only finds
 * META-INF/MANIFEST.MF as the first entry (or second after META-INF/); "entries" lists the
 * local-header order, "manifestFirst" says whether that rule holds, "jarFileAgrees" whether
 * {@link JarFile} (central directory) reads the same manifest. Failures give "error" instead.
 * With the argument --rewrite, "written" holds base64 of {@link Manifest#write}'s bytes, to
 * compare our writer with Java's own.
 */
public final class ManifestDump {
    private ManifestDump() {}

    public static void main(String[] args) throws IOException {
        boolean rewrite = args.length > 0 && args[0].equals("--rewrite");
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        PrintStream out = new PrintStream(System.out, false, StandardCharsets.US_ASCII);
        StringBuilder json = new StringBuilder("[");
        String line;
        boolean first = true;
        while ((line = in.readLine()) != null) {
            if (line.isEmpty()) {
                continue;
            }
            if (!first) {
                json.append(",\n");
            }
            first = false;
            json.append(dump(Path.of(line), rewrite));
        }
        json.append("]\n");
        out.print(json);
        out.flush();
    }

    private static String dump(Path path, boolean rewrite) {
        StringBuilder o = new StringBuilder("{\"path\":").append(quote(path.toString()));
        try {
            byte[] raw = Files.readAllBytes(path);
            Manifest mf;
            if (raw.length >= 4 && raw[0] == 'P' && raw[1] == 'K' && raw[2] == 3 && raw[3] == 4) {
                List<String> entries = entryOrder(raw);
                try (JarInputStream js = new JarInputStream(new ByteArrayInputStream(raw))) {
                    mf = js.getManifest();
                }
                if (mf == null) {
                    throw new IOException("JarInputStream sees no META-INF/MANIFEST.MF (it must be the first "
                            + "entry, or the second after META-INF/); entries in order: " + entries);
                }
                Manifest central;
                try (JarFile jf = new JarFile(path.toFile())) {
                    central = jf.getManifest();
                }
                int at = entries.indexOf(JarFile.MANIFEST_NAME);
                boolean manifestFirst = at == 0 || (at == 1 && entries.get(0).equals("META-INF/"));
                o.append(",\"entries\":").append(list(entries));
                o.append(",\"manifestFirst\":").append(manifestFirst);
                o.append(",\"jarFileAgrees\":").append(mf.equals(central));
            } else {
                mf = new Manifest(new ByteArrayInputStream(raw));
            }
            o.append(",\"main\":").append(attributes(mf.getMainAttributes()));
            o.append(",\"sections\":{");
            boolean firstSection = true;
            for (Map.Entry<String, Attributes> e : new TreeMap<>(mf.getEntries()).entrySet()) {
                if (!firstSection) {
                    o.append(',');
                }
                firstSection = false;
                o.append(quote(e.getKey())).append(':').append(attributes(e.getValue()));
            }
            o.append('}');
            if (rewrite) {
                ByteArrayOutputStream written = new ByteArrayOutputStream();
                mf.write(written);
                o.append(",\"written\":").append(quote(Base64.getEncoder().encodeToString(written.toByteArray())));
            }
        } catch (IOException | RuntimeException e) {
            // IllegalArgumentException is how java.util.jar reports a bad attribute name.
            return "{\"path\":" + quote(path.toString()) + ",\"error\":" + quote(e.toString()) + "}";
        }
        return o.append('}').toString();
    }

    private static List<String> entryOrder(byte[] raw) throws IOException {
        List<String> names = new ArrayList<>();
        try (ZipInputStream zs = new ZipInputStream(new ByteArrayInputStream(raw))) {
            ZipEntry e;
            while ((e = zs.getNextEntry()) != null) {
                names.add(e.getName());
            }
        }
        return names;
    }

    private static String attributes(Attributes attrs) {
        StringBuilder o = new StringBuilder("{");
        boolean first = true;
        for (Map.Entry<Object, Object> e : attrs.entrySet()) {
            if (!first) {
                o.append(',');
            }
            first = false;
            o.append(quote(e.getKey().toString())).append(':').append(quote((String) e.getValue()));
        }
        return o.append('}').toString();
    }

    private static String list(List<String> items) {
        StringBuilder o = new StringBuilder("[");
        for (int i = 0; i < items.size(); i++) {
            if (i > 0) {
                o.append(',');
            }
            o.append(quote(items.get(i)));
        }
        return o.append(']').toString();
    }

    /** JSON string with every non-printable-ASCII UTF-16 unit escaped (Python joins surrogate pairs). */
    private static String quote(String s) {
        StringBuilder o = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                o.append('\\').append(c);
            } else if (c < 0x20 || c > 0x7e) {
                o.append(String.format("\\u%04x", (int) c));
            } else {
                o.append(c);
            }
        }
        return o.append('"').toString();
    }
}
