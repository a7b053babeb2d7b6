package org.covidct.tensor.cuda;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassModel;
import java.lang.classfile.MethodModel;
import java.lang.classfile.Opcode;
import java.lang.classfile.instruction.InvokeDynamicInstruction;
import java.lang.classfile.instruction.InvokeInstruction;
import java.lang.constant.ConstantDesc;
import java.lang.constant.DirectMethodHandleDesc;
import java.lang.reflect.AccessFlag;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemNotFoundException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import jcuda.JCudaVersion;
import jcuda.LibUtils;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Every cuBLAS / cuDNN C function the CUDA backend reaches through JCuda must be exported by the
 * real NVIDIA libraries, whose symbol lists scripts/cuda-symbols/extract.py commits under
 * cuda-symbols/. A call to a function a library version dropped or renamed then fails here, on a
 * machine without a GPU, instead of as an UnsatisfiedLinkError / undefined symbol on one with it.
 *
 * <p>The calls are read from the compiled classes of this package, so the check follows the code
 * without a hand-kept list. Mapping from Java to C: JCuda's public method {@code X} delegates to a
 * private static native {@code XNative} (or is itself native); the native's name minus
 * {@code Native}, minus JCuda's {@code _new} suffix for a newer signature of the same C function, is
 * the base name {@code B}. The C symbol is {@code B_v2} where the JCuda JNI library imports
 * {@code B_v2} (cublas_v2.h renames those functions by macro), else {@code B}; and it must be one
 * the JNI library imports, which keeps the rule honest against the binary JCuda actually loads.
 */
@DisplayName("CUDA symbols: the cuBLAS / cuDNN functions our code calls exist in the real libraries")
class CudaSymbolsTest {

    /** One JCuda binding: its class, the JNI library it loads, the C prefix, the symbol lists. */
    private record Binding(String owner, String jniLibrary, String prefix, String listPrefix) {}

    private static final List<Binding> BINDINGS = List.of(
            new Binding("jcuda/jcublas/JCublas2", "JCublas2", "cublas", "libcublas.so."),
            new Binding("jcuda/jcudnn/JCudnn", "JCudnn", "cudnn", "libcudnn.so."));

    /** Lists that must exist: the CUDA 12 cuBLAS the JNI library links to, and cuDNN 9. */
    private static final List<String> REQUIRED_LISTS = List.of("libcublas.so.12", "libcudnn.so.9");

    private static final String LISTS = "/cuda-symbols/";

    @Test
    @DisplayName("every C function reached through JCublas2 / JCudnn is exported by each committed library list")
    void calledFunctionsAreExported() throws IOException {
        Map<String, Set<String>> calledJava = jcudaCallsInThisPackage();

        Map<String, Set<String>> missing = new TreeMap<>();
        Set<String> allSymbols = new TreeSet<>();
        for (Binding binding : BINDINGS) {
            Set<String> imports = jniImports(binding);
            Set<String> symbols = new TreeSet<>();
            Set<String> notImported = new TreeSet<>();
            ClassModel jcuda = ClassFile.of().parse(resourceBytes("/" + binding.owner() + ".class"));
            for (String call : calledJava.getOrDefault(binding.owner(), Set.of())) {
                for (String base : nativeBaseNames(jcuda, call, binding.prefix())) {
                    String symbol = imports.contains(base + "_v2") ? base + "_v2" : base;
                    (imports.contains(symbol) ? symbols : notImported).add(symbol);
                }
            }
            assertTrue(notImported.isEmpty(), () -> "the mapping rule gave C names that lib"
                    + binding.jniLibrary() + " does not import: " + notImported);
            allSymbols.addAll(symbols);
            for (Path list : symbolLists(binding.listPrefix())) {
                Set<String> exported = readList(list);
                Set<String> lacking = new TreeSet<>(symbols);
                lacking.removeAll(exported);
                if (!lacking.isEmpty()) {
                    missing.put(libraryName(list), lacking);
                }
            }
        }

        assertFalse(allSymbols.isEmpty(), "found no JCublas2 / JCudnn calls in org.covidct.tensor.cuda");
        assertTrue(allSymbols.containsAll(List.of("cublasSgemm_v2", "cudnnConvolutionForward")),
                () -> "the class scan missed known calls; found only " + allSymbols);
        assertTrue(missing.isEmpty(), () -> "functions our code calls that the library does not export: "
                + String.join("; ", missing.entrySet().stream()
                        .map(e -> e.getKey() + " lacks " + e.getValue()).toList()));
    }

    /** Owner (internal name) to the names of the static methods this package's classes call on it. */
    private static Map<String, Set<String>> jcudaCallsInThisPackage() throws IOException {
        Set<String> owners = new HashSet<>();
        BINDINGS.forEach(b -> owners.add(b.owner()));
        Map<String, Set<String>> calls = new TreeMap<>();
        Path dir = classDirectory(Cublas.class);
        List<Path> classFiles;
        try (Stream<Path> files = Files.list(dir)) {
            classFiles = files.filter(p -> p.getFileName().toString().endsWith(".class")).sorted().toList();
        }
        assertFalse(classFiles.isEmpty(), "no class files in " + dir);
        for (Path file : classFiles) {
            ClassModel model = ClassFile.of().parse(Files.readAllBytes(file));
            for (MethodModel method : model.methods()) {
                method.code().ifPresent(code -> code.forEach(element -> {
                    if (element instanceof InvokeInstruction invoke
                            && invoke.opcode() == Opcode.INVOKESTATIC
                            && owners.contains(invoke.owner().asInternalName())) {
                        calls.computeIfAbsent(invoke.owner().asInternalName(), k -> new TreeSet<>())
                                .add(invoke.name().stringValue());
                    } else if (element instanceof InvokeDynamicInstruction indy) {
                        // A method reference such as JCudnn::cudnnCreate is a handle, not an invokestatic.
                        for (ConstantDesc arg : indy.bootstrapArgs()) {
                            if (arg instanceof DirectMethodHandleDesc handle) {
                                String owner = handle.owner().descriptorString();
                                owner = owner.substring(1, owner.length() - 1);
                                if (owners.contains(owner)) {
                                    calls.computeIfAbsent(owner, k -> new TreeSet<>()).add(handle.methodName());
                                }
                            }
                        }
                    }
                }));
            }
        }
        return calls;
    }

    /**
     * The C base names behind JCuda method {@code name}: itself if it is native, else the natives of
     * its own class it calls directly (JCuda wraps each as {@code checkResult(xNative(...))}).
     * Methods such as initialize() or setExceptionsEnabled() reach no library native and give none.
     */
    private static Set<String> nativeBaseNames(ClassModel jcuda, String name, String prefix) {
        Set<String> natives = new TreeSet<>();
        for (MethodModel method : jcuda.methods()) {
            if (!method.methodName().equalsString(name)) {
                continue;
            }
            if (method.flags().has(AccessFlag.NATIVE)) {
                natives.add(name);
            }
            method.code().ifPresent(code -> code.forEach(element -> {
                if (element instanceof InvokeInstruction invoke
                        && invoke.opcode() == Opcode.INVOKESTATIC
                        && invoke.owner().asSymbol().equals(jcuda.thisClass().asSymbol())
                        && isNative(jcuda, invoke.name().stringValue(), invoke.type().stringValue())) {
                    natives.add(invoke.name().stringValue());
                }
            }));
        }
        Set<String> bases = new TreeSet<>();
        for (String nativeName : natives) {
            String base = nativeName.endsWith("Native")
                    ? nativeName.substring(0, nativeName.length() - "Native".length()) : nativeName;
            if (base.endsWith("_new")) {
                base = base.substring(0, base.length() - "_new".length());
            }
            // JCuda's own natives (setLogLevel) are no library functions.
            if (base.startsWith(prefix)) {
                bases.add(base);
            }
        }
        return bases;
    }

    private static boolean isNative(ClassModel model, String name, String descriptor) {
        return model.methods().stream().anyMatch(m -> m.methodName().equalsString(name)
                && m.methodType().equalsString(descriptor) && m.flags().has(AccessFlag.NATIVE));
    }

    /** The symbols the JNI library JCuda would load for this binding imports (undefined dynsyms). */
    private static Set<String> jniImports(Binding binding) {
        // The resource name JCuda's own loader looks up (JCublas2.initialize / JCudnn.initialize).
        String resource = "/lib/" + LibUtils.createLibraryFileName(
                LibUtils.createPlatformLibraryName(binding.jniLibrary() + "-" + JCudaVersion.get()));
        return undefinedDynamicSymbols(resourceBytes(resource));
    }

    /** Names of the undefined symbols in an ELF64 little-endian shared library's .dynsym. */
    static Set<String> undefinedDynamicSymbols(byte[] elf) {
        ByteBuffer b = ByteBuffer.wrap(elf).order(ByteOrder.LITTLE_ENDIAN);
        assertTrue(b.getInt(0) == 0x464c457f && elf[4] == 2 && elf[5] == 1, "not an ELF64 little-endian file");
        long shoff = b.getLong(0x28);
        int shentsize = Short.toUnsignedInt(b.getShort(0x3A));
        int shnum = Short.toUnsignedInt(b.getShort(0x3C));
        Set<String> names = new TreeSet<>();
        for (int i = 0; i < shnum; i++) {
            int sh = Math.toIntExact(shoff + (long) i * shentsize);
            if (b.getInt(sh + 4) != 11) { // SHT_DYNSYM
                continue;
            }
            int symOff = Math.toIntExact(b.getLong(sh + 0x18));
            long symSize = b.getLong(sh + 0x20);
            int entSize = Math.toIntExact(b.getLong(sh + 0x38));
            int strSh = Math.toIntExact(shoff + (long) b.getInt(sh + 0x28) * shentsize);
            int strOff = Math.toIntExact(b.getLong(strSh + 0x18));
            for (int s = symOff; s < symOff + symSize; s += entSize) {
                int nameOff = b.getInt(s);
                if (nameOff != 0 && b.getShort(s + 6) == 0) { // st_shndx == SHN_UNDEF
                    int start = strOff + nameOff;
                    int end = start;
                    while (elf[end] != 0) {
                        end++;
                    }
                    names.add(new String(elf, start, end - start, StandardCharsets.US_ASCII));
                }
            }
        }
        return names;
    }

    /** The committed lists named {@code prefix}*.txt; the required ones must be among them. */
    private static List<Path> symbolLists(String prefix) throws IOException {
        Path dir = resourcePath(LISTS + REQUIRED_LISTS.getFirst() + ".txt").getParent();
        List<Path> lists;
        try (Stream<Path> files = Files.list(dir)) {
            lists = files.filter(p -> p.getFileName().toString().startsWith(prefix)
                    && p.getFileName().toString().endsWith(".txt")).sorted().toList();
        }
        List<String> names = lists.stream().map(CudaSymbolsTest::libraryName).toList();
        for (String required : REQUIRED_LISTS) {
            if (required.startsWith(prefix)) {
                assertTrue(names.contains(required), "missing symbol list " + required + ".txt in " + dir);
            }
        }
        return lists;
    }

    private static Set<String> readList(Path list) throws IOException {
        Set<String> names = new HashSet<>();
        for (String line : Files.readAllLines(list)) {
            String name = line.strip();
            if (!name.isEmpty() && !name.startsWith("#")) {
                names.add(name);
            }
        }
        assertFalse(names.isEmpty(), "empty symbol list " + list);
        return names;
    }

    private static String libraryName(Path list) {
        String file = list.getFileName().toString();
        return file.substring(0, file.length() - ".txt".length());
    }

    private static Path classDirectory(Class<?> type) {
        return resourcePath("/" + type.getName().replace('.', '/') + ".class").getParent();
    }

    /** A classpath resource as a Path, for a directory or a jar on the classpath alike. */
    private static Path resourcePath(String resource) {
        var url = CudaSymbolsTest.class.getResource(resource);
        assertNotNull(url, "not on the classpath: " + resource);
        try {
            URI uri = url.toURI();
            try {
                return Path.of(uri);
            } catch (FileSystemNotFoundException e) {
                return FileSystems.newFileSystem(uri, Map.of()).provider().getPath(uri);
            }
        } catch (URISyntaxException | IOException e) {
            throw new IllegalStateException(resource, e);
        }
    }

    private static byte[] resourceBytes(String resource) {
        try (InputStream in = CudaSymbolsTest.class.getResourceAsStream(resource)) {
            assertNotNull(in, "not on the classpath: " + resource);
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
