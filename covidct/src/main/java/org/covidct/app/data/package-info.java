/**
 * The COVID-CT input pipeline, matching the tutorial's PyTorch one (Pillow 9.4, torchvision 0.14).
 *
 * <ul>
 *   <li>{@link org.covidct.app.data.ImageDecoder}: PNG and JPEG, told apart by content, to 8-bit RGB
 *       exactly as {@code Image.open(p).convert("RGB")}.</li>
 *   <li>{@link org.covidct.app.data.Resize}: Pillow's antialiased bilinear resize, bit for bit, and
 *       torchvision's {@code Resize} output sizes.</li>
 *   <li>{@link org.covidct.app.data.Transforms}: the training and evaluation pipelines, built from
 *       {@link org.covidct.app.data.RandomResizedCrop} and {@link org.covidct.app.data.Normalize}; all
 *       randomness comes from a {@link java.util.random.RandomGenerator} the caller passes.</li>
 *   <li>{@link org.covidct.app.data.CovidCtDataset}: the split files and labels of the data set.</li>
 *   <li>{@link org.covidct.app.data.DataLoader}: deterministic, parallel, prefetching mini-batches.</li>
 * </ul>
 */
package org.covidct.app.data;
