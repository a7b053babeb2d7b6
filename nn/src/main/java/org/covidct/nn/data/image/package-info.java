/**
 * Image decoding and transforms, matching Pillow and torchvision bit for bit where they can.
 *
 * <ul>
 *   <li>{@link org.covidct.nn.data.image.ImageDecoder}: PNG, JPEG and BMP files, told apart by
 *       content, to an 8-bit {@link org.covidct.nn.data.image.RgbImage}, as Pillow's
 *       {@code Image.open(p).convert("RGB")}.</li>
 *   <li>{@link org.covidct.nn.data.image.ImageStep}: one step on an RGB image, as a torchvision
 *       transform on a PIL image: {@link org.covidct.nn.data.image.Resize} (Pillow's antialiased
 *       bilinear resize), {@link org.covidct.nn.data.image.RandomResizedCrop},
 *       {@link org.covidct.nn.data.image.RandomHorizontalFlip},
 *       {@link org.covidct.nn.data.image.RandomVerticalFlip},
 *       {@link org.covidct.nn.data.image.RandomRotation} and
 *       {@link org.covidct.nn.data.image.ColorJitter}.</li>
 *   <li>{@link org.covidct.nn.data.image.ImageTransform}: a whole pipeline from a decoded image to a
 *       normalised channel-major float tensor. {@link org.covidct.nn.data.image.Compose} chains steps
 *       and ends with {@link org.covidct.nn.data.image.Normalize} ({@code ToTensor} and
 *       {@code Normalize}); {@link org.covidct.nn.data.image.Transforms} has training and
 *       evaluation pipelines ready-made.</li>
 * </ul>
 *
 * All randomness comes from a {@link java.util.random.RandomGenerator} the caller passes, so an
 * augmentation is reproduced by reseeding the generator. A pipeline is split in a deterministic
 * prepare stage, whose result a loader may cache, and the rest.
 */
package org.covidct.nn.data.image;
