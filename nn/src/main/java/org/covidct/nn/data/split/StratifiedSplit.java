package org.covidct.nn.data.split;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.covidct.nn.data.DatasetException;
import org.covidct.nn.data.LabelledDataset;
import org.covidct.nn.data.LabelledFile;
import org.covidct.nn.data.Split;

/**
 * Completes the splits of a {@link LabelledDataset} with a seeded split that is stratified by class
 * and keeps every group in one split.
 *
 * <p>What is split (the pool), and into what:
 *
 * <ul>
 *   <li>images without a split: all of them, into train, val and test;</li>
 *   <li>images that all have a split, but val or test has none: the train images, into train and the
 *       empty splits, the fractions of those splits scaled up to add up to 1 (a tree with train/ and
 *       test/ gets val from train, 118 in 543 of it with {@link SplitFractions#COVID_CT});</li>
 *   <li>a data set already split is returned as it is.</li>
 * </ul>
 *
 * <p>The algorithm. Every image is in a group: its {@code group}, or a group of its own. The groups,
 * in order of first appearance, are shuffled (Fisher-Yates, {@code i} from the last index down to 1
 * swapping with {@code j = u mod (i + 1)} where {@code u} is the next SplitMix64 output from state
 * {@code seed}, taken as unsigned), then stably sorted largest first. Split {@code s} aims at
 * {@code t[s][c] = f[s] * n[c]} images of class {@code c}, where {@code n[c]} counts the pool's images of
 * class {@code c} and {@code f[s]} is its fraction. Each group in turn, with {@code g[c]} images of
 * class {@code c}, goes to the split furthest below its aims in the group's classes: the one with the
 * least {@code sum over c of g[c] * (have[s][c] - t[s][c])}, which is also the one whose squared
 * distance to the aims the group increases least; a tie goes to the earlier of train, val, test.
 * Without groups each image goes to the split furthest below its aim in its class, so every split
 * gets {@code floor} or {@code ceil} of its aim in every class; whole groups can only follow the aims
 * as closely as their sizes allow. All arithmetic is IEEE double in a fixed order, so one seed
 * gives one split on every JVM.
 */
public final class StratifiedSplit {
    private StratifiedSplit() {
    }

    /** A group of the pool: the indices of its images in {@code dataset.files()} and its count per class. */
    private record Group(List<Integer> members, int[] perClass) {
    }

    /**
     * {@code dataset} with every image in a split, completed as the class comment says.
     *
     * @throws DatasetException when val or test has images but train has none to carve from, or when
     *     the pool is too small (in images or groups) to give every split at least one image
     */
    public static LabelledDataset complete(LabelledDataset dataset, SplitFractions fractions, long seed)
            throws DatasetException {
        if (dataset.isSplit()) {
            return dataset;
        }
        List<LabelledFile> files = dataset.files();
        boolean unsplit = files.get(0).split() == null;
        List<Split> targets = new ArrayList<>(List.of(Split.TRAIN));
        if (unsplit) {
            targets.addAll(List.of(Split.VAL, Split.TEST));
        } else {
            Set<Split> present = EnumSet.noneOf(Split.class);
            files.forEach(f -> present.add(f.split()));
            if (!present.contains(Split.TRAIN)) {
                throw new DatasetException(dataset.source() + ": has " + present
                        + " images but no train images to train on and to carve the missing splits from");
            }
            for (Split s : List.of(Split.VAL, Split.TEST)) {
                if (!present.contains(s)) {
                    targets.add(s);
                }
            }
        }
        List<Group> groups = groups(dataset, unsplit);
        int[] assignment = assign(groups, dataset.classes().size(), shares(fractions, targets), seed);

        List<Split> splits = new ArrayList<>();
        files.forEach(f -> splits.add(f.split()));
        int[] count = new int[targets.size()];
        for (int g = 0; g < groups.size(); g++) {
            for (int i : groups.get(g).members) {
                splits.set(i, targets.get(assignment[g]));
                count[assignment[g]]++;
            }
        }
        for (int s = 0; s < targets.size(); s++) {
            if (count[s] == 0) {
                int images = groups.stream().mapToInt(g -> g.members.size()).sum();
                throw new DatasetException(String.format(Locale.ROOT, "%s: %d images in %d groups are too few to split"
                        + " into %s with fractions %s: %s would be empty", dataset.source(), images, groups.size(),
                        targets, fractions, targets.get(s)));
            }
        }
        return dataset.withSplits(splits);
    }

    /**
     * For each group, the index into the target splits it goes to (see the class comment).
     *
     * @param shares the fraction of each target split, adding up to 1
     */
    static int[] assign(List<Group> groups, int classes, double[] shares, long seed) {
        List<Integer> order = new ArrayList<>();
        for (int g = 0; g < groups.size(); g++) {
            order.add(g);
        }
        SplitMix64 random = new SplitMix64(seed);
        for (int i = order.size() - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            order.set(i, order.set(j, order.get(i)));
        }
        order.sort(Comparator.comparingInt((Integer g) -> groups.get(g).members.size()).reversed());

        double[] total = new double[classes];
        groups.forEach(g -> {
            for (int c = 0; c < classes; c++) {
                total[c] += g.perClass[c];
            }
        });
        double[][] aim = new double[shares.length][classes];
        for (int s = 0; s < shares.length; s++) {
            for (int c = 0; c < classes; c++) {
                aim[s][c] = shares[s] * total[c];
            }
        }
        double[][] have = new double[shares.length][classes];
        int[] assignment = new int[groups.size()];
        for (int g : order) {
            int[] perClass = groups.get(g).perClass;
            int best = 0;
            double bestCost = Double.POSITIVE_INFINITY;
            for (int s = 0; s < shares.length; s++) {
                double cost = 0;
                for (int c = 0; c < classes; c++) {
                    cost += perClass[c] * (have[s][c] - aim[s][c]);
                }
                if (cost < bestCost) {
                    best = s;
                    bestCost = cost;
                }
            }
            for (int c = 0; c < classes; c++) {
                have[best][c] += perClass[c];
            }
            assignment[g] = best;
        }
        return assignment;
    }

    private static double[] shares(SplitFractions fractions, List<Split> targets) {
        double sum = 0;
        for (Split s : targets) {
            sum += fractions.of(s);
        }
        double[] shares = new double[targets.size()];
        for (int i = 0; i < shares.length; i++) {
            shares[i] = fractions.of(targets.get(i)) / sum;
        }
        return shares;
    }

    /** The pool's groups in order of first appearance: the images without a split, or else the train images. */
    private static List<Group> groups(LabelledDataset dataset, boolean unsplit) {
        int classes = dataset.classes().size();
        Map<Object, Group> groups = new LinkedHashMap<>();
        List<LabelledFile> files = dataset.files();
        for (int i = 0; i < files.size(); i++) {
            LabelledFile f = files.get(i);
            if (!unsplit && f.split() != Split.TRAIN) {
                continue;
            }
            Object key = f.group() != null ? f.group() : Integer.valueOf(i);
            Group g = groups.computeIfAbsent(key, k -> new Group(new ArrayList<>(), new int[classes]));
            g.members.add(i);
            g.perClass[f.label()]++;
        }
        return new ArrayList<>(groups.values());
    }
}
