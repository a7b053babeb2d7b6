package org.covidct.tensor.cuda;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.SymbolLookup;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Chooses JCudnn's native library for the cuDNN installed here, before JCudnn loads it: the one
 * linked against cuDNN 9 (libcudnn.so.9) where that loads, else the one linked against cuDNN 8.
 * JCudnn's loader tries {@code java.library.path} first and then loads
 * {@code <java.io.tmpdir>/libJCudnn-<jcuda version>-linux-x86_64.so} as it finds it, extracting
 * it only when the file is missing; so the chosen native is written there whenever that file
 * differs, also replacing a copy another version left behind.
 */
final class CudnnNative {
    static final String CUDNN9 = "libcudnn.so.9";
    static final String CUDNN8 = "libcudnn.so.8";
    /** Where the tensor module's jar keeps the native built for cuDNN 8 (see tensor/pom.xml). */
    static final String CUDNN8_RESOURCE_FOLDER = "org/covidct/tensor/cuda/cudnn8/";

    private CudnnNative() {
    }

    /** Empty when a native matching the installed cuDNN is in place, otherwise what is missing. */
    static synchronized Optional<String> choose() {
        return choose(CudnnNative::loadable, Path.of(System.getProperty("java.io.tmpdir")));
    }

    /**
     * Places, in {@code directory}, the JCudnn native for the first cuDNN that {@code loadable}
     * finds: empty when done, otherwise what is missing.
     */
    static Optional<String> choose(Predicate<String> loadable, Path directory) {
        String file = nativeFileName();
        String resource;
        if (loadable.test(CUDNN9)) {
            resource = "lib/" + file;
        } else if (loadable.test(CUDNN8)) {
            resource = CUDNN8_RESOURCE_FOLDER + file;
        } else {
            return Optional.of("cuDNN: neither " + CUDNN9 + " (cuDNN 9) nor " + CUDNN8
                    + " (cuDNN 8) found on the library path");
        }
        try {
            place(resource, directory.resolve(file));
            return Optional.empty();
        } catch (IOException e) {
            return Optional.of("cuDNN: cannot write the JCudnn native to " + directory + ": " + e.getMessage());
        }
    }

    /** The file name JCudnn's loader looks for. */
    static String nativeFileName() {
        return "libJCudnn-" + jcuda.JCudaVersion.get() + "-linux-x86_64.so";
    }

    /**
     * Whether the dynamic loader finds and loads {@code library} (it is unloaded again). Native
     * access, as JCuda's own loading needs it too.
     */
    @SuppressWarnings("restricted")
    static boolean loadable(String library) {
        try (Arena arena = Arena.ofConfined()) {
            SymbolLookup.libraryLookup(library, arena);
            return true;
        } catch (IllegalArgumentException notFound) {
            return false;
        }
    }

    static void place(String resource, Path target) throws IOException {
        byte[] wanted;
        try (InputStream in = CudnnNative.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException("classpath resource " + resource + " is missing");
            }
            wanted = in.readAllBytes();
        }
        if (Files.isRegularFile(target) && Arrays.equals(Files.readAllBytes(target), wanted)) {
            return;
        }
        // A new file moved over the old one: a process that mapped the old one keeps it intact.
        Path temporary = Files.createTempFile(target.getParent(), target.getFileName().toString(), ".part");
        try {
            Files.write(temporary, wanted);
            Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(temporary);
        }
    }
}
