package org.covidct.app.data;

import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.covidct.nn.data.LabelledFile;
import org.covidct.nn.data.Split;

/**
 * What a data set's own split does with its groups (patients): how many groups it puts in more
 * than one split, and how many validation and test images are of a group that also has training
 * images, so that a model is measured on patients it was trained on. An image without a group is a
 * group of its own, never shared.
 *
 * @param groups the named groups
 * @param groupsPerSplit how many of them have images in train, val and test
 * @param shared the groups with images in more than one split
 * @param sharedBySplits the shared groups by the splits they span ("train and test"), each span once
 *     it has a group, in the order train and val, train and test, val and test, all three
 * @param example the first shared group, or null where none is
 * @param valImages the validation images
 * @param valSeenInTrain those of a group with training images
 * @param testImages the test images
 * @param testSeenInTrain those of a group with training images
 */
public record SplitOverlap(int groups, List<Integer> groupsPerSplit, int shared, Map<String, Integer> sharedBySplits, String example, int valImages,
                           int valSeenInTrain, int testImages, int testSeenInTrain) {
    private static final List<Set<Split>> SPANS = List.of(EnumSet.of(Split.TRAIN, Split.VAL),
            EnumSet.of(Split.TRAIN, Split.TEST), EnumSet.of(Split.VAL, Split.TEST), EnumSet.allOf(Split.class));
    private static final List<String> SPAN_NAMES = List.of("train and val", "train and test", "val and test",
            "train, val and test");

    /** The overlap of {@code files}, which must all have a split. */
    public static SplitOverlap of(List<LabelledFile> files) {
        Map<String, Set<Split>> splitsOfGroup = new LinkedHashMap<>();
        for (LabelledFile f : files) {
            if (f.split() == null) {
                throw new IllegalArgumentException("split overlap: " + f.path() + " has no split");
            }
            if (f.group() != null) {
                splitsOfGroup.computeIfAbsent(f.group(), g -> EnumSet.noneOf(Split.class)).add(f.split());
            }
        }
        int[] perSplit = new int[Split.values().length];
        splitsOfGroup.values().forEach(splits -> splits.forEach(s -> perSplit[s.ordinal()]++));
        int[] perSpan = new int[SPANS.size()];
        String example = null;
        for (Map.Entry<String, Set<Split>> e : splitsOfGroup.entrySet()) {
            int span = SPANS.indexOf(e.getValue());
            if (span >= 0) {
                perSpan[span]++;
                example = example == null ? e.getKey() : example;
            }
        }
        Map<String, Integer> bySplits = new LinkedHashMap<>();
        for (int s = 0; s < SPANS.size(); s++) {
            if (perSpan[s] > 0) {
                bySplits.put(SPAN_NAMES.get(s), perSpan[s]);
            }
        }
        int valImages = 0, valSeen = 0, testImages = 0, testSeen = 0;
        for (LabelledFile f : files) {
            boolean seen = f.group() != null && splitsOfGroup.get(f.group()).contains(Split.TRAIN);
            if (f.split() == Split.VAL) {
                valImages++;
                valSeen += seen ? 1 : 0;
            } else if (f.split() == Split.TEST) {
                testImages++;
                testSeen += seen ? 1 : 0;
            }
        }
        return new SplitOverlap(splitsOfGroup.size(), Arrays.stream(perSplit).boxed().toList(), bySplits.values().stream().mapToInt(Integer::intValue).sum(),
                Collections.unmodifiableMap(bySplits), example, valImages, valSeen, testImages, testSeen);
    }

    /**
     * In words, calling the groups {@code groupWord} ("patients"): "its split keeps each of its 384
     * patients in one split", or how many it shares and how many test and val images that touches.
     */
    public String describe(String groupWord) {
        if (shared == 0) {
            return "its split keeps each of its " + groups + " " + groupWord + " in one split (" + groupsPerSplit.get(0)
                    + " in train, " + groupsPerSplit.get(1) + " in val, " + groupsPerSplit.get(2) + " in test): none is "
                    + "in two of train, val and test";
        }
        return "its split puts " + shared + " of its " + groups + " " + groupWord + " in more than one split ("
                + sharedBySplits.entrySet().stream().map(e -> e.getKey() + " " + e.getValue())
                .collect(Collectors.joining(", ")) + "; '" + example + "', say): " + testSeenInTrain + " of its "
                + testImages + " test images and " + valSeenInTrain + " of its " + valImages + " val images are of "
                + groupWord + " with training images";
    }
}
