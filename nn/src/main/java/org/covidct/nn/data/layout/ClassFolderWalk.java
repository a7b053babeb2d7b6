package org.covidct.nn.data.layout;

import java.io.IOException;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.covidct.nn.data.DatasetException;

/**
 * The images of one class folder in torchvision's order: {@code make_dataset} visits
 * {@code sorted(os.walk(folder, followlinks=True))}, that is every folder below the class folder
 * (links to folders followed) in code-point order of its whole path, and in each folder its file
 * names in code-point order. So {@code d/e/} comes after {@code d.e/}, as {@code '/'} sorts after
 * {@code '.'}, not straight after {@code d/}.
 *
 * <p>Where torchvision would go on silently this refuses: a folder that cannot be listed, a link
 * loop, a link named like an image that leads to no file, and an image type torchvision reads but
 * this library cannot decode.
 */
final class ClassFolderWalk {
    /** The extensions taken as images, lower case; torchvision's {@code has_file_allowed_extension} ignores case. */
    static final List<String> EXTENSIONS = List.of(".jpg", ".jpeg", ".png", ".bmp");
    /** The rest of torchvision's {@code IMG_EXTENSIONS}: images this library cannot decode. */
    static final List<String> UNSUPPORTED = List.of(".ppm", ".pgm", ".tif", ".tiff", ".webp");

    private record Folder(String sortKey, Path dir, List<String> fileNames) {
    }

    private ClassFolderWalk() {
    }

    /** The image files under {@code classDir}, as paths below it as walked (links not resolved). */
    static List<Path> images(Path classDir) throws DatasetException {
        List<Folder> folders = new ArrayList<>();
        visit(classDir, "", new HashSet<>(), folders);
        folders.sort((x, y) -> CodePointOrder.INSTANCE.compare(x.sortKey, y.sortKey));
        List<Path> images = new ArrayList<>();
        for (Folder folder : folders) {
            for (String name : folder.fileNames) {
                Path file = folder.dir.resolve(name);
                String ext = extension(name);
                if (EXTENSIONS.contains(ext)) {
                    if (!Files.isRegularFile(file)) {
                        throw new DatasetException(file + " is not a readable file (a broken link?)");
                    }
                    images.add(file);
                } else if (UNSUPPORTED.contains(ext)) {
                    throw new DatasetException(file + ": torchvision reads " + ext + " images but this library cannot"
                            + " decode them (only " + String.join(" ", EXTENSIONS) + "); convert or remove it");
                }
            }
        }
        return images;
    }

    /** The extension of {@code name} among those torchvision knows, lower case, or "" when none matches. */
    static String extension(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        for (List<String> known : List.of(EXTENSIONS, UNSUPPORTED)) {
            for (String ext : known) {
                if (lower.endsWith(ext)) {
                    return ext;
                }
            }
        }
        return "";
    }

    /** The names of the folders in {@code dir} (links to folders included), in code-point order. */
    static List<String> subfolderNames(Path dir) throws DatasetException {
        List<String> names = new ArrayList<>();
        for (Path entry : list(dir)) {
            if (Files.isDirectory(entry)) {
                names.add(entry.getFileName().toString());
            }
        }
        names.sort(CodePointOrder.INSTANCE);
        return names;
    }

    private static void visit(Path dir, String sortKey, Set<Path> ancestors, List<Folder> out)
            throws DatasetException {
        Path real;
        try {
            real = dir.toRealPath();
        } catch (IOException e) {
            throw new DatasetException("cannot read folder " + dir + " (" + e + ")", e);
        }
        if (!ancestors.add(real)) {
            throw new DatasetException(dir + " is a link loop: it leads back to " + real);
        }
        List<String> fileNames = new ArrayList<>();
        for (Path entry : list(dir)) {
            String name = entry.getFileName().toString();
            if (Files.isDirectory(entry)) {
                visit(entry, sortKey + "/" + name, ancestors, out);
            } else {
                fileNames.add(name);
            }
        }
        ancestors.remove(real);
        fileNames.sort(CodePointOrder.INSTANCE);
        out.add(new Folder(sortKey, dir, fileNames));
    }

    private static List<Path> list(Path dir) throws DatasetException {
        List<Path> entries = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
            stream.forEach(entries::add);
        } catch (DirectoryIteratorException e) {
            throw new DatasetException("cannot list folder " + dir + " (" + e.getCause() + ")", e.getCause());
        } catch (IOException e) {
            throw new DatasetException("cannot list folder " + dir + " (" + e + ")", e);
        }
        return entries;
    }
}
