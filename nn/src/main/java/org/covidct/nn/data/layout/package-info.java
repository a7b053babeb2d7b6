/**
 * Readers of data-set layouts into {@link org.covidct.nn.data.LabelledDataset}s:
 * {@link org.covidct.nn.data.layout.ImageFolder} (a folder per class, numbered as torchvision numbers
 * it, optionally under train/, val/ and test/) and {@link org.covidct.nn.data.layout.CsvManifest} (a
 * CSV file of path, label and optionally split and group, which also records a computed split so that
 * a run can be repeated). A layout that cannot be read is refused with a
 * {@link org.covidct.nn.data.DatasetException} of one line naming the folder, file or line.
 */
package org.covidct.nn.data.layout;
