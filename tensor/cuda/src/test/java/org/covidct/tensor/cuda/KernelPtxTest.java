package org.covidct.tensor.cuda;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The {@link Kernel} enum against the committed PTX that cuda-kernels packages (whose entries
 * check-ptx.sh holds to the .cu sources): every constant names an entry of its family's PTX file,
 * and every entry of every PTX file is named by a constant. Needs no GPU.
 */
@DisplayName("Kernel enum against the PTX entries")
class KernelPtxTest {
    private static final Pattern ENTRY = Pattern.compile("^\\.visible \\.entry (\\w+)\\(", Pattern.MULTILINE);

    @Test
    @DisplayName("the enum names exactly the PTX's entries, each in its own family")
    void enumNamesExactlyThePtxEntries() throws IOException, URISyntaxException {
        TreeSet<String> inPtx = ptxEntries();
        assertFalse(inPtx.isEmpty(), "no PTX entries under " + CudaKernels.PTX_ROOT);
        TreeSet<String> inEnum = new TreeSet<>();
        for (Kernel k : Kernel.values()) {
            inEnum.add(qualified(k.family(), k.function()));
        }
        TreeSet<String> enumOnly = new TreeSet<>(inEnum);
        enumOnly.removeAll(inPtx);
        TreeSet<String> ptxOnly = new TreeSet<>(inPtx);
        ptxOnly.removeAll(inEnum);
        assertTrue(enumOnly.isEmpty() && ptxOnly.isEmpty(), "Kernel constants without a PTX entry: " + enumOnly
                + "; PTX entries without a Kernel constant: " + ptxOnly);
    }

    private static String qualified(String family, String function) {
        return family + ".ptx: " + function;
    }

    /** Every entry of every packaged PTX file, as {@code family.ptx: name}. */
    private static TreeSet<String> ptxEntries() throws IOException, URISyntaxException {
        URL root = KernelPtxTest.class.getClassLoader().getResource(CudaKernels.PTX_ROOT);
        assertNotNull(root, CudaKernels.PTX_ROOT + " is not on the test class path (the cuda-kernels module)");
        URI uri = root.toURI();
        // A folder of the reactor's build, or a folder inside cuda-kernels' jar.
        try (FileSystem jar = "jar".equals(uri.getScheme()) ? FileSystems.newFileSystem(uri, Map.of()) : null;
             Stream<Path> files = Files.list(jar == null ? Path.of(uri) : jar.provider().getPath(uri))) {
            TreeSet<String> entries = new TreeSet<>();
            for (Path ptx : files.filter(p -> p.getFileName().toString().endsWith(".ptx")).toList()) {
                String family = ptx.getFileName().toString().replaceFirst("\\.ptx$", "");
                Matcher m = ENTRY.matcher(Files.readString(ptx, StandardCharsets.UTF_8));
                while (m.find()) {
                    entries.add(qualified(family, m.group(1)));
                }
            }
            return entries;
        }
    }
}
