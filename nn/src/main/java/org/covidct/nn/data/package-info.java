/**
 * Data sets and mini-batches for training and evaluating image classifiers, in the manner of
 * PyTorch's {@code torch.utils.data}.
 *
 * <ul>
 *   <li>{@link org.covidct.nn.data.Sample}: one labelled image file. A data set is a
 *       {@code List<Sample>}; a reader of a data set's own layout (an application's index files, a
 *       folder per class) builds the list and reports what it cannot read with a
 *       {@link org.covidct.nn.data.DatasetException}.</li>
 *   <li>{@link org.covidct.nn.data.DataLoader}: decodes, transforms and batches the samples on a pool
 *       of worker threads, prefetching the next batches while the caller trains on the current one.
 *       Shuffling and augmentation are seeded, so every batch of every epoch is reproducible whatever
 *       the number of workers.</li>
 *   <li>{@link org.covidct.nn.data.Batch}: one mini-batch, an image tensor with its labels and
 *       files.</li>
 *   <li>{@link org.covidct.nn.data.LabelledDataset}: a data set as a layout on disk describes it,
 *       with class names, {@link org.covidct.nn.data.Split}s, groups and the positive class
 *       ({@link org.covidct.nn.data.PositiveClass}). {@link org.covidct.nn.data.layout} reads the
 *       layouts (a folder per class, a CSV manifest), and {@link org.covidct.nn.data.split} completes
 *       the splits a layout leaves open.</li>
 * </ul>
 *
 * Decoding and transforms live in {@link org.covidct.nn.data.image}, which does not depend on this
 * package.
 */
package org.covidct.nn.data;
