/**
 * The data sets the application reads: {@link org.covidct.app.data.DataLayout} tells a COVID-CT
 * checkout ({@link org.covidct.app.data.CovidCtDataset} reads the split files of the UCSD-AI4H
 * repository), an ImageFolder tree and a CSV manifest apart and reads each into the library's
 * {@link org.covidct.nn.data.LabelledDataset}; {@link org.covidct.app.data.BinaryLabels} puts a
 * two-class set into the classifier's labels, its positive class 1; {@link
 * org.covidct.app.data.DataManifest} fingerprints the files a run reads.
 */
package org.covidct.app.data;
