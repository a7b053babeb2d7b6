/**
 * The COVID-CT data set: {@link org.covidct.app.data.CovidCtDataset} reads the split files of the
 * UCSD-AI4H repository into {@link org.covidct.nn.data.Sample}s that the library's
 * {@link org.covidct.nn.data.DataLoader} batches.
 */
package org.covidct.app.data;
