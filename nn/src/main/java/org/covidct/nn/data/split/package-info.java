/**
 * Seeded splits of a {@link org.covidct.nn.data.LabelledDataset} into train, val and test:
 * {@link org.covidct.nn.data.split.StratifiedSplit}, stratified by class and keeping groups whole, in
 * the shares of {@link org.covidct.nn.data.split.SplitFractions} (COVID-CT's own by default).
 */
package org.covidct.nn.data.split;
