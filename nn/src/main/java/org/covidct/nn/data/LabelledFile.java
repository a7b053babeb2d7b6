package org.covidct.nn.data;

import java.nio.file.Path;

/**
 * One image of a {@link LabelledDataset}, with what its layout says about it.
 *
 * @param path the image file
 * @param label the class index into {@link LabelledDataset#classes()}
 * @param split the split the layout puts it in, or null when the layout leaves it to a seeded split
 * @param group the group it belongs to (a patient, say: a group is never divided between splits), or
 *     null when it is a group of its own
 */
public record LabelledFile(Path path, int label, Split split, String group) {
    /** Checks that the path is given and the label is not negative. */
    public LabelledFile {
        if (path == null) {
            throw new IllegalArgumentException("LabelledFile: path is null");
        }
        if (label < 0) {
            throw new IllegalArgumentException("LabelledFile " + path + ": negative label " + label);
        }
    }

    /** The same file in split {@code s}. */
    public LabelledFile inSplit(Split s) {
        return new LabelledFile(path, label, s, group);
    }

    /** The file and label alone, as a {@link DataLoader} takes them. */
    public Sample sample() {
        return new Sample(path, label);
    }
}
