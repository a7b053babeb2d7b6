package org.covidct.nn.data;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * A classification data set as a layout on disk describes it: the class names (label {@code i} is
 * {@code classes().get(i)}), every image with its label and, where the layout says so, its split and
 * group, the positive class of a two-class set, and the index files (manifests, split lists) it was
 * read from.
 *
 * <p>It is <em>split</em> when every image has a split and none of train, val and test is empty; only
 * then does {@link #samples(Split)} answer. A layout that leaves splits open is completed by
 * {@code org.covidct.nn.data.split.StratifiedSplit}. The order of {@link #files()} is the layout's
 * (torchvision's for a folder tree, line order for a manifest), and every split lists its samples in
 * that order.
 *
 * <p>Instances are immutable; {@code with...} methods return changed copies.
 */
public final class LabelledDataset {
    private final Path source;
    private final List<String> classes;
    private final List<LabelledFile> files;
    private final List<Path> indexFiles;
    private final OptionalInt positiveLabel;

    private LabelledDataset(Path source, List<String> classes, List<LabelledFile> files, List<Path> indexFiles,
                            OptionalInt positiveLabel) {
        this.source = source;
        this.classes = classes;
        this.files = files;
        this.indexFiles = indexFiles;
        this.positiveLabel = positiveLabel;
    }

    /**
     * A data set read from {@code source} (the folder or manifest that errors name). The positive
     * class is the one the class names make positive, if any ({@link PositiveClass#inferred}).
     *
     * @param source the root folder or manifest file the data set was read from
     * @param classes the class names, label order
     * @param files the images, in the layout's order; either all have a split or none has
     * @param indexFiles the files besides the images that the data set was read from
     * @throws DatasetException when there are fewer than two classes, a class has no images, one file
     *     is listed twice, or one group is in two splits
     * @throws IllegalArgumentException when a label is out of range, class names repeat or are empty,
     *     or some files have a split and others do not
     */
    public static LabelledDataset of(Path source, List<String> classes, List<LabelledFile> files, List<Path> indexFiles)
            throws DatasetException {
        List<String> names = List.copyOf(classes);
        List<LabelledFile> all = List.copyOf(files);
        checkClassNames(source, names);
        int[] perClass = new int[names.size()];
        long withSplit = 0;
        for (LabelledFile f : all) {
            if (f.label() >= names.size()) {
                throw new IllegalArgumentException(source + ": " + f.path() + " has label " + f.label() + " but there are "
                        + names.size() + " classes");
            }
            perClass[f.label()]++;
            withSplit += f.split() == null ? 0 : 1;
        }
        if (withSplit != 0 && withSplit != all.size()) {
            throw new IllegalArgumentException(source + ": " + withSplit + " of " + all.size()
                    + " images have a split; either all or none must");
        }
        if (all.isEmpty()) {
            throw new DatasetException(source + ": no images");
        }
        if (names.size() < 2) {
            throw new DatasetException(source + ": only one class, '" + names.get(0)
                    + "'; a classifier needs two or more");
        }
        for (int c = 0; c < names.size(); c++) {
            if (perClass[c] == 0) {
                throw new DatasetException(source + ": class '" + names.get(c) + "' has no images");
            }
        }
        checkDistinctFiles(source, names, all);
        checkGroupsInOneSplit(source, all);
        return new LabelledDataset(source, names, all, List.copyOf(indexFiles), PositiveClass.inferred(names));
    }

    /** The folder or manifest the data set was read from. */
    public Path source() {
        return source;
    }

    /** The class names; label {@code i} is {@code classes().get(i)}. */
    public List<String> classes() {
        return classes;
    }

    /** Every image, in the layout's order. */
    public List<LabelledFile> files() {
        return files;
    }

    /** Whether every image has a split and each of train, val and test has at least one. */
    public boolean isSplit() {
        Set<Split> seen = new HashSet<>();
        for (LabelledFile f : files) {
            if (f.split() == null) {
                return false;
            }
            seen.add(f.split());
        }
        return seen.size() == Split.values().length;
    }

    /** Whether some image has a group. */
    public boolean hasGroups() {
        return files.stream().anyMatch(f -> f.group() != null);
    }

    /**
     * The samples of split {@code split}, in the layout's order.
     *
     * @throws IllegalStateException when the data set is not {@linkplain #isSplit() split}
     */
    public List<Sample> samples(Split split) {
        if (!isSplit()) {
            throw new IllegalStateException(source + ": not split into train, val and test yet");
        }
        return files.stream().filter(f -> f.split() == split).map(LabelledFile::sample).toList();
    }

    /** The label of the positive class of a two-class set, when it is known. */
    public OptionalInt positiveLabel() {
        return positiveLabel;
    }

    /** The name of the positive class of a two-class set, when it is known. */
    public Optional<String> positiveClass() {
        return positiveLabel.isPresent() ? Optional.of(classes.get(positiveLabel.getAsInt())) : Optional.empty();
    }

    /**
     * This data set with the positive class {@code name}; with null, the class the names make
     * positive, which two classes must then have ({@link PositiveClass#choose}).
     *
     * @throws DatasetException as {@link PositiveClass#choose} does
     */
    public LabelledDataset withPositiveClass(String name) throws DatasetException {
        return new LabelledDataset(source, classes, files, indexFiles, PositiveClass.choose(source, classes, name));
    }

    /**
     * This data set with image {@code i} in split {@code splits.get(i)}.
     *
     * @throws DatasetException when the new splits divide a group
     */
    public LabelledDataset withSplits(List<Split> splits) throws DatasetException {
        if (splits.size() != files.size()) {
            throw new IllegalArgumentException(source + ": " + splits.size() + " splits for " + files.size() + " images");
        }
        List<LabelledFile> moved = new ArrayList<>(files.size());
        for (int i = 0; i < files.size(); i++) {
            if (splits.get(i) == null) {
                throw new IllegalArgumentException(source + ": no split for " + files.get(i).path());
            }
            moved.add(files.get(i).inSplit(splits.get(i)));
        }
        checkGroupsInOneSplit(source, moved);
        return new LabelledDataset(source, classes, List.copyOf(moved), indexFiles, positiveLabel);
    }

    /** The files besides the images that the data set was read from (a manifest, split lists). */
    public List<Path> indexFiles() {
        return indexFiles;
    }

    /** Every file the data set depends on, for a content fingerprint: the index files, then the images in order. */
    public List<Path> dependencies() {
        List<Path> all = new ArrayList<>(indexFiles);
        files.forEach(f -> all.add(f.path()));
        return List.copyOf(all);
    }

    @Override
    public String toString() {
        return "LabelledDataset[" + source + ", classes " + classes + ", " + files.size() + " images]";
    }

    private static void checkClassNames(Path source, List<String> names) {
        if (names.isEmpty()) {
            throw new IllegalArgumentException(source + ": no classes");
        }
        Set<String> seen = new HashSet<>();
        for (String name : names) {
            if (name == null || name.isEmpty()) {
                throw new IllegalArgumentException(source + ": empty class name in " + names);
            }
            if (!seen.add(name)) {
                throw new IllegalArgumentException(source + ": class '" + name + "' is named twice");
            }
        }
    }

    /** Compares paths as given, made absolute and normalised; the layout readers also compare real paths. */
    private static void checkDistinctFiles(Path source, List<String> names, List<LabelledFile> files)
            throws DatasetException {
        Map<Path, LabelledFile> seen = new HashMap<>();
        for (LabelledFile f : files) {
            Path key = f.path().toAbsolutePath().normalize();
            LabelledFile first = seen.putIfAbsent(key, f);
            if (first == null) {
                continue;
            }
            if (first.label() != f.label()) {
                throw new DatasetException(source + ": " + key + " is in two classes, '" + names.get(first.label())
                        + "' and '" + names.get(f.label()) + "'");
            }
            if (first.split() != f.split()) {
                throw new DatasetException(source + ": " + key + " is in two splits, " + first.split() + " and "
                        + f.split());
            }
            throw new DatasetException(source + ": " + key + " is listed twice");
        }
    }

    private static void checkGroupsInOneSplit(Path source, List<LabelledFile> files) throws DatasetException {
        Map<String, Split> splitOfGroup = new HashMap<>();
        for (LabelledFile f : files) {
            if (f.group() == null || f.split() == null) {
                continue;
            }
            Split first = splitOfGroup.putIfAbsent(f.group(), f.split());
            if (first != null && first != f.split()) {
                throw new DatasetException(source + ": group '" + f.group() + "' is in two splits, " + first + " and "
                        + f.split());
            }
        }
    }
}
