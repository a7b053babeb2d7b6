package org.covidct.app.train;

import org.covidct.app.data.DataLayout;
import org.covidct.app.metrics.ClassNames;

/**
 * What a run's config.json records of the data set it trains on, besides the settings: its layout,
 * its classes in the classifier's labels, and the SHA-256 of its split (see {@link RunData}), which
 * split.csv must match. A run started before these were recorded has none: it trains on COVID-CT's
 * own split files.
 *
 * @param layout the layout of the data set at {@code data}
 * @param classes the negative and the positive class
 * @param splitSha256 the fingerprint of every image's place, class, split and group, in order
 */
record RecordedData(DataLayout layout, ClassNames classes, String splitSha256) {
}
