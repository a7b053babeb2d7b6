/**
 * Labelled samples and a deterministic, parallel, prefetching {@link org.covidct.nn.data.DataLoader}
 * that turns them into mini-batches; the images themselves are decoded and transformed by
 * {@link org.covidct.nn.data.image}.
 */
package org.covidct.nn.data;
