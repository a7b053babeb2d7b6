package org.covidct.nn.data.layout;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.covidct.nn.data.DatasetException;
import org.covidct.nn.data.LabelledDataset;
import org.covidct.nn.data.LabelledFile;
import org.covidct.nn.data.Split;

/**
 * A folder per class, numbered as torchvision's {@code datasets.ImageFolder} numbers it:
 *
 * <pre>
 * root/&lt;class&gt;/**&#47;*.{png,jpg,jpeg,bmp}              unsplit
 * root/{train,val,test}/&lt;class&gt;/**&#47;*.{png,jpg,jpeg,bmp}   split
 * </pre>
 *
 * <ul>
 *   <li>The classes are the folders directly inside the root (links to folders count), in code-point
 *       order of their names, label 0 first: torchvision's {@code sorted(entry.name ...)}. Files
 *       directly inside the root are ignored, as torchvision ignores them.</li>
 *   <li>A class's images are found in every folder below it, links followed, in the order of
 *       torchvision's {@code sorted(os.walk(...))}: folders by their whole path in code-point order
 *       (so {@code d/e/} comes after {@code d.e/}), files by name within each. The extension is
 *       compared ignoring case. Of torchvision's image extensions only {@code .png .jpg .jpeg .bmp}
 *       are taken, the ones this library decodes; a {@code .ppm .pgm .tif .tiff .webp} file is
 *       refused rather than left out, so that a tree is read as torchvision reads it or not at all.
 *       Other files are ignored.</li>
 *   <li>Hidden files and folders are not skipped, as torchvision does not skip them: a
 *       {@code .ipynb_checkpoints} folder is a class (and refused as empty when it holds no image),
 *       and a macOS {@code ._scan.png} is an image (which then fails to decode, naming the file).</li>
 *   <li>When the root holds a folder named {@code train}, {@code val} or {@code test}, it is split:
 *       each of those folders is read as torchvision would read it on its own, and all must have the
 *       same class folders. {@code train} must be there; a missing {@code val} or {@code test} is left
 *       to be carved out of train by {@code StratifiedSplit}. Other folders beside them are
 *       refused.</li>
 *   <li>Every class folder must hold an image, and one file (compared by its real path, links
 *       resolved) may appear only once in the whole tree: not in two classes nor in two splits.</li>
 * </ul>
 *
 * Where torchvision would go on silently, this refuses in one line that names the folder or file: a
 * folder that cannot be listed, a link loop, a link named like an image that leads nowhere.
 */
public final class ImageFolder {
    /** The image extensions read, lower case (the extension of a file is compared ignoring case). */
    public static final List<String> EXTENSIONS = ClassFolderWalk.EXTENSIONS;
    /** The image extensions torchvision reads that are refused here, as this library cannot decode them. */
    public static final List<String> UNSUPPORTED_EXTENSIONS = ClassFolderWalk.UNSUPPORTED;

    private static final List<String> SPLIT_FOLDERS = List.of("train", "val", "test");

    private ImageFolder() {
    }

    /**
     * Reads the tree under {@code root}: unsplit (every image without a split) or split (every image
     * in the split of its top folder).
     *
     * @throws DatasetException when the tree is not a valid layout; the message names the folder or file
     */
    public static LabelledDataset read(Path root) throws DatasetException {
        if (!Files.isDirectory(root)) {
            throw new DatasetException("image folder " + root + " is not a folder");
        }
        List<String> top = ClassFolderWalk.subfolderNames(root);
        List<String> splitFolders = top.stream().filter(SPLIT_FOLDERS::contains).toList();
        List<String> classes;
        List<LabelledFile> files = new ArrayList<>();
        if (splitFolders.isEmpty()) {
            classes = classesOf(root, top);
            addImages(root, classes, null, files);
        } else {
            if (!splitFolders.contains("train")) {
                throw new DatasetException(root + " has " + String.join("/ and ", splitFolders)
                        + "/ but no train/ folder to train on");
            }
            List<String> others = top.stream().filter(name -> !SPLIT_FOLDERS.contains(name)).toList();
            if (!others.isEmpty()) {
                throw new DatasetException(root + " holds split folders (" + String.join(", ", splitFolders)
                        + ") beside other folders (" + String.join(", ", others)
                        + "); class folders belong inside the split folders");
            }
            Path trainDir = root.resolve("train");
            classes = classesOf(trainDir, ClassFolderWalk.subfolderNames(trainDir));
            for (Split split : Split.values()) {
                if (!splitFolders.contains(split.id())) {
                    continue;
                }
                Path splitDir = root.resolve(split.id());
                List<String> splitClasses = ClassFolderWalk.subfolderNames(splitDir);
                if (!splitClasses.equals(classes)) {
                    throw new DatasetException(splitDir + " has the class folders " + splitClasses + " but " + trainDir
                            + " has " + classes + "; every split needs the same classes");
                }
                addImages(splitDir, classes, split, files);
            }
        }
        checkOneFileOnce(root, classes, files);
        return LabelledDataset.of(root, classes, files, List.of());
    }

    private static List<String> classesOf(Path dir, List<String> subfolders) throws DatasetException {
        if (subfolders.isEmpty()) {
            throw new DatasetException(dir + " holds no class folders");
        }
        if (subfolders.size() == 1) {
            throw new DatasetException(dir + " holds one class folder only, '" + subfolders.get(0)
                    + "'; a classifier needs two or more");
        }
        return subfolders;
    }

    private static void addImages(Path dir, List<String> classes, Split split, List<LabelledFile> out)
            throws DatasetException {
        for (int label = 0; label < classes.size(); label++) {
            Path classDir = dir.resolve(classes.get(label));
            List<Path> images = ClassFolderWalk.images(classDir);
            if (images.isEmpty()) {
                throw new DatasetException("class folder " + classDir + " holds no image ("
                        + String.join(" ", EXTENSIONS) + ")");
            }
            for (Path image : images) {
                out.add(new LabelledFile(image, label, split, null));
            }
        }
    }

    private static void checkOneFileOnce(Path root, List<String> classes, List<LabelledFile> files)
            throws DatasetException {
        Map<Path, LabelledFile> byRealPath = new HashMap<>();
        for (LabelledFile f : files) {
            Path real;
            try {
                real = f.path().toRealPath();
            } catch (IOException e) {
                throw new DatasetException("cannot read " + f.path() + " (" + e + ")", e);
            }
            LabelledFile first = byRealPath.putIfAbsent(real, f);
            if (first == null) {
                continue;
            }
            String where = first.label() != f.label()
                    ? "in two classes, '" + classes.get(first.label()) + "' and '" + classes.get(f.label()) + "'"
                    : first.split() != f.split() ? "in two splits, " + first.split() + " and " + f.split()
                    : "twice in class '" + classes.get(f.label()) + "'";
            throw new DatasetException(root + ": " + first.path() + " and " + f.path() + " are one file (" + real
                    + "), " + where);
        }
    }
}
