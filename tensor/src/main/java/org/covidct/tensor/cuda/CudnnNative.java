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

    private CudnnNative() {
    }

    /** Empty when a native matching the installed cuDNN is in place, otherwise what is missing. */
    static synchronized Optional<String> choose() {
        String file = "libJCudnn-" + jcuda.JCudaVersion.get() + "-linux-x86_64.so";
        String resource;
        if (loadable(CUDNN9)) {
            resource = "lib/" + file;
        } else if (loadable(CUDNN8)) {
            resource = "org/covidct/tensor/cuda/cudnn8/" + file;
        } else {
            return Optional.of("cuDNN: neither " + CUDNN9 + " (cuDNN 9) nor " + CUDNN8
                    + " (cuDNN 8) found on the library path");
        }
        try {
            place(resource, Path.of(System.getProperty("java.io.tmpdir"), file));
            return Optional.empty();
        } catch (IOException e) {
            return Optional.of("cuDNN: cannot write the JCudnn native to " + System.getProperty("java.io.tmpdir")
                    + ": " + e.getMessage());
        }
    }

    /** Whether the dynamic loader finds and loads {@code library} (it is unloaded again). */
    static boolean loadable(String library) {
        try (Arena arena = Arena.ofConfined()) {
            SymbolLookup.libraryLookup(library, arena);
            return true;
        } catch (IllegalArgumentException notFound) {
            return false;
        }
    }

    private static void place(String resource, Path target) throws IOException {
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
